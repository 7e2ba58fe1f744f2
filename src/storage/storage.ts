import type { Readable } from 'node:stream';

/** A slice of a file: `length` bytes from `offset` (to the end when absent). A slice reaching past
 * the end is cut there; one starting at or past the end is empty. */
export interface ByteRange {
  offset: number;
  length?: number;
}

/** Internal storage: files produced and read by tasks, addressed by `sluice:///…` URIs. The URI path
 * mirrors the owner: `sluice:///{namespace as a/b/c}/{flowId}/executions/{executionId}/…`.
 *
 * Every backend behaves alike (test/integration/storage/contract.test.ts holds them to it): a file
 * becomes visible only once complete, a second put of a path replaces the first whole, content is
 * streamed both ways and never held whole in memory, and nothing is ever reached through a local
 * path, so that a file one machine stored is read the same way on another. */
export interface Storage {
  /** Stores the content under the given path (relative, '/'-separated) and returns its URI. */
  put(path: string, content: Readable | Buffer | string): Promise<string>;
  /** Opens a stored file, or the given slice of it; rejects with a clear error if the URI is not a
   * sluice URI, climbs out of the root, or does not exist. */
  get(uri: string, range?: ByteRange): Promise<Readable>;
  exists(uri: string): Promise<boolean>;
  /** Deletes every file under a URI prefix (retention, execution deletion): the file of that very
   * path and everything below it as a directory, never a sibling that only shares the leading
   * characters (`a/b` leaves `a/bc` alone). Returns how many files went. */
  deletePrefix(uri: string): Promise<number>;
  /** Finishes what a crashed process left behind (half-written files, interrupted deletions);
   * run by the cron with retention. Returns how many leftovers went. */
  sweep?(): Promise<number>;
}

/** Checks a range given by a caller: whole non-negative numbers only. */
export function checkRange(range: ByteRange | undefined): void {
  if (range === undefined) return;
  const whole = (n: number) => Number.isSafeInteger(n) && n >= 0;
  if (!whole(range.offset) || (range.length !== undefined && !whole(range.length))) {
    throw new Error(`invalid byte range ${JSON.stringify(range)}: offset and length are whole numbers ≥ 0`);
  }
}
