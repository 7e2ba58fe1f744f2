// Paths of namespace files as users write them (`/queries/daily.sql`, `queries/daily.sql`): always
// inside the namespace, whatever they say. A leading `/` is the namespace's root, never the file
// system's; `..`, NUL, backslashes and control characters are refused rather than interpreted.

export class NamespacePathError extends Error {}

const MAX_PATH_LENGTH = 1024;

/** The canonical form, `/a/b.txt` (`/` for the root); throws NamespacePathError naming the path. */
export function namespaceFilePath(path: string): string {
  const fail = (why: string): never => {
    throw new NamespacePathError(`invalid namespace file path ${JSON.stringify(path.slice(0, 200))}: ${why}`);
  };
  if (typeof path !== 'string') return fail('not a text');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(path)) fail('it contains a NUL byte or a control character');
  if (path.includes('\\')) fail('only / separates directories');
  if (path.length > MAX_PATH_LENGTH) fail(`longer than ${MAX_PATH_LENGTH} characters`);
  const segments = path.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) fail("'..' segments are not allowed");
  return `/${segments.join('/')}`;
}

/** The directories above a path, nearest last: `/a/b/c` → [`/a`, `/a/b`]. */
export function parentsOf(path: string): string[] {
  const segments = path.split('/').slice(1, -1);
  return segments.map((_, i) => `/${segments.slice(0, i + 1).join('/')}`);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
