// Internal storage addressing: `sluice:///<relative path>`. The path part is taken literally (no
// percent-decoding), so `%2e%2e` is an ordinary file name and can never mean "parent directory".

export const STORAGE_SCHEME = 'sluice:///';

/** Checks a relative storage path and returns its canonical form ('/'-separated, no empty or `.`
 * segments). Throws, naming `shown` (the URI or path the caller passed), when the path could reach
 * outside the storage root or into something the file system would interpret differently. */
export function canonicalStoragePath(path: string, shown: string): string {
  if (path.includes('\0'))
    throw new Error(`invalid storage URI ${JSON.stringify(shown)}: contains a NUL byte`);
  // A backslash is a separator on Windows and an escape elsewhere: either way the path would not mean
  // what it says.
  if (path.includes('\\'))
    throw new Error(`invalid storage URI ${JSON.stringify(shown)}: contains a backslash`);
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) {
    throw new Error(`invalid storage URI ${JSON.stringify(shown)}: the path must be relative`);
  }
  const segments = path.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) {
    throw new Error(`invalid storage URI ${JSON.stringify(shown)}: '..' segments are not allowed`);
  }
  if (segments.length === 0)
    throw new Error(`invalid storage URI ${JSON.stringify(shown)}: the path is empty`);
  return segments.join('/');
}

/** The canonical relative path of a `sluice:///…` URI. */
export function pathOfUri(uri: string): string {
  if (typeof uri !== 'string' || !uri.startsWith(STORAGE_SCHEME)) {
    throw new Error(`invalid storage URI ${JSON.stringify(uri)}: only ${STORAGE_SCHEME}… URIs are served`);
  }
  return canonicalStoragePath(uri.slice(STORAGE_SCHEME.length), uri);
}

/** The canonical relative path of what `Storage.put` takes: a relative path or a `sluice:///` URI. */
export function storagePathOf(pathOrUri: string): string {
  return pathOrUri.startsWith(STORAGE_SCHEME)
    ? pathOfUri(pathOrUri)
    : canonicalStoragePath(pathOrUri, pathOrUri);
}

export function uriOfPath(path: string): string {
  return STORAGE_SCHEME + canonicalStoragePath(path, path);
}

/** Makes one path segment out of an arbitrary name: separators and NUL become `_`, and names the file
 * system gives a meaning to (`.`, `..`, empty) are replaced, so the segment always stays one level. */
export function sanitizeSegment(name: string): string {
  const cleaned = String(name).replace(/[/\\\0]/g, '_');
  return cleaned === '' || cleaned === '.' || cleaned === '..'
    ? '_'.repeat(Math.max(1, cleaned.length))
    : cleaned;
}

/** `<namespace as a/b/c>/<flowId>/executions/<executionId>`: Kestra's layout, so everything an execution
 * stored can be found (and purged) under one prefix. */
export function executionStoragePrefix(namespace: string, flowId: string, executionId: string): string {
  const namespacePath = namespace.split('.').map(sanitizeSegment).join('/');
  return `${namespacePath}/${sanitizeSegment(flowId)}/executions/${sanitizeSegment(executionId)}`;
}

/** `…/executions/<executionId>/tasks/<taskId>/<taskRunId>/<fileName>`. */
export function taskRunStoragePath(
  namespace: string,
  flowId: string,
  executionId: string,
  taskId: string,
  taskRunId: string,
  fileName: string,
): string {
  return [
    executionStoragePrefix(namespace, flowId, executionId),
    'tasks',
    sanitizeSegment(taskId),
    sanitizeSegment(taskRunId),
    sanitizeSegment(fileName),
  ].join('/');
}

/** `_namespaces/<namespace>/_files`: where a namespace's files are stored. A namespace starts with a
 * letter or a digit, so no execution's path (`<namespace as a/b>/…`) can ever begin with `_`: the two
 * trees never meet, whatever the namespaces and flow ids. */
export function namespaceFilesPrefix(namespace: string): string {
  return `_namespaces/${sanitizeSegment(namespace)}/_files`;
}
