import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Database } from './database.js';

// Migrations live at the package root, next to src/ and dist/, so both the built CLI and the tests
// (which run the TypeScript sources) find them at ../../migrations.
const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));
// Any fixed number works; it only has to be the same for every Sluice process on one database.
const MIGRATION_LOCK_KEY = 7_305_412_001;

export interface Migration {
  id: number;
  name: string;
  sql: string;
}

export async function loadMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f)).sort();
  return Promise.all(
    files.map(async (file) => ({
      id: Number.parseInt(file.slice(0, 4), 10),
      name: file.slice(5, -4),
      sql: await readFile(dir + file, 'utf8'),
    })),
  );
}

/** Applies pending migrations in one transaction under an advisory lock, so that several processes
 * starting at once against one database apply each migration exactly once. Returns what it applied. */
export async function migrate(db: Database, migrations?: Migration[]): Promise<Migration[]> {
  const all = migrations ?? (await loadMigrations());
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await tx.query(
      `CREATE TABLE IF NOT EXISTS sluice_migrations (
         id integer PRIMARY KEY, name text NOT NULL, applied timestamptz NOT NULL DEFAULT now())`,
    );
    const { rows } = await tx.query<{ id: number }>('SELECT id FROM sluice_migrations');
    const done = new Set(rows.map((r) => r.id));
    const pending = all.filter((m) => !done.has(m.id));
    for (const m of pending) {
      await tx.exec(m.sql);
      await tx.query('INSERT INTO sluice_migrations (id, name) VALUES ($1, $2)', [m.id, m.name]);
    }
    return pending;
  });
}
