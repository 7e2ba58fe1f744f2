import { randomBytes } from 'node:crypto';

/** The test run's id (the vitest main process, set by global-setup.ts): databases are named after
 * it, so that a run cleans up only what runs that have ended left behind, never a live run's. */
export function testRunId(): string {
  return process.env.SLUICE_TEST_RUN ?? `r${process.pid.toString(16)}`;
}

/** The migrated database test files clone, one per run. */
export function templateDatabase(): string {
  return `sluice_test_${testRunId()}_template`;
}

/** A fresh database name for one test file; `kind` says what it is for, for whoever reads pg_database. */
export function testDatabaseName(kind = 'db'): string {
  return `sluice_test_${testRunId()}_${kind}_${randomBytes(5).toString('hex')}`;
}

/** The run a test database belongs to, by its name; undefined for names of no run. */
export function runOfDatabase(name: string): number | undefined {
  const match = /^sluice_test_r([0-9a-f]+)_/.exec(name);
  return match ? Number.parseInt(match[1], 16) : undefined;
}

/** The same server, another database. */
export function databaseUrl(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Where CREATE/DROP DATABASE run: the database the URL names. */
export function adminUrl(url: string): string {
  return url;
}
