import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testDialects } from '../../support/databases.js';
import { createTestMysql, SKIP_MYSQL, type TestMysql } from '../../support/mysql.js';
import { injectJson, startTestServer, type TestServer } from '../../support/server.js';
import { until } from '../../support/until.js';

// Generations, refreshes and clears of a connection, through the Airbyte-shaped API, from a real
// PostgreSQL source into a real PostgreSQL destination (and MariaDB for a truncating refresh): every
// stream of the destination's catalog carries sync_id, generation_id and minimum_generation_id, a
// refresh or clear of one stream starts a new generation of that stream only, a truncating refresh
// keeps only the new copy and a merging one keeps the old rows too.

const URL_ = process.env.SLUICE_TEST_DATABASE_URL;
const FIXTURES = fileURLToPath(new URL('../../fixtures/connectors/', import.meta.url));
const postgres = testDialects().find((d) => d.name === 'postgres');

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

describe.skipIf(!URL_ || !postgres)(
  'refreshes and clears of a connection (needs SLUICE_TEST_DATABASE_URL)',
  () => {
    const database = `sluice_refresh_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    let admin: pg.Client;
    let db: pg.Client;
    let server: TestServer;
    let dir: string;
    let pgConfig: Record<string, unknown>;
    let sourceId: string;

    const call = (method: string, url: string, payload?: unknown): Promise<Answer> =>
      injectJson(server, method, url, payload);

    async function ended(started: Answer): Promise<Record<string, unknown>> {
      expect(started.status, JSON.stringify(started.body)).toBe(200);
      const id = String(started.body.jobId);
      const done = await until(
        `job ${id} ended`,
        async () => {
          const { body } = await call('GET', `/api/v1/jobs/${id}`);
          return ['succeeded', 'failed', 'cancelled'].includes(body.status as string) ? body : undefined;
        },
        60_000,
      );
      return done;
    }

    async function succeeded(started: Answer): Promise<Record<string, unknown>> {
      const done = await ended(started);
      if (done.status !== 'succeeded') throw new Error(`job failed: ${JSON.stringify(done.attempts)}`);
      return done;
    }

    const sync = async (connectionId: string) => succeeded(await callJob(connectionId, 'sync'));
    const callJob = (connectionId: string, jobType: string) =>
      call('POST', '/api/v1/jobs', { connectionId, jobType });

    async function generations(connectionId: string): Promise<Record<string, number>> {
      const { body } = await call('GET', `/api/v1/connections/${connectionId}/state`);
      return Object.fromEntries(
        (body.generations as { streamName: string; generationId: number }[]).map((g) => [
          g.streamName,
          g.generationId,
        ]),
      );
    }

    const rows = async (table: string) =>
      (await db.query<{ id: string }>(`SELECT id::text FROM ${table} ORDER BY id`)).rows.map((r) =>
        Number(r.id),
      );

    const STREAMS = [
      { name: 'users', namespace: 'src', syncMode: 'incremental_append', cursorField: ['updated_at'] },
      { name: 'orders', namespace: 'src', syncMode: 'full_refresh_overwrite' },
    ];

    async function connection(destinationId: string): Promise<string> {
      const { status, body } = await call('POST', '/api/v1/connections', {
        name: `refresh ${randomUUID().slice(0, 6)}`,
        sourceId,
        destinationId,
        configurations: { streams: STREAMS },
      });
      expect(status, JSON.stringify(body)).toBe(200);
      return String(body.connectionId);
    }

    async function destination(name: string, configuration: Record<string, unknown>): Promise<string> {
      const { status, body } = await call('POST', '/api/v1/destinations', { name, configuration });
      expect(status, JSON.stringify(body)).toBe(200);
      return String(body.destinationId);
    }

    beforeAll(async () => {
      admin = new pg.Client({ connectionString: URL_ });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${database}`);
      const url = new URL(URL_!);
      url.pathname = `/${database}`;
      db = new pg.Client({ connectionString: url.toString() });
      await db.connect();
      pgConfig = {
        host: url.hostname,
        port: Number(url.port || 5432),
        database,
        username: decodeURIComponent(url.username || 'postgres'),
        password: decodeURIComponent(url.password),
      };
      await db.query(`CREATE SCHEMA src;
      CREATE TABLE src.users (id bigint PRIMARY KEY, updated_at int NOT NULL, name text);
      CREATE TABLE src.orders (id bigint PRIMARY KEY, amount int);
      INSERT INTO src.users SELECT i, i, 'user ' || i FROM generate_series(1, 5) i;
      INSERT INTO src.orders SELECT i, i * 10 FROM generate_series(1, 3) i;`);
      dir = await mkdtemp(path.join(tmpdir(), 'sluice-refresh-'));
      server = await startTestServer(postgres!);
      const { status } = await call('POST', '/api/v1/connector_definitions', {
        name: 'probe',
        kind: 'destination',
        command: [process.execPath, path.join(FIXTURES, 'destination.mjs')],
      });
      expect(status).toBe(201);
      const source = await call('POST', '/api/v1/sources', {
        name: 'pg',
        configuration: { sourceType: 'postgres', ...pgConfig, schemas: ['src'] },
      });
      expect(source.status, JSON.stringify(source.body)).toBe(200);
      sourceId = String(source.body.sourceId);
    }, 120_000);
    afterAll(async () => {
      await server?.stop();
      await db?.end();
      await admin?.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin?.end();
      await rm(dir, { recursive: true, force: true });
    });

    test('every stream of the catalog a destination gets carries sync_id, generation_id and minimum_generation_id', async () => {
      const probe = path.join(dir, 'catalogs.jsonl');
      const connectionId = await connection(
        await destination('probe', { destinationType: 'probe', path: path.join(dir, 'out.jsonl'), probe }),
      );
      await sync(connectionId);
      await sync(connectionId);
      await succeeded(
        await call('POST', '/api/v1/connections/refresh', {
          connectionId,
          refreshMode: 'merge',
          streams: [{ streamName: 'users', streamNamespace: 'src' }],
        }),
      );
      const catalogs = (await readFile(probe, 'utf8'))
        .split('\n')
        .filter(Boolean)
        .map(
          (line) => (JSON.parse(line) as { catalog: { streams: Record<string, unknown>[] } }).catalog.streams,
        );
      const fields = (streams: Record<string, unknown>[]) =>
        Object.fromEntries(
          streams.map((s) => [
            (s.stream as { name: string }).name,
            [s.generation_id, s.minimum_generation_id, typeof s.sync_id],
          ]),
        );
      // a sync starts a new generation of the full refresh stream only, which keeps only its own rows
      expect(fields(catalogs[0])).toEqual({ users: [0, 0, 'number'], orders: [1, 1, 'number'] });
      expect(fields(catalogs[1])).toEqual({ users: [0, 0, 'number'], orders: [2, 2, 'number'] });
      // a merging refresh of users: a new generation of it, whose minimum keeps the older rows
      expect(fields(catalogs[2])).toEqual({ users: [1, 0, 'number'], orders: [3, 3, 'number'] });
      expect(catalogs[0][0].sync_id).not.toBe(catalogs[1][0].sync_id);
      expect(await generations(connectionId)).toEqual({ users: 1, orders: 3 });
    });

    test('a truncating refresh of one stream replaces its rows with a new copy and leaves the others alone', async () => {
      const connectionId = await connection(
        await destination('pg truncate', { destinationType: 'postgres', ...pgConfig, schema: 'trunc' }),
      );
      await sync(connectionId);
      expect(await rows('trunc.users')).toEqual([1, 2, 3, 4, 5]);
      // the source loses a user: an incremental sync never sees it go, a truncating refresh does
      await db.query(`DELETE FROM src.users WHERE id = 2; INSERT INTO src.users VALUES (6, 6, 'user 6')`);
      await sync(connectionId);
      expect(await rows('trunc.users')).toEqual([1, 2, 3, 4, 5, 6]);
      const job = await succeeded(
        await call('POST', '/api/v1/connections/refresh', {
          connectionId,
          refreshMode: 'truncate',
          streams: [{ streamName: 'users', streamNamespace: 'src' }],
        }),
      );
      expect(job).toMatchObject({
        jobType: 'refresh',
        refreshConfig: { refreshType: 'truncate', streamsToRefresh: [{ name: 'users', namespace: 'src' }] },
      });
      expect(await rows('trunc.users')).toEqual([1, 3, 4, 5, 6]);
      expect(await generations(connectionId)).toMatchObject({ users: 1 });
      // the state it left is the refresh's: the next sync reads only what is new
      await db.query(`INSERT INTO src.users VALUES (7, 7, 'user 7')`);
      await sync(connectionId);
      expect(await rows('trunc.users')).toEqual([1, 3, 4, 5, 6, 7]);
      await db.query('INSERT INTO src.users VALUES (2, 2, $1)', ['user 2']);
    });

    test('a merging refresh reads a stream again and keeps what the destination had', async () => {
      const connectionId = await connection(
        await destination('pg merge', { destinationType: 'postgres', ...pgConfig, schema: 'merge' }),
      );
      await sync(connectionId);
      const before = (await rows('merge.users')).length;
      await succeeded(
        await call('POST', '/api/v1/connections/refresh', {
          connectionId,
          refreshMode: 'MERGE',
          streams: [{ streamName: 'users', streamNamespace: 'src' }],
        }),
      );
      // incremental_append: the old copy stays and the new one is added
      expect((await rows('merge.users')).length).toBe(2 * before);
    });

    test('a clear of one stream empties its table, forgets its state and leaves the other stream', async () => {
      const connectionId = await connection(
        await destination('pg clear', { destinationType: 'postgres', ...pgConfig, schema: 'clr' }),
      );
      await sync(connectionId);
      const users = await rows('clr.users');
      const job = await succeeded(
        await call('POST', '/api/v1/connections/clear/stream', {
          connectionId,
          streams: [{ streamName: 'users', streamNamespace: 'src' }],
        }),
      );
      expect(job).toMatchObject({
        jobType: 'clear',
        resetConfig: { streamsToReset: [{ name: 'users', namespace: 'src' }] },
      });
      expect(await rows('clr.users')).toEqual([]);
      expect(await rows('clr.orders')).toEqual([1, 2, 3]);
      expect(await generations(connectionId)).toEqual({ users: 1, orders: 1 });
      await sync(connectionId);
      expect(await rows('clr.users')).toEqual(users);
    });

    test('a refresh or clear naming a stream the connection does not have is refused', async () => {
      const connectionId = await connection(
        await destination('pg refused', { destinationType: 'postgres', ...pgConfig, schema: 'refused' }),
      );
      const { status, body } = await call('POST', '/api/v1/connections/refresh', {
        connectionId,
        streams: [{ streamName: 'nope' }],
      });
      expect(status).toBe(422);
      expect(String(body.message)).toContain('nope');
    });

    describe.skipIf(SKIP_MYSQL)('into MariaDB', () => {
      let mysql: TestMysql;
      beforeAll(async () => {
        mysql = await createTestMysql();
      });
      afterAll(() => mysql?.drop());

      test('a truncating refresh of an incremental stream keeps only the new copy', async () => {
        const connectionId = await connection(
          await destination('maria', { destinationType: 'mysql', ...mysql.config() }),
        );
        await sync(connectionId);
        await sync(connectionId);
        await db.query(`DELETE FROM src.users WHERE id = 4`);
        await succeeded(
          await call('POST', '/api/v1/connections/refresh', {
            connectionId,
            streams: [{ streamName: 'users', streamNamespace: 'src' }],
          }),
        );
        const ids = (await mysql.query<{ id: string }[]>('SELECT id FROM users ORDER BY id')).map((r) =>
          Number(r.id),
        );
        expect(ids).not.toContain(4);
        expect(ids).toEqual([...new Set(ids)]);
        expect(await generations(connectionId)).toMatchObject({ users: 1 });
        await db.query(`INSERT INTO src.users VALUES (4, 4, 'user 4')`);
      });
    });
  },
);
