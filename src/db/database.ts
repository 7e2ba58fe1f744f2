// The one interface the rest of Sluice sees over a PostgreSQL-dialect database. Two dialects plug in
// at start-up: `pg` against a PostgreSQL server, and PGlite (PostgreSQL in WASM) embedded. Both speak
// the same SQL, so there is one set of migrations and one set of queries.

export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export type Dialect = 'postgres' | 'pglite';

export interface Database extends Queryable {
  readonly dialect: Dialect;
  /** Runs fn in one transaction; commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Subscribes to NOTIFY on a channel; returns the unsubscribe function. */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
  /** Why the database cannot take writes now (its disk is full, it stopped after a fatal error),
   * or undefined: what /health reports. */
  problem(): string | undefined;
  /** Calls fn once the database has stopped for good in this process (the embedded one after a
   * fatal error): nothing more can be done with it, and the process should exit. */
  onStopped(fn: (error: Error) => void): void;
}
