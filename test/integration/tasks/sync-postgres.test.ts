import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startExecution, waitForExecutionEnd } from '../../../src/app/executions.js';
import { emit } from '../../../src/queue/postgres-queue.js';
import { ensureCliBuilt } from '../../support/cli.js';
import { testDialects } from '../../support/databases.js';
import { runOf, startTestEngine, type TestEngine } from '../../support/engine.js';
import { until } from '../../support/until.js';

// The four sync modes end to end through the sync task, with the built-in connectors against a real
// PostgreSQL: Postgres → Postgres and faker → Postgres. The engine itself runs on PGlite here; what is
// under test is the data in the destination.

const URL_ = process.env.SLUICE_TEST_DATABASE_URL;
const SOURCE_FIXTURE = fileURLToPath(new URL('../../fixtures/connectors/source.mjs', import.meta.url));

describe.skipIf(!URL_)('syncs into PostgreSQL (needs SLUICE_TEST_DATABASE_URL)', () => {
  const database = `sluice_sync_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  let admin: pg.Client;
  let db: pg.Client;
  let engine: TestEngine;
  let connection: { host: string; port: number; database: string; username: string; password: string };
  let flows = 0;

  beforeAll(async () => {
    await ensureCliBuilt();
    admin = new pg.Client({ connectionString: URL_ });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    const url = new URL(URL_!);
    url.pathname = `/${database}`;
    db = new pg.Client({ connectionString: url.toString() });
    await db.connect();
    connection = {
      host: url.hostname,
      port: Number(url.port || 5432),
      database,
      username: decodeURIComponent(url.username || 'postgres'),
      password: decodeURIComponent(url.password),
    };
    await db.query(`CREATE SCHEMA src;
      CREATE TABLE src.items (id bigint PRIMARY KEY, updated_at int NOT NULL, name text, amount numeric, payload jsonb);
      INSERT INTO src.items SELECT i, i, 'item ' || i, i * 1.5, jsonb_build_object('n', i) FROM generate_series(1, 100) i;`);
    engine = await startTestEngine(testDialects()[0]);
  });
  afterAll(async () => {
    await engine?.stop();
    await db?.end();
    await admin?.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin?.end();
  });

  /** A flow of one sync into schema `schema`, its id new for every call site that asks for one. */
  function syncFlow(source: Record<string, unknown>, schema: string, streams: unknown[], id: string): string {
    return JSON.stringify({
      id,
      namespace: 'test.sync.pg',
      tasks: [
        {
          id: 'sync',
          type: 'sync',
          source,
          destination: { connector: 'postgres', config: { ...connection, schema } },
          streams,
        },
      ],
    });
  }
  const pgSource = () => ({ connector: 'postgres', config: { ...connection, schemas: ['src'] } });
  const faker = (count: number) => ({ connector: 'faker', config: { count, seed: 3 } });

  async function sync(yaml: string): Promise<Record<string, unknown>> {
    const execution = await engine.run(yaml);
    if (execution.state.current !== 'SUCCESS') {
      const logs = (await engine.logs(execution.id)).map((l) => l.message).join('\n');
      throw new Error(`sync ended ${execution.state.current}:\n${logs}`);
    }
    return runOf(execution, 'sync').outputs as Record<string, unknown>;
  }
  const count = async (table: string) =>
    Number((await db.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
  const ids = async (table: string) =>
    Number((await db.query<{ n: string }>(`SELECT count(DISTINCT id) AS n FROM ${table}`)).rows[0].n);

  describe('Postgres → Postgres', () => {
    test('full_refresh_overwrite twice gives the rows once', async () => {
      const yaml = syncFlow(
        pgSource(),
        'p2p_overwrite',
        [{ name: 'items', syncMode: 'full_refresh_overwrite' }],
        `f${++flows}`,
      );
      await sync(yaml);
      const second = await sync(yaml);
      expect([await count('p2p_overwrite.items'), second.recordsCommitted]).toEqual([100, 100]);
    });

    test('full_refresh_append twice doubles them', async () => {
      const yaml = syncFlow(
        pgSource(),
        'p2p_append',
        [{ name: 'items', syncMode: 'full_refresh_append' }],
        `f${++flows}`,
      );
      await sync(yaml);
      await sync(yaml);
      expect(await count('p2p_append.items')).toBe(200);
    });

    test('incremental_append: a second run adds only the new rows', async () => {
      await db.query(
        `CREATE TABLE src.events AS SELECT i AS id, i AS updated_at FROM generate_series(1, 50) i`,
      );
      const yaml = syncFlow(
        pgSource(),
        'p2p_incremental',
        [{ name: 'events', syncMode: 'incremental_append', cursorField: ['updated_at'] }],
        `f${++flows}`,
      );
      await sync(yaml);
      await db.query(`INSERT INTO src.events SELECT i, i FROM generate_series(51, 70) i`);
      const second = await sync(yaml);
      expect([
        await count('p2p_incremental.events'),
        await ids('p2p_incremental.events'),
        second.recordsEmitted,
      ]).toEqual([70, 70, 20]);
    });

    test('incremental_deduped_history keeps the latest version of each key', async () => {
      const yaml = syncFlow(
        pgSource(),
        'p2p_dedup',
        [{ name: 'items', syncMode: 'incremental_deduped_history', cursorField: ['updated_at'] }],
        `f${++flows}`,
      );
      await sync(yaml);
      await db.query(`UPDATE src.items SET updated_at = updated_at + 1000, name = 'changed ' || id WHERE id <= 10;
        INSERT INTO src.items SELECT i, 2000 + i, 'new ' || i, 0, '{}' FROM generate_series(101, 105) i`);
      await sync(yaml);
      const { rows } = await db.query<{ changed: number; total: number }>(
        `SELECT count(*) FILTER (WHERE name LIKE 'changed %') AS changed, count(*) AS total FROM p2p_dedup.items`,
      );
      expect(rows[0]).toEqual({ changed: 10, total: 105 });
    });
  });

  describe('faker → Postgres', () => {
    const users = (syncMode: string) => [{ name: 'users', syncMode }];

    test('full_refresh_overwrite twice gives the rows once', async () => {
      const yaml = syncFlow(faker(40), 'fk_overwrite', users('full_refresh_overwrite'), `f${++flows}`);
      await sync(yaml);
      await sync(yaml);
      expect(await count('fk_overwrite.users')).toBe(40);
    });

    test('full_refresh_append twice doubles them', async () => {
      const yaml = syncFlow(faker(40), 'fk_append', users('full_refresh_append'), `f${++flows}`);
      await sync(yaml);
      await sync(yaml);
      expect(await count('fk_append.users')).toBe(80);
    });

    test('incremental_append: a second run adds only the new rows', async () => {
      const id = `f${++flows}`;
      await sync(syncFlow(faker(40), 'fk_incremental', users('incremental_append'), id));
      const second = await sync(syncFlow(faker(55), 'fk_incremental', users('incremental_append'), id));
      expect([await count('fk_incremental.users'), second.recordsEmitted]).toEqual([55, 15]);
    });

    test('incremental_deduped_history: every key once, however often it is synced', async () => {
      const id = `f${++flows}`;
      await sync(syncFlow(faker(40), 'fk_dedup', users('incremental_deduped_history'), id));
      await sync(syncFlow(faker(60), 'fk_dedup', users('incremental_deduped_history'), id));
      expect([await count('fk_dedup.users'), await ids('fk_dedup.users')]).toEqual([60, 60]);
    });
  });

  describe('in process (both connectors built in)', () => {
    // a value of every type the bulk rows cover, then each value at an edge (one per row, so that each
    // condition deciding between rows and records is tried alone) that must go as a record
    const EDGE_TABLE = `CREATE SCHEMA edge;
      CREATE TABLE edge.vals (id bigint PRIMARY KEY, i int, n numeric, big numeric, d date, ts timestamp,
        tz timestamptz, t text, c char(3), b bool, u uuid, j json, jb jsonb);
      INSERT INTO edge.vals VALUES
        (1, 7, 1.50, 12345678901234567890.123456789, '2024-02-29', '2024-01-01 10:00:00.123456',
         '2024-01-01 10:00:00+02', E'tab\\there\\nline \\\\ "q" é 😀', 'ab', true,
         'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"k": [1, 2], "k": 3}', '{"x": {"y": null}}');
      INSERT INTO edge.vals (id, n) VALUES (2, 'NaN');
      INSERT INTO edge.vals (id, big) VALUES (3, '-Infinity');
      INSERT INTO edge.vals (id, d) VALUES (4, 'infinity');
      INSERT INTO edge.vals (id, ts) VALUES (5, '-infinity');
      INSERT INTO edge.vals (id, tz) VALUES (6, '0500-01-01 00:00:00+00');
      INSERT INTO edge.vals (id, d) VALUES (7, '0044-03-15 BC');
      INSERT INTO edge.vals (id, ts) VALUES (8, '9999-12-31 23:59:59');
      INSERT INTO edge.vals (id, j) VALUES (9, 'null');
      INSERT INTO edge.vals (id, jb) VALUES (10, 'null');
      INSERT INTO edge.vals (id, j) VALUES (11, '"\\u0000 nul"');
      INSERT INTO edge.vals (id) VALUES (12);
      CREATE TABLE edge.blobs (id int PRIMARY KEY, data bytea, f float8);
      INSERT INTO edge.blobs VALUES (1, '\\x00ff', 1.5), (2, NULL, 'NaN');`;
    const columns = {
      vals: 'id, i, n, big, d, ts, tz, t, c, b, u, j, jb, _airbyte_meta, _airbyte_generation_id',
      blobs: 'id, data, f, _airbyte_meta, _airbyte_generation_id',
    };
    const edgeSource = () => ({ connector: 'postgres', config: { ...connection, schemas: ['edge'] } });
    // as text: a JSON null and a SQL NULL, or NaN and NULL, would both read as null
    const rowsOf = async (schema: string, table: 'vals' | 'blobs') => {
      const list = columns[table]
        .split(', ')
        // each sync has a sync_id of its own
        .map((c) => (c === '_airbyte_meta' ? `(${c} - 'sync_id')::text AS ${c}` : `${c}::text AS ${c}`))
        .join(', ');
      return (await db.query(`SELECT ${list} FROM ${schema}.${table} ORDER BY id`)).rows;
    };

    // the same streams synced both ways, once for the tests below
    let inProcess: Record<string, unknown>;
    beforeAll(async () => {
      await db.query(EDGE_TABLE);
      const streams = [
        { name: 'vals', syncMode: 'full_refresh_overwrite' },
        { name: 'blobs', syncMode: 'full_refresh_overwrite' },
      ];
      const asProcesses = await startTestEngine(testDialects()[0], { syncInProcess: false });
      try {
        const execution = await asProcesses.run(syncFlow(edgeSource(), 'by_process', streams, `f${++flows}`));
        if (execution.state.current !== 'SUCCESS') throw new Error(`by process: ${execution.state.current}`);
      } finally {
        await asProcesses.stop();
      }
      inProcess = await sync(syncFlow(edgeSource(), 'in_process', streams, `f${++flows}`));
    });

    test('rows handed over in bulk land exactly as their records would, edge values included', async () => {
      expect(inProcess.recordsCommitted).toBe(14);
      expect(await rowsOf('in_process', 'vals')).toEqual(await rowsOf('by_process', 'vals'));
      expect(await rowsOf('in_process', 'blobs')).toEqual(await rowsOf('by_process', 'blobs'));
    });

    test('the tables rows went into have the columns records would have made, without defaults', async () => {
      const definition = async (schema: string) =>
        (
          await db.query(
            `SELECT table_name, column_name, data_type, column_default FROM information_schema.columns
              WHERE table_schema = $1 ORDER BY table_name, ordinal_position`,
            [schema],
          )
        ).rows;
      expect(await definition('in_process')).toEqual(await definition('by_process'));
      const indexes = async (schema: string) =>
        (
          await db.query(
            // the destination's own state table is not one the records made
            `SELECT indexname, replace(indexdef, $1, 's') AS def FROM pg_indexes
              WHERE schemaname = $1 AND tablename NOT LIKE '\\_sluice%' ORDER BY 1`,
            [schema],
          )
        ).rows;
      expect(await indexes('in_process')).toEqual(await indexes('by_process'));
      expect((await indexes('in_process')).map((i) => i.indexname)).toEqual([
        'idx_extracted_at_blobs',
        'idx_extracted_at_vals',
      ]);
    });

    /** Syncs `select` as view `schema`.rows, kills the sync once a query on the test database matches
     * `busy` (a LIKE pattern), and checks that it ends KILLED and that the query stops within 2 s. */
    async function killWhile(schema: string, select: string, busy: string) {
      await db.query(`CREATE SCHEMA ${schema}; CREATE VIEW ${schema}.rows AS ${select}`);
      const source = { connector: 'postgres', config: { ...connection, schemas: [schema] } };
      const flowDef = await engine.deploy(
        syncFlow(source, `${schema}_killed`, [{ name: 'rows' }], `f${++flows}`),
      );
      const execution = await startExecution(engine.db, flowDef, {});
      const busyNow = async () =>
        (
          await db.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_stat_activity
              WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE $1
                AND state <> 'idle'`,
            [busy],
          )
        ).rows[0].n;
      await until(`a query like ${busy}`, async () => (await busyNow()) > 0);
      // what DELETE /api/v1/executions/{id}/kill does
      await engine.db.transaction((tx) =>
        emit(tx, 'executor', { type: 'kill', executionId: execution.id }, { key: execution.id }),
      );
      const ended = await waitForExecutionEnd(engine.db, execution.id, 100);
      expect(ended.state.current).toBe('KILLED');
      await until(`the query like ${busy} to stop`, async () => (await busyNow()) === 0, 2000);
    }

    test('a kill stops a sync running in process, and its query on the source at once', async () => {
      await killWhile(
        'slow',
        'SELECT i::bigint AS id FROM generate_series(1, 1000000) i CROSS JOIN LATERAL (SELECT pg_sleep(0.001)) s',
        'COPY%slow%',
      );
    });

    test('a kill while rows stream into the staging table ends that load and its transaction', async () => {
      // the first rows come at once and open the load; the rest are slow, so the kill finds it open
      await killWhile(
        'slow_later',
        `SELECT i::bigint AS id FROM generate_series(1, 1000000) i
           CROSS JOIN LATERAL (SELECT CASE WHEN i > 100000 THEN pg_sleep(0.001) END) s`,
        'COPY "slow_later_killed"%FROM STDIN',
      );
      expect(await count('slow_later_killed.rows').catch((error: Error) => error.message)).toMatch(
        /does not exist/,
      );
    });

    test('the sync says it ran in process', async () => {
      const yaml = syncFlow(pgSource(), 'said_in_process', [{ name: 'items' }], `f${++flows}`);
      const execution = await engine.run(yaml);
      const logs = (await engine.logs(execution.id)).map((l) => l.message);
      expect(logs).toContain('both connectors are built in: running them in process');
    });

    test('built-in connectors without a shared bulk format run in process too, as records', async () => {
      const yaml = syncFlow(faker(40), 'faker_in_process', [{ name: 'users' }], `f${++flows}`);
      const execution = await engine.run(yaml);
      const logs = (await engine.logs(execution.id)).map((l) => l.message);
      expect([execution.state.current, await count('faker_in_process.users')]).toEqual(['SUCCESS', 40]);
      expect(logs).toContain('both connectors are built in: running them in process');
    });

    test('a destination that cannot connect fails the sync with its check message', async () => {
      const yaml = JSON.stringify({
        id: `f${++flows}`,
        namespace: 'test.sync.pg',
        tasks: [
          {
            id: 'sync',
            type: 'sync',
            source: pgSource(),
            destination: {
              connector: 'postgres',
              config: { ...connection, database: `${database}_missing`, schema: 'nowhere' },
            },
          },
        ],
      });
      const execution = await engine.run(yaml);
      const logs = (await engine.logs(execution.id)).map((l) => l.message).join('\n');
      expect(execution.state.current).toBe('FAILED');
      expect(logs).toMatch(/destination check failed: .*does not exist/);
    });
  });

  test('an overwrite whose source fails keeps the table it had, never a part of the new data', async () => {
    const id = `f${++flows}`;
    const source = (failAfter?: number) => ({
      command: [process.execPath, SOURCE_FIXTURE],
      config: { streams: [{ name: 'users', count: 100 }], stateEvery: 20, ...(failAfter && { failAfter }) },
    });
    const streams = [{ name: 'users', syncMode: 'full_refresh_overwrite' }];
    await sync(syncFlow(source(), 'kept', streams, id));
    const failed = await engine.run(syncFlow(source(50), 'kept', streams, id));
    expect([failed.state.current, await count('kept.users')]).toEqual(['FAILED', 100]);
  });

  test('a source failing mid-stream resumes from the acknowledged state: nothing lost, nothing doubled', async () => {
    const id = `f${++flows}`;
    const source = (failAfter?: number) => ({
      command: [process.execPath, SOURCE_FIXTURE],
      config: { streams: [{ name: 'users', count: 100 }], stateEvery: 20, ...(failAfter && { failAfter }) },
    });
    const streams = [{ name: 'users', syncMode: 'incremental_deduped_history' }];
    const failed = await engine.run(syncFlow(source(50), 'resumed', streams, id));
    expect(failed.state.current).toBe('FAILED');
    const committed = await count('resumed.users');
    expect(committed).toBeGreaterThanOrEqual(40);
    const retried = await sync(syncFlow(source(), 'resumed', streams, id));
    expect(retried.recordsEmitted).toBe(60);
    expect([await count('resumed.users'), await ids('resumed.users')]).toEqual([100, 100]);
  });

  describe('a full refresh whose source checkpoints (resumable full refresh)', () => {
    const streams = [{ name: 'users', syncMode: 'full_refresh_overwrite' }];
    const source = (extra: Record<string, unknown> = {}) => ({
      command: [process.execPath, SOURCE_FIXTURE],
      config: { streams: [{ name: 'users', count: 200 }], stateEvery: 20, resumable: true, ...extra },
    });
    const distinct = async (table: string) =>
      (
        await db.query<{ n: number; ids: number }>(
          `SELECT count(*)::int AS n, count(DISTINCT id)::int AS ids FROM ${table}`,
        )
      ).rows[0];

    test('a new sync after a failed one reads everything again: nothing lost', async () => {
      const id = `f${++flows}`;
      const failed = await engine.run(syncFlow(source({ failAfter: 105 }), 'rfr_new', streams, id));
      expect(failed.state.current).toBe('FAILED');
      const next = await sync(syncFlow(source(), 'rfr_new', streams, id));
      expect([next.recordsEmitted, await distinct('rfr_new.users')]).toEqual([200, { n: 200, ids: 200 }]);
    });

    test('the sync after a successful one does not take its final state: the table is whole, not empty', async () => {
      const id = `f${++flows}`;
      await sync(syncFlow(source(), 'rfr_again', streams, id));
      const again = await sync(syncFlow(source(), 'rfr_again', streams, id));
      expect([again.recordsEmitted, await distinct('rfr_again.users')]).toEqual([200, { n: 200, ids: 200 }]);
    });

    test('a retried attempt of the same sync resumes: the rows it staged stay, none twice', async () => {
      const marker = path.join(mkdtempSync(path.join(tmpdir(), 'sluice-rfr-')), 'failed-once');
      const flow = JSON.parse(
        syncFlow(source({ failOnceAfter: { records: 105, marker } }), 'rfr_retry', streams, `f${++flows}`),
      );
      flow.tasks[0].retry = { type: 'constant', interval: 'PT0.1S', maxAttempt: 2 };
      const execution = await engine.run(JSON.stringify(flow));
      const logs = (await engine.logs(execution.id)).map((l) => l.message).join('\n');
      expect(execution.state.current, logs).toBe('SUCCESS');
      expect(runOf(execution, 'sync').attempts).toHaveLength(2);
      // the second attempt read only what the first one's acknowledged state did not cover
      expect(runOf(execution, 'sync').outputs).toMatchObject({ recordsEmitted: 100 });
      expect(await distinct('rfr_retry.users')).toEqual({ n: 200, ids: 200 });
    });
  });
});
