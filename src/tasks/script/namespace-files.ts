import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { RunContext } from '../types.js';
import { globToRegExp } from './glob.js';
import { booleanProp, type Props, stringList } from './props.js';
import { workingDirPath } from './working-dir.js';

/** Globs over namespace file paths, written with or without the leading `/` of Kestra's examples. */
export function pathMatchers(patterns: readonly string[]): RegExp[] {
  return patterns.map((p) => globToRegExp(p.replace(/^\/+/, '')));
}

/** Kestra's `namespaceFiles: {enabled, include, exclude}`: copies the flow namespace's files (those
 * matching an `include` glob, when there are any, and no `exclude` glob) into the working directory,
 * at their paths. A block without `enabled` is enabled, as in Kestra. Files are written before any
 * other (the working directory is new, so nothing there can redirect a write), and never over one. */
export async function copyNamespaceFiles(
  ctx: RunContext,
  workDir: string,
  setting: unknown,
): Promise<number> {
  if (setting === undefined || setting === null) return 0;
  if (typeof setting !== 'object' || Array.isArray(setting)) {
    throw new Error('namespaceFiles: must be a map of enabled, include and exclude');
  }
  const props = setting as Props;
  if (!booleanProp(props, 'enabled', true)) return 0;
  const store = ctx.namespaces?.files;
  if (!store)
    throw new Error('namespaceFiles: namespace files are not available here: this worker has no database');
  const include = pathMatchers(stringList(props, 'include'));
  const exclude = pathMatchers(stringList(props, 'exclude'));
  const namespace = ctx.execution.namespace;
  let copied = 0;
  for (const { path } of await store.files(namespace)) {
    const relative = path.slice(1);
    if (include.length > 0 && !include.some((m) => m.test(relative))) continue;
    if (exclude.some((m) => m.test(relative))) continue;
    const target = join(workDir, workingDirPath(relative, 'namespaceFiles'));
    await mkdir(dirname(target), { recursive: true });
    await pipeline(await store.read(namespace, path), createWriteStream(target, { flags: 'wx' }));
    copied++;
  }
  return copied;
}
