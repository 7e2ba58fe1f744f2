import { PassThrough } from 'node:stream';
import { buffer, text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Database } from '../../../src/db/database.js';
import { createRetentionBackend } from '../../../src/db/retention-store.js';
import { purgeExpired } from '../../../src/engine/retention.js';
import { PostgresStorage } from '../../../src/storage/postgres-storage.js';
import { testDialects } from '../../support/databases.js';
import { until } from '../../support/until.js';

// What only the database backend has to get right: versions hidden until complete, leftovers of a
// crashed writer or deleter, and chunks that go with the versions they belong to.

const CHUNK = 16;

describe.each(testDialects())('PostgreSQL storage on $name', (dialect) => {
  let db: Database;
  let dispose: () => Promise<void>;
  let storage: PostgresStorage;
  beforeAll(async () => {
    ({ db, dispose } = await dialect.open());
    storage = new PostgresStorage(db, { chunkSize: CHUNK });
  });
  afterAll(async () => dispose?.());

  const count = async (sql: string, params: unknown[] = []) =>
    (await db.query<{ n: number }>(`SELECT count(*)::int AS n ${sql}`, params)).rows[0].n;
  const chunksOf = (path: string) =>
    count('FROM storage_chunks c JOIN storage_files f ON f.id = c.file_id WHERE f.path = $1', [path]);
  const versionsOf = (path: string) => count('FROM storage_files WHERE path = $1', [path]);
  const idOf = async (path: string) =>
    (await db.query<{ id: number }>('SELECT id FROM storage_files WHERE path = $1', [path])).rows[0].id;
  const chunksOfId = (id: number) => count('FROM storage_chunks WHERE file_id = $1', [id]);

  /** A put whose content the test feeds by hand, once its first chunks are in the database. */
  async function putInProgress(path: string) {
    const source = new PassThrough();
    const done = storage.put(path, source);
    done.catch(() => undefined);
    source.write(Buffer.alloc(CHUNK * 3, 'x'));
    await until('the first chunks to be stored', async () => (await chunksOf(path)) >= 2);
    return { source, done };
  }

  test('a file being written is invisible until its last chunk is in', async () => {
    const { source, done } = await putInProgress('hidden/f.bin');
    expect(await storage.exists('sluice:///hidden/f.bin')).toBe(false);
    await expect(storage.get('sluice:///hidden/f.bin')).rejects.toThrow('file not found');
    source.end('end');
    await done;
    expect((await buffer(await storage.get('sluice:///hidden/f.bin'))).length).toBe(CHUNK * 3 + 3);
  });

  test('a write abandoned by a dead writer is swept with its chunks, and the writer cannot finish it', async () => {
    const { source, done } = await putInProgress('abandoned/f.bin');
    // as if its writer had stopped two hours ago
    await db.query(`UPDATE storage_files SET updated = now() - interval '2 hours' WHERE path = $1`, [
      'abandoned/f.bin',
    ]);
    expect(await storage.sweep()).toBe(1);
    expect(await versionsOf('abandoned/f.bin')).toBe(0);
    source.end(Buffer.alloc(CHUNK * 2, 'y'));
    await expect(done).rejects.toThrow('the write was abandoned');
    expect(await storage.exists('sluice:///abandoned/f.bin')).toBe(false);
  });

  test('the sweep leaves complete files and live writers alone', async () => {
    await storage.put('alive/done.txt', 'done');
    const { source, done } = await putInProgress('alive/writing.bin');
    expect(await storage.sweep()).toBe(0);
    source.end();
    await done;
    expect(await text(await storage.get('sluice:///alive/done.txt'))).toBe('done');
    expect(await storage.exists('sluice:///alive/writing.bin')).toBe(true);
  });

  test("a deletion cut short is finished by the cron's retention pass", async () => {
    await storage.put('cut/f.bin', Buffer.alloc(CHUNK * 5, 'z'));
    const id = await idOf('cut/f.bin');
    // a deleter that marked the version and died before its chunks went
    await db.query(
      `UPDATE storage_files SET state = 'deleting', updated = now() - interval '1 hour' WHERE path = $1`,
      ['cut/f.bin'],
    );
    expect(await storage.exists('sluice:///cut/f.bin')).toBe(false);
    const purged = await purgeExpired(createRetentionBackend(db), storage, {});
    expect(purged.files).toBe(1);
    expect(await versionsOf('cut/f.bin')).toBe(0);
    expect(await chunksOfId(id)).toBe(0);
  });

  test('a replaced version leaves no chunks behind', async () => {
    await storage.put('replaced/f.bin', Buffer.alloc(CHUNK * 4, 'a'));
    await storage.put('replaced/f.bin', Buffer.alloc(CHUNK + 1, 'b'));
    expect(await versionsOf('replaced/f.bin')).toBe(1);
    expect(await chunksOf('replaced/f.bin')).toBe(2);
  });

  test('a file of many delete batches goes whole', async () => {
    // 200 chunks: several batches of 64
    await storage.put('many/f.bin', Buffer.alloc(CHUNK * 200, 'm'));
    const id = await idOf('many/f.bin');
    expect(await storage.deletePrefix('sluice:///many')).toBe(1);
    expect(await versionsOf('many/f.bin')).toBe(0);
    expect(await chunksOfId(id)).toBe(0);
  });

  test('a read of a version replaced meanwhile fails, saying so', async () => {
    await storage.put('moving/f.bin', Buffer.alloc(CHUNK * 4, 'o'));
    const reading = await storage.get('sluice:///moving/f.bin');
    const received: Buffer[] = [];
    const failed = new Promise<Error>((resolve) => {
      reading.on('error', resolve);
      reading.on('data', (piece: Buffer) => received.push(piece));
      reading.pause();
    });
    await storage.put('moving/f.bin', 'new');
    reading.resume();
    expect((await failed).message).toBe('sluice:///moving/f.bin was replaced or deleted while it was read');
  });

  test('a file keeps the chunk size it was written with', async () => {
    const content = Buffer.from(Array.from({ length: CHUNK * 3 + 5 }, (_, i) => i));
    const uri = await storage.put('sized/f.bin', content);
    const other = new PostgresStorage(db);
    expect(
      (await buffer(await other.get(uri, { offset: CHUNK + 2, length: CHUNK }))).equals(
        content.subarray(CHUNK + 2, CHUNK * 2 + 2),
      ),
    ).toBe(true);
  });
});
