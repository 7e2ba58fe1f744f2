// Where destination-file puts a stream's files:
//   <destination_path>/[<namespace>/]<stream>/<sync start, UTC>_<n>.<jsonl|csv|parquet>
// e.g. exports/public/users/20260121T103000123Z_0.jsonl. Names sort in the order syncs started, so a
// glob such as exports/public/users/*.jsonl reads them oldest first. A file being written is hidden
// (`.<name>.tmp`) until it is complete, and never matched by a glob's `*`.
import { closeSync, existsSync, fsyncSync, openSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../../cdk/errors.js';
import type { StreamDescriptor } from '../../protocol/messages.js';
import type { FileFormatType } from './destination-spec.js';

export const EXTENSIONS: Record<FileFormatType, string> = { JSONL: 'jsonl', CSV: 'csv', Parquet: 'parquet' };

/** The files a sync of destination-file writes, and nothing else, whatever else lies in the folder. */
const OWN_FILE = /^\d{8}T\d{9}Z_\d+\.(?:jsonl|csv|parquet)$/;

/** A stream or namespace name as one folder name: no separators, no `.` or `..`, reversible. */
function folderName(name: string, what: string): string {
  if (name === '') throw new ConfigError(`an empty ${what} name cannot name a folder`);
  return name === '.' || name === '..' ? name.replaceAll('.', '%2E') : encodeURIComponent(name);
}

export function streamFolder(root: string, { name, namespace }: StreamDescriptor): string {
  const parts = namespace ? [folderName(namespace, 'namespace')] : [];
  return path.join(root, ...parts, folderName(name, 'stream'));
}

/** `20260121T103000123Z`: the sync's start, sortable as text. */
export function syncStamp(date: Date): string {
  return date.toISOString().replace(/[-:.]/g, '');
}

export function ownFiles(folder: string): string[] {
  try {
    return readdirSync(folder).filter((name) => OWN_FILE.test(name));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

export interface NewFile {
  final: string;
  temp: string;
  fd: number;
}

/**
 * Creates the next file of this sync in the folder: `<stamp>_<n>` with the first n whose final and
 * temporary names are both free, opened exclusively so two writers never share one. `hidden` opens
 * the temporary name (renamed when complete), otherwise the final one.
 */
export function createFile(folder: string, stamp: string, extension: string, hidden: boolean): NewFile {
  for (let n = 0; ; n++) {
    const name = `${stamp}_${n}.${extension}`;
    const final = path.join(folder, name);
    const temp = path.join(folder, `.${name}.tmp`);
    try {
      if (existsSync(hidden ? final : temp)) continue;
      const fd = openSync(hidden ? temp : final, 'wx');
      return { final, temp, fd };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

/** Makes renames and deletions in the folder durable, as fsync does for a file's bytes. */
export function syncFolder(folder: string): void {
  const fd = openSync(folder, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
