import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Database } from '../../../src/db/database.js';
import { createPostgresDatabase } from '../../../src/db/postgres.js';
import { testDialects } from '../../support/databases.js';

// What a PostgreSQL restart does to one session, without restarting the shared server: the session
// is terminated while a transaction holds it between two queries. Found by postgres-restart.test.ts,
// where every executor and worker process crashed on the unheard 'error' event this raises.

const postgres = testDialects().find((d) => d.name === 'postgres');

describe.skipIf(!postgres)('a PostgreSQL session terminated in the middle of a transaction', () => {
  let admin: Database;
  let db: Database;
  let dispose: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    const opened = await postgres!.open();
    ({ db: admin, dispose } = opened);
    db = createPostgresDatabase({ connectionString: opened.url!, maxConnections: 1 });
  });

  afterAll(async () => {
    await db?.close();
    await dispose?.();
  });

  test('fails that transaction, and the next one runs on a new connection', async () => {
    const failed = db.transaction(async (tx) => {
      const { rows } = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      await admin.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
      // the server's goodbye arrives while no query of ours is waiting for it
      await new Promise((resolve) => setTimeout(resolve, 300));
      await tx.query('SELECT 1');
    });
    await expect(failed).rejects.toThrow();
    const { rows } = await db.query<{ ok: number }>('SELECT 1 AS ok');
    expect(rows).toEqual([{ ok: 1 }]);
  });
});
