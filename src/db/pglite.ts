import { PGlite } from '@electric-sql/pglite';
import { DatabaseHealth } from './database-health.js';
import type { Database, Queryable } from './database.js';
import { DiskFullError, lowSpace } from './disk-space.js';

export interface PGliteOptions {
  /** a directory for a persistent database; absent = in memory */
  dataDir?: string;
  /** an initialised data directory (tarball from dumpDataDir) to start from instead of running initdb */
  loadDataDir?: Blob;
  /** refuse writes while the file system of dataDir has less than this many bytes free */
  minFreeBytes?: number;
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

/** Statements that cannot write: these still run on a full disk (health checks, reads of the API). */
const READ_ONLY = /^\s*(SELECT|SHOW)\b/i;
const WRITES = /\b(INSERT|UPDATE|DELETE|FOR\s+UPDATE|FOR\s+SHARE|nextval|setval|pg_advisory)/i;

/** A heartbeat is let through: a few bytes, and a process that cannot heartbeat is declared dead
 * and exits, which a disk that is full for a while must not cause. */
const HEARTBEAT = /^\s*UPDATE service_instances SET heartbeat = now\(\) WHERE id = \$1$/;

const isWrite = (sql: string) => (!READ_ONLY.test(sql) || WRITES.test(sql)) && !HEARTBEAT.test(sql);

/** PGlite is PostgreSQL in a single process, and cannot survive what a server's postmaster would
 * restart it after: a PANIC (its write-ahead log could not grow on a full disk) leaves it looping
 * inside WebAssembly on its next write, and the process deaf, SIGTERM included. So nothing is sent
 * to it after a PANIC or FATAL error (the process is told to stop, see onStopped), and writes are
 * refused before its disk gets full (minFreeBytes): refused writes are waited out by the engine
 * like a database restart, and go through again once there is space. Calls go through one lane,
 * so that calls waiting behind the one that failed are refused too instead of reaching it. */
export async function createPGliteDatabase(options: PGliteOptions = {}): Promise<PGliteDatabase> {
  const db = await PGlite.create({
    dataDir: options.dataDir,
    loadDataDir: options.loadDataDir,
    startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${SHARED_BUFFERS}`],
    ...byteaCodec,
  });
  const health = new DatabaseHealth();
  let lane: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = lane.then(fn, fn);
    lane = run.catch(() => {});
    return run;
  };
  const space = (): string | undefined =>
    options.dataDir && options.minFreeBytes ? lowSpace(options.dataDir, options.minFreeBytes) : undefined;
  /** Throws instead of sending sql when the database stopped, or when a write finds the disk low. */
  const admit = (sql: string | undefined): void => {
    health.refuseIfStopped();
    // not remembered as a full disk reported by the database: space() itself says when it is over
    const low = sql === undefined || isWrite(sql) ? space() : undefined;
    if (low) throw new DiskFullError(low);
  };
  const failed = (error: unknown): unknown => {
    const severity = (error as { severity?: unknown } | null)?.severity;
    if (severity === 'PANIC' || severity === 'FATAL') health.stop(error as Error);
    return health.saw(error);
  };
  const run = async <T>(sql: string | undefined, fn: () => Promise<T>): Promise<T> => {
    admit(sql);
    try {
      return await fn();
    } catch (error) {
      throw failed(error);
    }
  };
  const onto = (q: { query: PGlite['query']; exec: PGlite['exec'] }): Queryable => ({
    async query<R>(sql: string, params?: readonly unknown[]) {
      const result = await run(sql, () => q.query<R>(sql, params as unknown[]));
      return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
    },
    async exec(sql: string) {
      await run(undefined, () => q.exec(sql));
    },
  });
  const inside = onto(db);
  return {
    dialect: 'pglite',
    query: (sql, params) => exclusive(() => inside.query(sql, params)),
    exec: (sql) => exclusive(() => inside.exec(sql)),
    // One connection: the lane keeps every other call out until the transaction ends, which gives
    // the same isolation as a pool would. After a PANIC not even a ROLLBACK is sent.
    transaction: <T>(fn: (tx: Queryable) => Promise<T>) =>
      exclusive(async () => {
        await inside.exec('BEGIN');
        try {
          const value = await fn(inside);
          await inside.exec('COMMIT');
          return value;
        } catch (error) {
          if (!health.stopped) await db.exec('ROLLBACK').catch(() => {});
          throw error;
        }
      }),
    listen: (channel, onNotify) =>
      exclusive(async () => {
        health.refuseIfStopped();
        const unsubscribe = await db.listen(channel, onNotify);
        return () => exclusive(async () => (health.stopped ? undefined : unsubscribe()));
      }),
    // a stopped PGlite would loop on its shutdown checkpoint: it is left as it is, and its write-ahead
    // log recovers it at the next start
    close: () => exclusive(async () => (health.stopped ? undefined : db.close())),
    dump: () =>
      exclusive(async () => {
        health.refuseIfStopped();
        return (await db.dumpDataDir('none')) as Blob;
      }),
    problem: () => health.problem() ?? space(),
    onStopped: (fn) => health.onStopped(fn),
  };
}
