import { Readable } from 'node:stream';
import type { Database } from '../db/database.js';
import { fixedChunks } from './chunks.js';
import { pathOfUri, storagePathOf, uriOfPath } from './paths.js';
import { type ByteRange, checkRange, type Storage } from './storage.js';

// Files in the database (migrations/0010_storage.sql): each put writes a new hidden version chunk by
// chunk, each statement its own short transaction, and a final transaction makes it the visible one.

export const DEFAULT_CHUNK_SIZE = 1024 * 1024;
/** Chunks deleted per statement: a large file goes in many short transactions, not one long one. */
const DELETE_BATCH = 64;

export interface PostgresStorageOptions {
  /** bytes per chunk of the files this process writes (files keep the size they were written with) */
  chunkSize?: number;
  /** a 'writing' version untouched this long belongs to a writer that died (default an hour) */
  abandonedAfterMs?: number;
  /** a 'deleting' version untouched this long belongs to a deleter that died (default ten minutes) */
  interruptedAfterMs?: number;
}

interface StoredFile {
  id: number;
  size: number;
  chunk_size: number;
}

export class PostgresStorage implements Storage {
  private readonly chunkSize: number;
  private readonly abandonedAfterMs: number;
  private readonly interruptedAfterMs: number;

  constructor(
    private readonly db: Database,
    options: PostgresStorageOptions = {},
  ) {
    this.chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
    this.abandonedAfterMs = options.abandonedAfterMs ?? 3600_000;
    this.interruptedAfterMs = options.interruptedAfterMs ?? 600_000;
  }

  async put(path: string, content: Readable | Buffer | string): Promise<string> {
    const relPath = storagePathOf(path);
    const { rows } = await this.db.query<{ id: number }>(
      `INSERT INTO storage_files (path, state, chunk_size) VALUES ($1, 'writing', $2) RETURNING id`,
      [relPath, this.chunkSize],
    );
    const id = rows[0].id;
    let replaced: number[];
    try {
      const size = await this.writeChunks(id, content);
      replaced = await this.publish(id, relPath, size);
    } catch (error) {
      await this.purge(id).catch(() => undefined);
      throw error;
    }
    // the new version is visible: the old one's chunks can go at leisure (the sweep retries a failure)
    for (const old of replaced) await this.purge(old).catch(() => undefined);
    return uriOfPath(relPath);
  }

  /** Inserts the content's chunks in order, one insert in flight while the next chunk is read. */
  private async writeChunks(id: number, content: Readable | Buffer | string): Promise<number> {
    const source = typeof content === 'string' || Buffer.isBuffer(content) ? [content] : content;
    let size = 0;
    let index = 0;
    let inFlight: Promise<void> | undefined;
    try {
      for await (const chunk of fixedChunks(source, this.chunkSize)) {
        await inFlight;
        inFlight = this.insertChunk(id, index++, chunk);
        // awaited on the next turn; until then a failure must not count as unhandled
        inFlight.catch(() => undefined);
        size += chunk.length;
      }
    } catch (error) {
      // the caller cleans up next: no insert may land after it
      await inFlight?.catch(() => undefined);
      throw error;
    }
    await inFlight;
    return size;
  }

  private async insertChunk(id: number, index: number, data: Buffer): Promise<void> {
    const { rows } = await this.db.transaction(async (tx) => {
      // A chunk needs no flush to disk of its own (a fifth of the write time): the commit that
      // publishes the version flushes the log up to itself, chunks included, and a version never
      // published is swept anyway.
      await tx.query('SET LOCAL synchronous_commit = off');
      // Touching the row proves the writer alive; a version the sweep has taken over takes no chunk.
      return tx.query(
        `WITH alive AS (
           UPDATE storage_files SET updated = now() WHERE id = $1 AND state = 'writing' RETURNING id)
         INSERT INTO storage_chunks (file_id, chunk_index, data) SELECT id, $2, $3 FROM alive
         RETURNING chunk_index`,
        [id, index, data],
      );
    });
    if (rows.length === 0) throw new Error('the write was abandoned: it made no progress for too long');
  }

  /** Makes the version the visible one and returns the versions it replaced. Writers of one path
   * take turns here, so the last to finish wins, as a rename would. */
  private async publish(id: number, path: string, size: number): Promise<number[]> {
    return this.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`storage:${path}`]);
      const { rows: replaced } = await tx.query<{ id: number }>(
        `UPDATE storage_files SET state = 'deleting', updated = now()
          WHERE path = $1 AND state = 'ready' RETURNING id`,
        [path],
      );
      const { rows } = await tx.query(
        `UPDATE storage_files SET state = 'ready', size = $2, updated = now()
          WHERE id = $1 AND state = 'writing' RETURNING id`,
        [id, size],
      );
      if (rows.length === 0) throw new Error('the write was abandoned: it made no progress for too long');
      return replaced.map((r) => r.id);
    });
  }

  async get(uri: string, range?: ByteRange): Promise<Readable> {
    checkRange(range);
    const { rows } = await this.db.query<StoredFile>(
      `SELECT id, size, chunk_size FROM storage_files WHERE path = $1 AND state = 'ready'`,
      [pathOfUri(uri)],
    );
    if (rows.length === 0) throw new Error(`file not found: ${uri}`);
    const file = rows[0];
    const start = Math.min(range?.offset ?? 0, file.size);
    const end = range?.length === undefined ? file.size : Math.min(file.size, start + range.length);
    // Not object mode: the stream then buffers one chunk ahead, not sixteen.
    return Readable.from(this.readChunks(file, start, end, uri), { objectMode: false });
  }

  /** Bytes start..end of the file, one chunk per query, so that a slow reader holds no connection. */
  private async *readChunks(file: StoredFile, start: number, end: number, uri: string) {
    const size = file.chunk_size;
    for (let index = Math.floor(start / size); index * size < end; index++) {
      const { rows } = await this.db.query<{ data: Uint8Array }>(
        'SELECT data FROM storage_chunks WHERE file_id = $1 AND chunk_index = $2',
        [file.id, index],
      );
      // A put or a deletion of the path since the read began has taken this version away.
      if (rows.length === 0) throw new Error(`${uri} was replaced or deleted while it was read`);
      const data = rows[0].data;
      const chunk = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      const from = Math.max(0, start - index * size);
      const to = Math.min(chunk.length, end - index * size);
      yield chunk.subarray(from, to);
    }
  }

  async exists(uri: string): Promise<boolean> {
    const { rows } = await this.db.query(`SELECT 1 FROM storage_files WHERE path = $1 AND state = 'ready'`, [
      pathOfUri(uri),
    ]);
    return rows.length > 0;
  }

  async deletePrefix(uri: string): Promise<number> {
    const path = pathOfUri(uri);
    // '0' is the character after '/': the range holds exactly the paths below `path/`.
    const { rows } = await this.db.query<{ id: number }>(
      `UPDATE storage_files SET state = 'deleting', updated = now()
        WHERE state = 'ready' AND (path = $1 OR (path >= $2 AND path < $3)) RETURNING id`,
      [path, `${path}/`, `${path}0`],
    );
    for (const { id } of rows) await this.purge(id);
    return rows.length;
  }

  async sweep(): Promise<number> {
    const { rows } = await this.db.query<{ id: number }>(
      `UPDATE storage_files SET state = 'deleting', updated = now()
        WHERE (state = 'writing' AND updated < now() - $1::double precision * interval '1 millisecond')
           OR (state = 'deleting' AND updated < now() - $2::double precision * interval '1 millisecond')
        RETURNING id`,
      [this.abandonedAfterMs, this.interruptedAfterMs],
    );
    for (const { id } of rows) await this.purge(id);
    return rows.length;
  }

  /** Removes a version that no reader can find any more: its chunks a batch at a time, then its row. */
  private async purge(id: number): Promise<void> {
    for (;;) {
      const { rowCount } = await this.db.query(
        `DELETE FROM storage_chunks WHERE file_id = $1 AND chunk_index IN (
           SELECT chunk_index FROM storage_chunks WHERE file_id = $1 ORDER BY chunk_index LIMIT $2)`,
        [id, DELETE_BATCH],
      );
      if (rowCount === 0) break;
    }
    await this.db.query('DELETE FROM storage_files WHERE id = $1', [id]);
  }
}
