import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';

/** The regular files under a folder, with their '/'-separated relative paths, sorted. Symbolic links
 * are never followed, to a file or a folder: they are listed as skipped, so an upload holds exactly
 * what lies inside the folder. */
export async function localFiles(
  folder: string,
): Promise<{ files: Array<{ relative: string; absolute: string }>; skipped: string[] }> {
  const root = path.resolve(folder);
  if (!(await lstat(root)).isDirectory()) throw new Error(`${folder} is not a folder`);
  const files: Array<{ relative: string; absolute: string }> = [];
  const skipped: string[] = [];
  const walk = async (relative: string): Promise<void> => {
    for (const entry of await readdir(path.join(root, relative), { withFileTypes: true })) {
      const child = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isSymbolicLink()) skipped.push(child);
      else if (entry.isDirectory()) await walk(child);
      else if (entry.isFile()) files.push({ relative: child, absolute: path.join(root, child) });
    }
  };
  await walk('');
  files.sort((a, b) => (a.relative < b.relative ? -1 : 1));
  return { files, skipped: skipped.sort() };
}
