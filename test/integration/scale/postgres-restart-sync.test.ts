import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startExecution } from '../../../src/app/executions.js';
import type { Database } from '../../../src/db/database.js';
import { migrate } from '../../../src/db/migrate.js';
import { createPostgresDatabase } from '../../../src/db/postgres.js';
import type { Execution } from '../../../src/engine/execution.js';
import {
  type Cluster,
  type PrivatePostgres,
  privatePostgresUnavailable,
  startCluster,
  startPrivatePostgres,
} from '../../support/cluster.js';
import { until } from '../../support/until.js';
import { deployFlow, executionsIn, untilEnded } from './evidence.js';

// The engine's PostgreSQL restarted (every session cut) while a worker process runs a sync that saves
// the states its destination acknowledges: the state save fails, and that must fail the sync with the
// reason, never end the worker process (an unhandled rejection would). The engine runs on a private
// server; the sync's destination is a database of the shared one, which stays up.

const SHARED = process.env.SLUICE_TEST_DATABASE_URL;
const unavailable = SHARED ? privatePostgresUnavailable() : 'SLUICE_TEST_DATABASE_URL is not set';
const NAMESPACE = 'test.restart.sync';
const SOURCE = fileURLToPath(new URL('../../fixtures/connectors/source.mjs', import.meta.url));

describe.skipIf(unavailable)(
  `PostgreSQL restarted during a sync${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    const database = `sluice_restart_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    let admin: pg.Client;
    let server: PrivatePostgres | undefined;
    let db: Database | undefined;
    let cluster: Cluster | undefined;
    let execution: Execution;

    beforeAll(async () => {
      admin = new pg.Client({ connectionString: SHARED });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${database}`);
      const destination = new URL(SHARED!);
      server = await startPrivatePostgres();
      db = createPostgresDatabase({ connectionString: server.url });
      await migrate(db);
      const flow = await deployFlow(
        db,
        JSON.stringify({
          id: 'sync-across-a-restart',
          namespace: NAMESPACE,
          tasks: [
            {
              id: 'sync',
              type: 'sync',
              source: {
                command: [process.execPath, SOURCE],
                // long enough to still run when the server goes down; acknowledged at every batch
                config: { streams: [{ name: 'users', count: 2_000_000 }], stateEvery: 1000 },
              },
              destination: {
                connector: 'postgres',
                config: {
                  host: destination.hostname,
                  port: Number(destination.port || 5432),
                  database,
                  username: decodeURIComponent(destination.username || 'postgres'),
                  password: decodeURIComponent(destination.password),
                  schema: 'dst',
                },
              },
              streams: [{ name: 'users', syncMode: 'incremental_append' }],
            },
          ],
        }),
      );
      cluster = await startCluster(db, {
        databaseUrl: server.url,
        executors: 1,
        workers: 1,
        config: 'liveness:\n  heartbeat: PT1S\n  timeout: PT60S\n',
      });
      await startExecution(db, flow, {});
      await until(
        'a first acknowledged state to be saved',
        async () => {
          const { rows } = await db!.query<{ n: number }>(
            'SELECT count(*)::int AS n FROM sync_connections WHERE state IS NOT NULL',
          );
          return rows[0].n > 0;
        },
        120_000,
      );
      // a state save held on a row lock, so that the restart cuts it in the middle
      const locker = new pg.Client({ connectionString: server.url });
      locker.on('error', () => {});
      await locker.connect();
      await locker.query('BEGIN');
      await locker.query('SELECT 1 FROM sync_connections FOR UPDATE');
      await until(
        'a state save to wait on the lock',
        async () => {
          // not through `locker`: a transaction sees one snapshot of pg_stat_activity
          const { rows } = await db!.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE wait_event_type = 'Lock' AND query LIKE '%sync_connections%'`,
          );
          return rows[0].n > 0;
        },
        120_000,
      );
      await server.restart(2_000);
      await untilEnded(db, cluster, NAMESPACE, 1, 120_000);
      [execution] = await executionsIn(db, NAMESPACE);
    }, 400_000);

    afterAll(async () => {
      await cluster?.stop();
      await db?.close();
      await server?.remove();
      await admin?.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin?.end();
    });

    test('the worker process rode the outage out: no component exited', () => {
      expect(cluster!.unexpectedExits()).toEqual([]);
    });

    test("the sync failed with the database's reason", () => {
      expect(execution.state.current).toBe('FAILED');
      // the held state save is cut by the restart; on a loaded machine another of the sync's queries
      // can meet the shutdown first, and then fails the task with the server's own words
      expect(execution.taskRunList[0].error).toMatch(
        // (the destination's own commit, which now carries its state, is one of those queries)
        /^saving the acknowledged state failed: |the database system is shutting down|terminating connection due to administrator command/,
      );
    });
  },
);
