import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureCliBuilt, freePort, startCli, type StartedCli } from '../../support/cli.js';
import { testDialects } from '../../support/databases.js';
import { TEST_CIPHER } from '../../support/engine.js';
import { startTestServer, type TestServer } from '../../support/server.js';
import { until } from '../../support/until.js';

// The Airbyte-shaped API end to end: connector definitions, sources and destinations checked against
// their connector's spec (fixture connectors run as processes), connections that run as flows on the
// engine, and jobs with their counts and logs. Every response body is kept, to check that the
// destination's secret never comes back in clear.

const FIXTURES = fileURLToPath(new URL('../../fixtures/connectors/', import.meta.url));
const SECRET = 'hunter2-never-shown';

interface Answer {
  status: number;
  body: Record<string, unknown> & { data?: Record<string, unknown>[] };
}

describe.each(testDialects())('Airbyte-style resources on $name', (dialect) => {
  let server: TestServer;
  let dir: string;
  const bodies: string[] = [];

  async function call(method: string, url: string, payload?: unknown): Promise<Answer> {
    const res = await (server.app as FastifyInstance).inject({
      method: method as 'GET',
      url,
      payload: payload as object,
    });
    bodies.push(res.body);
    return { status: res.statusCode, body: res.body ? (JSON.parse(res.body) as Answer['body']) : {} };
  }

  const written = () =>
    existsSync(path.join(dir, 'dest.jsonl'))
      ? readFileSync(path.join(dir, 'dest.jsonl'), 'utf8').split('\n').filter(Boolean)
      : [];

  async function job(connectionId: string, jobType = 'sync'): Promise<Record<string, unknown>> {
    const created = await call('POST', '/api/v1/jobs', { connectionId, jobType });
    expect(created.status).toBe(200);
    return until(
      `job ${String(created.body.jobId)} ended`,
      async () => {
        const { body } = await call('GET', `/api/v1/jobs/${String(created.body.jobId)}`);
        return ['succeeded', 'failed', 'cancelled'].includes(body.status as string) ? body : undefined;
      },
      30_000,
    );
  }

  let sourceId: string;
  let destinationId: string;
  let connectionId: string;

  beforeAll(async () => {
    await ensureCliBuilt();
    dir = await mkdtemp(path.join(tmpdir(), 'sluice-resources-'));
    server = await startTestServer(dialect);
    for (const [name, kind, file] of [
      ['fixture', 'source', 'source.mjs'],
      ['jsonl', 'destination', 'destination.mjs'],
    ]) {
      const { status } = await call('POST', '/api/v1/connector_definitions', {
        name,
        kind,
        command: [process.execPath, path.join(FIXTURES, file)],
      });
      expect(status).toBe(201);
    }
  });
  afterAll(async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('connector definitions list the built-in ones and the registered ones', async () => {
    const { body } = await call('GET', '/api/v1/connector_definitions');
    const names = body.data!.map((d) => `${String(d.definitionId)}:${String(d.builtIn)}`);
    expect(names).toEqual(
      expect.arrayContaining(['source-faker:true', 'source-fixture:false', 'destination-jsonl:false']),
    );
  });

  test('registering a name twice is a conflict', async () => {
    const { status } = await call('POST', '/api/v1/connector_definitions', {
      name: 'fixture',
      kind: 'source',
      command: ['true'],
    });
    expect(status).toBe(409);
  });

  test('a source whose configuration does not fit the spec is refused naming the field', async () => {
    const { status, body } = await call('POST', '/api/v1/sources', {
      name: 'bad',
      configuration: { sourceType: 'faker', count: 0 },
    });
    expect(status).toBe(422);
    expect(body.details).toEqual([{ path: 'configuration.count', message: 'config.count: must be >= 1' }]);
  });

  test('a source and a destination are created, with the secret masked and encrypted at rest', async () => {
    const source = await call('POST', '/api/v1/sources', {
      name: 'users',
      configuration: { sourceType: 'fixture', streams: [{ name: 'users', count: 12 }], stateEvery: 5 },
    });
    expect(source.status).toBe(200);
    sourceId = source.body.sourceId as string;
    const destination = await call('POST', '/api/v1/destinations', {
      name: 'file',
      configuration: { destinationType: 'jsonl', path: path.join(dir, 'dest.jsonl'), password: SECRET },
    });
    expect(destination.status).toBe(200);
    destinationId = destination.body.destinationId as string;
    expect(destination.body.configuration).toMatchObject({
      destinationType: 'jsonl',
      password: '**********',
    });
    const { rows } = await server.engine.db.query<{ configuration: { password: string } }>(
      'SELECT configuration FROM actors WHERE id = $1',
      [destinationId],
    );
    expect(rows[0].configuration.password).not.toContain(SECRET);
    expect(JSON.parse(TEST_CIPHER.decrypt(rows[0].configuration.password))).toBe(SECRET);
  });

  test('an update that sends the mask back keeps the stored secret', async () => {
    const { status } = await call('PATCH', `/api/v1/destinations/${destinationId}`, {
      name: 'file (renamed)',
      configuration: { path: path.join(dir, 'dest.jsonl'), password: '**********' },
    });
    expect(status).toBe(200);
    const { rows } = await server.engine.db.query<{ name: string; configuration: { password: string } }>(
      'SELECT name, configuration FROM actors WHERE id = $1',
      [destinationId],
    );
    expect([rows[0].name, JSON.parse(TEST_CIPHER.decrypt(rows[0].configuration.password))]).toEqual([
      'file (renamed)',
      SECRET,
    ]);
  });

  test('check runs the connector with the stored configuration', async () => {
    const { body } = await call('POST', `/api/v1/sources/${sourceId}/check`);
    expect(body).toEqual({ status: 'succeeded', message: null });
  });

  test('discover answers the catalog, then the cached one until a refresh', async () => {
    const first = await call('POST', `/api/v1/sources/${sourceId}/discover`);
    const second = await call('POST', `/api/v1/sources/${sourceId}/discover`);
    const refreshed = await call('POST', `/api/v1/sources/${sourceId}/discover?refresh=true`);
    expect([first.body.cached, second.body.cached, refreshed.body.cached]).toEqual([false, true, false]);
    expect((second.body.catalog as { streams: { name: string }[] }).streams.map((s) => s.name)).toEqual([
      'users',
    ]);
  });

  test('a connection naming a stream the source does not have is refused', async () => {
    const { status, body } = await call('POST', '/api/v1/connections', {
      sourceId,
      destinationId,
      configurations: { streams: [{ name: 'nope' }] },
    });
    expect([status, body.message]).toEqual([422, 'the source has no stream "nope" (it offers: "users")']);
  });

  test('a connection with an unknown source is not found', async () => {
    const { status } = await call('POST', '/api/v1/connections', { sourceId: 'missing', destinationId });
    expect(status).toBe(404);
  });

  test('a connection is created, and its sync job moves the records and reports counts and logs', async () => {
    const created = await call('POST', '/api/v1/connections', {
      name: 'users to file',
      sourceId,
      destinationId,
      configurations: {
        streams: [{ name: 'users', syncMode: 'incremental_append', cursorField: ['updated_at'] }],
      },
      schedule: { scheduleType: 'manual' },
    });
    expect(created.status).toBe(200);
    connectionId = created.body.connectionId as string;
    expect(created.body).toMatchObject({ namespaceDefinition: 'destination', status: 'active' });
    const done = await job(connectionId);
    expect(done).toMatchObject({ status: 'succeeded', jobType: 'sync', connectionId, rowsSynced: 12 });
    expect((done.bytesSynced as number) > 0).toBe(true);
    const attempts = done.attempts as { attempt: number; status: string; logs: { message: string }[] }[];
    expect(attempts).toHaveLength(1);
    expect(attempts[0].logs.map((l) => l.message).join('\n')).toContain('users: 12 records');
    expect(written()).toHaveLength(12);
  });

  test('the connection state is what the destination acknowledged, and a reset forgets it', async () => {
    const { body } = await call('GET', `/api/v1/connections/${connectionId}/state`);
    expect(body).toMatchObject({ stateType: 'stream' });
    const reset = await call('POST', `/api/v1/connections/${connectionId}/state/reset`, {
      streams: [{ name: 'users' }],
    });
    expect(reset.body).toMatchObject({ stateType: 'not_set', state: null });
  });

  test('jobs are listed per connection, newest first', async () => {
    const { body } = await call('GET', `/api/v1/jobs?connectionId=${connectionId}`);
    expect(body.data!.map((j) => j.connectionId)).toEqual([connectionId]);
  });

  test('a clear job empties the destination streams: overwrite with no records', async () => {
    const done = await job(connectionId, 'clear');
    expect(done).toMatchObject({ status: 'succeeded', jobType: 'clear', rowsSynced: 0 });
  });

  test('a source in use cannot be deleted; once its connection is gone it can', async () => {
    expect((await call('DELETE', `/api/v1/sources/${sourceId}`)).status).toBe(409);
    expect((await call('DELETE', `/api/v1/connections/${connectionId}`)).status).toBe(204);
    expect((await call('GET', `/api/v1/connections/${connectionId}`)).status).toBe(404);
    expect((await call('DELETE', `/api/v1/sources/${sourceId}`)).status).toBe(204);
  });

  test('the secret appeared in no response body and no log line', async () => {
    expect(bodies.filter((b) => b.includes(SECRET))).toEqual([]);
    const { rows } = await server.engine.db.query<{ n: string }>(
      'SELECT count(*) AS n FROM logs WHERE message LIKE $1',
      [`%${SECRET}%`],
    );
    expect(Number(rows[0].n)).toBe(0);
  });
});

describe('a connection with a cron schedule, on a real server', () => {
  let server: StartedCli;
  let base: string;
  let dir: string;
  beforeAll(async () => {
    await ensureCliBuilt();
    dir = await mkdtemp(path.join(tmpdir(), 'sluice-resources-cron-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    server = await startCli(['server', 'local', '--port', String(port)]);
    await until('server up', async () => (await fetch(`${base}/health`).catch(() => undefined))?.ok, 30_000);
  });
  afterAll(async () => {
    await server.stop();
    await server.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  const post = async (url: string, body: unknown) => {
    const res = await fetch(`${base}${url}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return (await res.json()) as Record<string, unknown>;
  };

  test('runs its syncs on time, and its jobs show the counts', async () => {
    const source = await post('/api/v1/sources', {
      name: 'faker',
      configuration: { sourceType: 'faker', count: 5 },
    });
    await post('/api/v1/connector_definitions', {
      name: 'jsonl',
      kind: 'destination',
      command: [process.execPath, path.join(FIXTURES, 'destination.mjs')],
    });
    const destination = await post('/api/v1/destinations', {
      name: 'file',
      configuration: { destinationType: 'jsonl', path: path.join(dir, 'dest.jsonl') },
    });
    const connection = await post('/api/v1/connections', {
      sourceId: source.sourceId,
      destinationId: destination.destinationId,
      configurations: { streams: [{ name: 'users' }] },
      schedule: { scheduleType: 'cron', cronExpression: '*/2 * * * * *' },
    });
    expect(connection).toMatchObject({ connectionId: expect.any(String) });
    const succeeded = await until(
      'a scheduled job succeeded',
      async () => {
        const res = await fetch(`${base}/api/v1/jobs?connectionId=${String(connection.connectionId)}`);
        const { data } = (await res.json()) as { data: { status: string; rowsSynced: number }[] };
        return data.find((j) => j.status === 'succeeded');
      },
      40_000,
    );
    expect(succeeded.rowsSynced).toBe(5);
  });
});
