import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { STORAGE_SCHEME } from '../../storage/paths.js';
import type { RunContext } from '../types.js';
import { findFiles } from './glob.js';

/** A path inside the working directory as the flow wrote it, checked to stay inside: relative, no `..`
 * segment, no NUL. `./` prefixes are dropped. */
export function workingDirPath(path: string, property: string): string {
  const fail = (why: string): never => {
    throw new Error(`${property}: invalid path ${JSON.stringify(path)}: ${why}`);
  };
  if (path.includes('\0')) fail('it contains a NUL byte');
  if (path.startsWith('/') || path.includes('\\')) fail('only relative paths with / separators are allowed');
  const segments = path.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) fail("'..' segments are not allowed");
  if (segments.length === 0) fail('it is empty');
  return segments.join('/');
}

/** Kestra's inputFiles: a map of file name → content, or that map as a JSON string. A content that is a
 * sluice URI is copied from internal storage (streamed), anything else is written as text. */
export async function writeInputFiles(ctx: RunContext, workDir: string, inputFiles: unknown): Promise<void> {
  for (const [name, content] of Object.entries(inputFilesMap(inputFiles))) {
    const target = join(workDir, workingDirPath(name, 'inputFiles'));
    await mkdir(dirname(target), { recursive: true });
    if (content.startsWith(STORAGE_SCHEME) && !/\s/.test(content)) {
      await pipeline(await ctx.readFile(content), createWriteStream(target));
    } else {
      await writeFile(target, content);
    }
  }
}

function inputFilesMap(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  let map = value;
  if (typeof value === 'string') {
    try {
      map = JSON.parse(value);
    } catch {
      throw new Error('inputFiles: a string value must be a JSON object of file name → content');
    }
  }
  if (typeof map !== 'object' || map === null || Array.isArray(map)) {
    throw new Error('inputFiles: must be a map of file name → content');
  }
  const files: Record<string, string> = {};
  for (const [name, content] of Object.entries(map)) {
    // Null contents are skipped, as Kestra does: a template that rendered to nothing adds no file.
    if (content === undefined || content === null) continue;
    files[name] = typeof content === 'string' ? content : JSON.stringify(content);
  }
  return files;
}

/** Stores the files matching the outputFiles globs as output files of the task run and returns
 * name → URI, names being paths relative to the working directory (Kestra's `outputFiles` output). */
export async function storeOutputFiles(
  ctx: RunContext,
  workDir: string,
  patterns: readonly string[],
  exclude: ReadonlySet<string>,
): Promise<Record<string, string>> {
  const stored: Record<string, string> = {};
  if (patterns.length === 0) return stored;
  // Storage keeps a file name as one path segment (`a/b.txt` becomes `a_b.txt`), so two names can
  // land on one URI: the second would silently replace the first, and both outputs would point at it.
  const nameOfUri = new Map<string, string>();
  for (const name of await findFiles(workDir, patterns, exclude)) {
    const uri = await ctx.putFile(name, createReadStream(join(workDir, name)));
    const clash = nameOfUri.get(uri);
    if (clash !== undefined) {
      throw new Error(
        `outputFiles: ${JSON.stringify(clash)} and ${JSON.stringify(name)} would be stored as the same ` +
          `file ${uri}; rename one of them`,
      );
    }
    nameOfUri.set(uri, name);
    stored[name] = uri;
  }
  return stored;
}
