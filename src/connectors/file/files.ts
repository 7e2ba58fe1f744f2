// The local files a source-file `url` names: one path, or a glob over many. Node 20 has no glob of its
// own; this one knows `*` and `?` (never across `/`, never matching a leading dot), `[…]` classes and
// `**` for any number of directories.
import { type Dirent, type Stats } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, ConnectorError } from '../../cdk/errors.js';

export interface MatchedFile {
  path: string;
  /** last modification, ISO-8601 with milliseconds */
  modifiedAt: string;
  size: number;
}

const GLOB_CHARS = /[*?[]/;

function resolveUrl(url: string): string {
  if (url.startsWith('file://')) return fileURLToPath(url);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    throw new ConfigError(`config.url: ${url} is not a local path (provider.storage is local)`);
  }
  return path.resolve(url);
}

function segmentPattern(segment: string): RegExp {
  let source = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i];
    if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else if (c === '[') {
      const close = segment.indexOf(']', i + 2);
      if (close === -1) {
        source += '\\[';
        continue;
      }
      const body = segment
        .slice(i + 1, close)
        .replace(/^!/, '^')
        .replace(/\\/g, '\\\\');
      source += `[${body}]`;
      i = close;
    } else source += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  // as in a shell, a wildcard never matches a leading dot: hidden and temporary files stay out
  const hidden = segment.startsWith('.') ? '' : '(?!\\.)';
  return new RegExp(`^${hidden}${source}$`);
}

/** An I/O failure on a file, as a config_error when the path is the configuration's to fix. */
export function fileReadError(file: string, error: unknown): ConnectorError {
  const code = (error as NodeJS.ErrnoException).code;
  const reason = (error as Error).message;
  if (code === 'ENOENT' || code === 'EACCES' || code === 'EPERM' || code === 'ENOTDIR' || code === 'EISDIR') {
    return new ConfigError(`${file}: cannot read: ${reason}`, { cause: error });
  }
  return new ConnectorError('system_error', `${file}: cannot read: ${reason}`, { cause: error });
}

async function entries(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw fileReadError(dir, error);
  }
}

async function expand(dir: string, segments: readonly string[]): Promise<string[]> {
  if (segments.length === 0) return [dir];
  const [segment, ...rest] = segments;
  if (segment === '**') {
    const here = await expand(dir, rest);
    const below = await Promise.all(
      (await entries(dir))
        .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
        .map((e) => expand(path.join(dir, e.name), segments)),
    );
    return [...here, ...below.flat()];
  }
  if (!GLOB_CHARS.test(segment)) return expand(path.join(dir, segment), rest);
  const pattern = segmentPattern(segment);
  const matches = (await entries(dir)).filter((e) => pattern.test(e.name));
  const found = await Promise.all(matches.map((e) => expand(path.join(dir, e.name), rest)));
  return found.flat();
}

async function statFile(file: string): Promise<Stats | undefined> {
  try {
    return await stat(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fileReadError(file, error);
  }
}

/** The regular files the url names, oldest first (then by path), so an incremental read's history
 * grows in the order the files appeared. Fails when there is none: a url that matches nothing is
 * almost always a typo. */
export async function matchFiles(url: string): Promise<MatchedFile[]> {
  const absolute = resolveUrl(url);
  const { root } = path.parse(absolute);
  const segments = absolute.slice(root.length).split(path.sep).filter(Boolean);
  const candidates = GLOB_CHARS.test(absolute) ? await expand(root, segments) : [absolute];
  const files: MatchedFile[] = [];
  for (const candidate of new Set(candidates)) {
    const stats = await statFile(candidate);
    if (stats?.isFile()) {
      files.push({ path: candidate, modifiedAt: stats.mtime.toISOString(), size: stats.size });
    } else if (stats && candidate === absolute) {
      throw new ConfigError(`config.url: ${absolute} is not a file`);
    }
  }
  if (files.length === 0) throw new ConfigError(`config.url: no file matches ${url}`);
  return files.sort((a, b) =>
    a.modifiedAt === b.modifiedAt ? (a.path < b.path ? -1 : 1) : a.modifiedAt < b.modifiedAt ? -1 : 1,
  );
}
