import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testDialects } from '../../support/databases.js';
import { injectJson, startTestServer, type TestServer } from '../../support/server.js';
import { until } from '../../support/until.js';

// Schema changes of a connection through the Airbyte-shaped API, from a real PostgreSQL source into a
// real PostgreSQL destination: found at the start of each sync and on demand (discover_schema),
// applied as the connection's nonBreakingSchemaUpdatesBehavior says, and a breaking one pauses it.

const URL_ = process.env.SLUICE_TEST_DATABASE_URL;
const postgres = testDialects().find((d) => d.name === 'postgres');

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

describe.skipIf(!URL_ || !postgres)('schema changes of a connection (needs SLUICE_TEST_DATABASE_URL)', () => {
  const database = `sluice_schema_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  let admin: pg.Client;
  let db: pg.Client;
  let server: TestServer;
  let pgConfig: Record<string, unknown>;
  let sourceId: string;

  const call = (method: string, url: string, payload?: unknown): Promise<Answer> =>
    injectJson(server, method, url, payload);

  async function job(connectionId: string): Promise<Record<string, unknown>> {
    const started = await call('POST', '/api/v1/jobs', { connectionId, jobType: 'sync' });
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    const id = String(started.body.jobId);
    return until(
      `job ${id} ended`,
      async () => {
        const { body } = await call('GET', `/api/v1/jobs/${id}`);
        return ['succeeded', 'failed', 'cancelled'].includes(body.status as string) ? body : undefined;
      },
      60_000,
    );
  }

  async function synced(connectionId: string): Promise<void> {
    const done = await job(connectionId);
    if (done.status !== 'succeeded') throw new Error(`job failed: ${JSON.stringify(done.attempts)}`);
  }

  /** A table of its own in the source, and a connection syncing it into a schema of its own. */
  async function setUp(table: string, behavior: string | undefined, syncMode = 'incremental_append') {
    await db.query(`CREATE TABLE src.${table} (id bigint PRIMARY KEY, updated_at int NOT NULL, name text);
      INSERT INTO src.${table} SELECT i, i, 'row ' || i FROM generate_series(1, 3) i`);
    await call('POST', `/api/v1/sources/${sourceId}/discover?refresh=true`);
    const { status, body } = await call('POST', '/api/v1/connections', {
      name: table,
      sourceId,
      destinationId: await destination(table),
      configurations: {
        streams: [{ name: table, namespace: 'src', syncMode, cursorField: ['updated_at'] }],
      },
      ...(behavior && { nonBreakingSchemaUpdatesBehavior: behavior }),
    });
    expect(status, JSON.stringify(body)).toBe(200);
    return String(body.connectionId);
  }

  async function destination(schema: string): Promise<string> {
    const { body } = await call('POST', '/api/v1/destinations', {
      name: schema,
      configuration: { destinationType: 'postgres', ...pgConfig, schema },
    });
    return String(body.destinationId);
  }

  const columns = async (schema: string, table: string) =>
    (
      await db.query<{ column_name: string }>(
        `SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2
          AND column_name NOT LIKE '\\_airbyte%' ORDER BY column_name`,
        [schema, table],
      )
    ).rows.map((r) => r.column_name);

  const connection = async (id: string) => (await call('GET', `/api/v1/connections/${id}`)).body;

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
    await db.query('CREATE SCHEMA src');
    server = await startTestServer(postgres!);
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
  });

  test('propagate_columns: a refresh of the source schema applies a new column, and the next sync writes it', async () => {
    const id = await setUp('prop', 'propagate_columns');
    await synced(id);
    await db.query(
      "ALTER TABLE src.prop ADD COLUMN email text; INSERT INTO src.prop VALUES (4, 4, 'four', 'x@y')",
    );
    const { status, body } = await call('POST', '/api/v1/sources/discover_schema', {
      sourceId,
      connectionId: id,
    });
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body).toMatchObject({
      schemaChange: 'non_breaking',
      breakingChange: false,
      connectionStatus: 'active',
      appliedChanges: ["Modified stream 'src.prop': Added fields ['email']"],
    });
    await synced(id);
    expect(await columns('prop', 'prop')).toEqual(['email', 'id', 'name', 'updated_at']);
  });

  /** the connection's timeline events of these types, oldest first */
  async function events(connectionId: string, eventTypes: string[]) {
    const { status, body } = await call('POST', '/api/v1/connections/events/list', {
      connectionId,
      eventTypes,
    });
    expect(status).toBe(200);
    return (body.events as { eventType: string; summary: Record<string, unknown> }[]).reverse();
  }

  test('a change left for review goes on the timeline once, not again at every sync that finds it', async () => {
    const id = await setUp('once', undefined);
    await synced(id);
    await db.query('ALTER TABLE src.once ADD COLUMN email text');
    await synced(id);
    await synced(id);
    const found = await events(id, ['SCHEMA_UPDATE']);
    expect(found.map((e) => e.summary)).toEqual([
      {
        breaking: false,
        changes: ["Modified stream 'src.once': Added fields ['email']"],
        applied: [],
        behavior: 'ignore',
      },
    ]);
  });

  test('a breaking change is on the timeline with the connection disabled for it', async () => {
    const id = await setUp('brkline', 'propagate_fully');
    await synced(id);
    await db.query('ALTER TABLE src.brkline DROP COLUMN updated_at');
    expect((await job(id)).status).toBe('failed');
    const found = await events(id, ['SCHEMA_UPDATE', 'CONNECTION_DISABLED']);
    expect(found.map((e) => [e.eventType, e.summary.breaking ?? null])).toEqual([
      ['SCHEMA_UPDATE', true],
      ['CONNECTION_DISABLED', null],
    ]);
    expect(String(found[1]?.summary.message)).toContain("Removed fields ['updated_at' (breaking)]");
  });

  test('ignore (the default): the sync goes on without the new column and the change waits for review', async () => {
    const id = await setUp('ign', undefined);
    await synced(id);
    await db.query(
      "ALTER TABLE src.ign ADD COLUMN email text; INSERT INTO src.ign VALUES (4, 4, 'four', 'x@y')",
    );
    await synced(id);
    expect(await columns('ign', 'ign')).toEqual(['id', 'name', 'updated_at']);
    expect(await connection(id)).toMatchObject({ status: 'active', schemaChange: 'non_breaking' });
  });

  test('a breaking change (the cursor gone) pauses the connection with the reason until its streams change', async () => {
    const id = await setUp('brk', 'propagate_fully');
    await synced(id);
    await db.query('ALTER TABLE src.brk DROP COLUMN updated_at');
    const failed = await job(id);
    expect(failed.status).toBe('failed');
    const paused = await connection(id);
    expect(paused).toMatchObject({ status: 'inactive', breakingChange: true, schemaChange: 'breaking' });
    expect(String(paused.statusReason)).toContain("Removed fields ['updated_at' (breaking)]");
    const refused = await call('POST', '/api/v1/jobs', { connectionId: id, jobType: 'sync' });
    expect(refused.status).toBe(409);
    const fixed = await call('PATCH', `/api/v1/connections/${id}`, {
      configurations: { streams: [{ name: 'brk', namespace: 'src', syncMode: 'full_refresh_overwrite' }] },
    });
    expect(fixed.body).toMatchObject({ status: 'active' });
    expect(fixed.body.breakingChange).toBeUndefined();
    await synced(id);
  });

  test('disable_connection: a non-breaking change pauses the connection', async () => {
    const id = await setUp('dis', 'disable_connection');
    await synced(id);
    await db.query('ALTER TABLE src.dis ADD COLUMN email text');
    expect((await job(id)).status).toBe('failed');
    expect(await connection(id)).toMatchObject({ status: 'inactive', schemaChange: 'non_breaking' });
  });

  test('propagate_fully: a new table becomes a stream of the connection, the others keep their state', async () => {
    const id = await setUp('whole', 'propagate_fully');
    await synced(id);
    await db.query(
      "CREATE TABLE src.fresh (id bigint PRIMARY KEY, v text); INSERT INTO src.fresh VALUES (1, 'a')",
    );
    await db.query("INSERT INTO src.whole VALUES (4, 4, 'four')");
    await synced(id);
    const streams = ((await connection(id)).configurations as { streams: { name: string }[] }).streams;
    expect(streams.map((s) => s.name)).toEqual(['whole', 'fresh']);
    // the new stream is copied; the incremental one goes on from its cursor (4 rows, none twice)
    expect((await db.query('SELECT count(*)::int AS n FROM whole.fresh')).rows[0].n).toBe(1);
    expect((await db.query('SELECT count(*)::int AS n FROM whole.whole')).rows[0].n).toBe(4);
  });
});
