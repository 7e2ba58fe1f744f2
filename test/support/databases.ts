import pg from 'pg';
import type { Database } from '../../src/db/database.js';
import { openEphemeralDatabase } from '../../src/db/open.js';
import { createPostgresDatabase } from '../../src/db/postgres.js';
import { adminUrl, databaseUrl, templateDatabase, testDatabaseName } from './postgres-urls.js';

export interface TestDialect {
  name: 'pglite' | 'postgres';
  /** A fresh, migrated database of its own; close it with the returned dispose. `url` is how other
   * processes reach it (PostgreSQL only: PGlite lives inside this process). */
  open(): Promise<{ db: Database; dispose: () => Promise<void>; url?: string }>;
}

const pglite: TestDialect = {
  name: 'pglite',
  async open() {
    const db = await openEphemeralDatabase();
    return { db, dispose: () => db.close() };
  },
};

function postgres(url: string): TestDialect {
  return {
    name: 'postgres',
    async open() {
      // graphile-worker's way: each test file clones a migrated template, so files never share state
      const name = testDatabaseName();
      const admin = new pg.Client({ connectionString: adminUrl(url) });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name} TEMPLATE ${templateDatabase()}`);
      await admin.end();
      const db = createPostgresDatabase({ connectionString: databaseUrl(url, name) });
      return {
        db,
        url: databaseUrl(url, name),
        async dispose() {
          await db.close();
          const drop = new pg.Client({ connectionString: adminUrl(url) });
          await drop.connect();
          await drop.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
          await drop.end();
        },
      };
    },
  };
}

/** PGlite always; PostgreSQL too when SLUICE_TEST_DATABASE_URL is set. */
export function testDialects(): TestDialect[] {
  const url = process.env.SLUICE_TEST_DATABASE_URL;
  return url ? [pglite, postgres(url)] : [pglite];
}
