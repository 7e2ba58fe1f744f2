import pg from 'pg';
import { DatabaseHealth } from './database-health.js';
import type { Database, Queryable, QueryResult } from './database.js';

// bigint (COUNT, bigserial) as number: our counters stay far below 2^53 and JSON needs numbers
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number.parseInt(v, 10));

export interface PostgresOptions {
  connectionString: string;
  maxConnections?: number;
  /** schema to put first on the search_path (tests isolate themselves this way) */
  searchPath?: string;
  /** how long a full disk the server reported keeps /health at 503 (DISK_FULL_WINDOW_MS) */
  diskFullWindowMs?: number;
}

export function createPostgresDatabase(options: PostgresOptions): Database {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.maxConnections ?? 10,
    options: options.searchPath ? `-c search_path=${options.searchPath}` : undefined,
  });
  // An idle client losing its connection (server restart) must not crash the process; the pool
  // replaces it on the next checkout.
  pool.on('error', () => {});

  let listener: pg.Client | undefined;
  let closed = false;
  const handlers = new Map<string, Set<(payload: string) => void>>();

  // LISTEN lives on one dedicated connection. When the server goes away, that connection is
  // re-established with backoff and every channel listened to again; consumers poll meanwhile, so
  // nothing is lost, only woken later.
  async function listenerClient(): Promise<pg.Client> {
    if (listener) return listener;
    const client = new pg.Client({ connectionString: options.connectionString });
    const lost = () => {
      if (listener !== client) return;
      listener = undefined;
      void relisten();
    };
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', (msg) => {
      for (const handler of handlers.get(msg.channel) ?? []) handler(msg.payload ?? '');
    });
    await client.connect();
    listener = client;
    return client;
  }

  async function relisten(): Promise<void> {
    for (let delay = 250; !closed; delay = Math.min(delay * 2, 10_000)) {
      try {
        const client = await listenerClient();
        for (const channel of handlers.keys()) await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
        return;
      } catch {
        listener = undefined;
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  const named = namedStatements();
  const health = new DatabaseHealth(options.diskFullWindowMs);
  const query = async <T>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>> => {
    const result = await pool.query(named(sql, params)).catch((error: unknown) => {
      throw health.saw(error);
    });
    return { rows: result.rows as T[], rowCount: result.rowCount ?? 0 };
  };

  return {
    dialect: 'postgres',
    query,
    async exec(sql) {
      await pool.query(sql);
    },
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      // The pool stops listening for errors on a client it has handed out. When the server cuts the
      // session (a restart, pg_terminate_backend) between two of our queries, the client reports it
      // as an 'error' event, which unheard would crash the process; the next query fails anyway, so
      // it is only remembered here, and the broken client is discarded rather than pooled again.
      let lost: Error | undefined;
      const onError = (error: Error) => {
        lost = error;
      };
      client.on('error', onError);
      const release = () => {
        client.off('error', onError);
        client.release(lost);
      };
      const tx: Queryable = {
        async query<R>(sql: string, params?: readonly unknown[]) {
          const result = await client.query(named(sql, params)).catch((error: unknown) => {
            throw health.saw(error);
          });
          return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
        },
        async exec(sql: string) {
          await client.query(sql);
        },
      };
      try {
        await client.query('BEGIN');
        const value = await fn(tx);
        await client.query('COMMIT');
        release();
        return value;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        release();
        throw health.saw(error);
      }
    },
    async listen(channel, onNotify) {
      let set = handlers.get(channel);
      if (!set) {
        set = new Set();
        handlers.set(channel, set);
        await (await listenerClient()).query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      }
      set.add(onNotify);
      return async () => {
        set.delete(onNotify);
      };
    },
    problem: () => health.problem(),
    // a PostgreSQL server recovers by itself: this process never gives up on it
    onStopped: (fn) => health.onStopped(fn),
    async close() {
      closed = true;
      const client = listener;
      listener = undefined;
      await client?.end().catch(() => {});
      await pool.end();
    },
  };
}

/** Most texts are sent often (the engine sends the same dozen for every execution), and
 * PostgreSQL parsing and planning one costs more CPU than running it: a parameterised text is sent
 * as a named statement, which each connection prepares once. The first 500 distinct texts only, so
 * that SQL built at run time can never fill a session with prepared statements. */
const MAX_NAMED_STATEMENTS = 500;

function namedStatements(): (sql: string, params?: readonly unknown[]) => pg.QueryConfig {
  const names = new Map<string, string>();
  return (sql, params) => {
    const values = params as unknown[] | undefined;
    if (!values || values.length === 0) return { text: sql, values };
    let name = names.get(sql);
    if (name === undefined && names.size < MAX_NAMED_STATEMENTS) {
      name = `sluice_${names.size + 1}`;
      names.set(sql, name);
    }
    return { name, text: sql, values };
  };
}
