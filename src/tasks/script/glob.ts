import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

// Node 20 has no fs.glob, and outputFiles only needs the three wildcards Kestra users write:
// `*` (within one path segment), `**` (any number of segments) and `?` (one character).
// Dotfiles match like any other name, as with Java's glob PathMatcher.

/** The regular expression a glob pattern stands for, matched against '/'-separated relative paths. */
export function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i];
    if (char === '*' && pattern[i + 1] === '*') {
      const wholeSegment =
        (i === 0 || pattern[i - 1] === '/') && (i + 2 === pattern.length || pattern[i + 2] === '/');
      if (wholeSegment && pattern[i + 2] === '/') {
        // `**/` also matches no directory at all: `**/*.csv` matches `a.csv`.
        source += '(?:.*/)?';
        i += 2;
      } else {
        source += '.*';
        i += 1;
      }
    } else if (char === '*') {
      source += '[^/]*';
    } else if (char === '?') {
      source += '[^/]';
    } else {
      source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`);
}

/** Relative paths ('/'-separated, sorted) of the regular files under dir matching any pattern.
 * Symlinked directories are not entered (a link to `/` or to a parent would never end); symlinked files
 * are matched, which reads nothing the script could not have copied itself. */
export async function findFiles(
  dir: string,
  patterns: readonly string[],
  exclude: ReadonlySet<string>,
): Promise<string[]> {
  const matchers = patterns.map(globToRegExp);
  const found: string[] = [];
  const walk = async (relDir: string): Promise<void> => {
    const entries: Dirent[] = await readdir(join(dir, relDir), { withFileTypes: true });
    for (const entry of entries) {
      const relPath = relDir === '' ? entry.name : `${relDir}/${entry.name}`;
      if (entry.isDirectory()) {
        await walk(relPath);
      } else if (
        !exclude.has(relPath) &&
        matchers.some((m) => m.test(relPath)) &&
        (await isFile(join(dir, relPath)))
      ) {
        found.push(relPath);
      }
    }
  };
  await walk('');
  return found.sort();
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
