import pg from 'pg';
import { createPostgresDatabase } from '../../src/db/postgres.js';
import { migrate } from '../../src/db/migrate.js';
import { openEphemeralDatabase } from '../../src/db/open.js';
import { adminUrl, databaseUrl, runOfDatabase, templateDatabase } from './postgres-urls.js';

/** Prepares the databases tests clone from: a migrated PGlite data directory in the cache (so no
 * test pays for initdb) and, when SLUICE_TEST_DATABASE_URL is set, a migrated template database. */
export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  // the workers inherit it: every database this run makes carries it in its name
  process.env.SLUICE_TEST_RUN = `r${process.pid.toString(16)}`;
  const pglite = await openEphemeralDatabase();
  await pglite.close();

  const url = process.env.SLUICE_TEST_DATABASE_URL;
  if (!url) return undefined;
  const admin = new pg.Client({ connectionString: adminUrl(url) });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE 'sluice\\_test\\_%'",
    );
    // what ended runs left behind; another run going on at the same time keeps its own
    for (const r of rows) {
      const run = runOfDatabase(r.datname);
      if (run !== undefined && alive(run)) continue;
      await admin.query(`DROP DATABASE IF EXISTS "${r.datname}" WITH (FORCE)`);
    }
    await admin.query(`CREATE DATABASE ${templateDatabase()}`);
  } finally {
    await admin.end();
  }
  const template = createPostgresDatabase({
    connectionString: databaseUrl(url, templateDatabase()),
    maxConnections: 1,
  });
  await migrate(template);
  await template.close();
  return async () => {
    const drop = new pg.Client({ connectionString: adminUrl(url) });
    await drop.connect();
    await drop.query(`DROP DATABASE IF EXISTS ${templateDatabase()} WITH (FORCE)`);
    await drop.end();
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
