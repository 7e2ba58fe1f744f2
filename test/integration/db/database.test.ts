import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Database } from '../../../src/db/database.js';
import { loadMigrations, migrate } from '../../../src/db/migrate.js';
import { testDialects } from '../../support/databases.js';

function until(what: string, check: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const poll = () => {
      if (check()) resolve();
      else if (Date.now() > deadline) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(poll, 20);
    };
    poll();
  });
}

describe.each(testDialects())('the database layer on $name', (dialect) => {
  let db: Database;
  let dispose: () => Promise<void>;
  beforeAll(async () => {
    ({ db, dispose } = await dialect.open());
    await db.exec('CREATE TABLE t (n int); CREATE TABLE u (s text);');
  });
  afterAll(async () => dispose?.());

  test('a transaction that throws leaves nothing behind', async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO t VALUES (1)');
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect((await db.query('SELECT count(*)::int AS n FROM t')).rows).toEqual([{ n: 0 }]);
  });

  test('a transaction that resolves commits and returns its value', async () => {
    const value = await db.transaction(async (tx) => {
      await tx.query('INSERT INTO t VALUES ($1)', [7]);
      return 'done';
    });
    expect(value).toBe('done');
    expect((await db.query('SELECT n FROM t')).rows).toEqual([{ n: 7 }]);
  });

  test('migrations already applied are not applied again, even by concurrent callers', async () => {
    const again = await Promise.all([migrate(db), migrate(db)]);
    expect(again.map((applied) => applied.length)).toEqual([0, 0]);
    const { rows } = await db.query<{ id: number }>('SELECT id FROM sluice_migrations ORDER BY id');
    expect(rows.map((r) => r.id)).toEqual((await loadMigrations()).map((m) => m.id));
  });

  test('NOTIFY in a transaction reaches listeners once it commits', async () => {
    const heard: string[] = [];
    const stop = await db.listen('test_channel', (payload) => heard.push(payload));
    await db.transaction(async (tx) => {
      await tx.query("SELECT pg_notify('test_channel', 'inside')");
      expect(heard).toEqual([]);
    });
    await until('the notification', () => heard.length === 1);
    expect(heard).toEqual(['inside']);
    await stop();
  });

  test.runIf(dialect.name === 'postgres')(
    'a listener whose connection is dropped listens again and hears later notifications',
    async () => {
      const heard: string[] = [];
      await db.listen('test_reconnect', (payload) => heard.push(payload));
      const url = new URL(process.env.SLUICE_TEST_DATABASE_URL as string);
      const { rows } = await db.query<{ db: string }>('SELECT current_database() AS db');
      url.pathname = `/${rows[0].db}`;
      const admin = new pg.Client({ connectionString: url.toString() });
      await admin.connect();
      try {
        // the server ends the listening session, as a restart would
        await admin.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE 'LISTEN%'`,
        );
        await until('the listener to be back', () => {
          admin.query("SELECT pg_notify('test_reconnect', 'after')").catch(() => {});
          return heard.includes('after');
        });
      } finally {
        await admin.end();
      }
    },
  );
});
