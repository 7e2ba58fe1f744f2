import pg from 'pg';
import { createPostgresDatabase } from '../../src/db/postgres.js';
import { migrate } from '../../src/db/migrate.js';
import { openEphemeralDatabase } from '../../src/db/open.js';
import { TEMPLATE_DATABASE, adminUrl, databaseUrl } from './postgres-urls.js';

/** Prepares the databases tests clone from: a migrated PGlite data directory in the cache (so no
 * test pays for initdb) and, when SLUICE_TEST_DATABASE_URL is set, a migrated template database. */
export default async function setup(): Promise<void> {
  const pglite = await openEphemeralDatabase();
  await pglite.close();

  const url = process.env.SLUICE_TEST_DATABASE_URL;
  if (!url) return;
  const admin = new pg.Client({ connectionString: adminUrl(url) });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE 'sluice\\_test\\_%'",
    );
    for (const r of rows) await admin.query(`DROP DATABASE IF EXISTS "${r.datname}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${TEMPLATE_DATABASE}`);
  } finally {
    await admin.end();
  }
  const template = createPostgresDatabase({
    connectionString: databaseUrl(url, TEMPLATE_DATABASE),
    maxConnections: 1,
  });
  await migrate(template);
  await template.close();
}
