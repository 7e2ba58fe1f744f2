import { existsSync, statfsSync } from 'node:fs';
import path from 'node:path';

/** The free space the embedded database needs in its directory: its write-ahead log grows by
 * 16 MiB segments, and recovery after a crash writes new ones before anything else can happen.
 * Below this Sluice does not start on it, and it takes no writes (docs/engine.md, Full disk). */
export const MIN_FREE_BYTES = 64 * 1024 * 1024;

/** Bytes free for an unprivileged writer on the file system holding dir (or its nearest existing
 * parent, for a directory still to be made). */
export function freeBytes(dir: string): number {
  let existing = path.resolve(dir);
  while (!existsSync(existing) && path.dirname(existing) !== existing) existing = path.dirname(existing);
  const stats = statfsSync(existing);
  return stats.bavail * stats.bsize;
}

export function mebibytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** Why dir has too little free space, with the numbers, or undefined when it has enough. */
export function lowSpace(dir: string, minFree = MIN_FREE_BYTES): string | undefined {
  const free = freeBytes(dir);
  if (free >= minFree) return undefined;
  return `no space left for the embedded database in ${dir}: ${mebibytes(free)} free, it needs at least ${mebibytes(minFree)}`;
}

/** An error the way PostgreSQL reports a full disk (SQLSTATE 53100), so that every caller treats
 * it as a database that cannot work right now. */
export class DiskFullError extends Error {
  readonly code = '53100';
}
