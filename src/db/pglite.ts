import { PGlite } from '@electric-sql/pglite';
import type { Database, Queryable } from './database.js';

export interface PGliteOptions {
  /** a directory for a persistent database; absent = in memory */
  dataDir?: string;
  /** an initialised data directory (tarball from dumpDataDir) to start from instead of running initdb */
  loadDataDir?: Blob;
}

export interface PGliteDatabase extends Database {
  /** the data directory as an uncompressed tarball, to start later instances without initdb */
  dump(): Promise<Blob>;
}

/** PostgreSQL's default of 128 MB of shared buffers is held in PGlite's WebAssembly memory, inside our
 * own process, on top of the OS page cache that already holds its files: a `flow run` peaked at 270 MB
 * with it, 150 MB with 16 MB. The platform's own tables are small and hot; a larger database belongs
 * on PostgreSQL (SLUICE_DATABASE_URL). */
const SHARED_BUFFERS = '16MB';

/** PGlite converts bytea to and from hex text one byte at a time through JavaScript strings (about
 * 1 MB/s, which the files of internal storage would crawl at); Buffer's hex codec is native. */
const BYTEA = 17;
const byteaCodec = {
  parsers: { [BYTEA]: (hex: string) => Buffer.from(hex.slice(2), 'hex') },
  serializers: {
    [BYTEA]: (bytes: Uint8Array) =>
      `\\x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`,
  },
};

export async function createPGliteDatabase(options: PGliteOptions = {}): Promise<PGliteDatabase> {
  const db = await PGlite.create({
    dataDir: options.dataDir,
    loadDataDir: options.loadDataDir,
    startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${SHARED_BUFFERS}`],
    ...byteaCodec,
  });
  return {
    dialect: 'pglite',
    async query<T>(sql: string, params?: readonly unknown[]) {
      const result = await db.query<T>(sql, params as unknown[]);
      return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
    },
    async exec(sql) {
      await db.exec(sql);
    },
    // PGlite has one connection: its transaction() queues every other query behind the open
    // transaction, which gives the same isolation as a pool would.
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      return db.transaction(async (t) =>
        fn({
          async query<R>(sql: string, params?: readonly unknown[]) {
            const result = await t.query<R>(sql, params as unknown[]);
            return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
          },
          async exec(sql: string) {
            await t.exec(sql);
          },
        }),
      );
    },
    async listen(channel, onNotify) {
      const unsubscribe = await db.listen(channel, onNotify);
      return unsubscribe;
    },
    async close() {
      await db.close();
    },
    async dump() {
      return (await db.dumpDataDir('none')) as Blob;
    },
  };
}
