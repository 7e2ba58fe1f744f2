import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testDialects } from '../../support/databases.js';
import { startTestServer, type TestServer } from '../../support/server.js';
import { until } from '../../support/until.js';

// check and discover run a connector process with a stored configuration, in the webserver, outside
// any task: what the connector says comes back in the answer. A connector that quotes its secret
// field in its failure, its stderr or its catalog must show the mask there, as a sync task's logs do;
// and a job's answer, which quotes the sync's logs, too.

const CONNECTOR = fileURLToPath(new URL('../../fixtures/connectors/leaky-connector.mjs', import.meta.url));
const KEY = 'ApiKey-CHECKLEAK-5150';

interface Answer {
  status: number;
  text: string;
  body: Record<string, unknown>;
}

describe.each(testDialects())('check and discover answers on $name', (dialect) => {
  let server: TestServer;
  const answers: string[] = [];

  async function call(method: string, url: string, payload?: unknown): Promise<Answer> {
    const response = await fetch(`${server.base}${url}`, {
      method,
      ...(payload !== undefined && {
        body: JSON.stringify(payload),
        headers: { 'content-type': 'application/json' },
      }),
    });
    const text = await response.text();
    answers.push(text);
    return { status: response.status, text, body: JSON.parse(text) as Record<string, unknown> };
  }

  const actor = async (kind: 'source' | 'destination', mode: string) => {
    const type = `${kind}Type`;
    const created = await call('POST', `/api/v1/${kind}s`, {
      name: `leaky ${mode}`,
      configuration: { [type]: `leaky-${kind}`, api_key: KEY, mode },
    });
    expect(created.status).toBe(200);
    return created.body[`${kind}Id`] as string;
  };

  beforeAll(async () => {
    server = await startTestServer(dialect, { listen: true });
    for (const kind of ['source', 'destination']) {
      const registered = await call('POST', '/api/v1/connector_definitions', {
        name: `leaky-${kind}`,
        kind,
        command: [process.execPath, path.resolve(CONNECTOR)],
      });
      expect(registered.status).toBe(201);
    }
  });
  afterAll(async () => server?.stop());

  test('a failed source check shows the mask where the connector quoted the key', async () => {
    const id = await actor('source', 'trace');
    const { body } = await call('POST', `/api/v1/sources/${id}/check`);
    expect(body).toEqual({ status: 'failed', message: 'source check failed: auth failed for key ******' });
  });

  test('a failed destination check too', async () => {
    const id = await actor('destination', 'trace');
    const { body } = await call('POST', `/api/v1/destinations/${id}/check`);
    expect(body).toEqual({
      status: 'failed',
      message: 'destination check failed: auth failed for key ******',
    });
  });

  test('a discover that fails with a TRACE error quoting the key answers 422 with the mask', async () => {
    const id = await actor('source', 'trace');
    const { status, body } = await call('POST', `/api/v1/sources/${id}/discover?refresh=true`);
    expect([status, body.message]).toEqual([
      422,
      'source discover failed (config_error): discover failed with key ******',
    ]);
  });

  test('a discover that crashes after printing the key on stderr answers 422 with the mask in the quoted lines', async () => {
    const id = await actor('source', 'crash');
    const { status, text } = await call('POST', `/api/v1/sources/${id}/discover?refresh=true`);
    expect([status, text.includes('https://api.example/?key=******')]).toEqual([422, true]);
  });

  test('a catalog that quotes the key is answered and cached with the mask', async () => {
    const id = await actor('source', 'ok');
    const { status, body } = await call('POST', `/api/v1/sources/${id}/discover?refresh=true`);
    const { rows } = await server.engine.db.query<{ catalog: unknown }>(
      'SELECT catalog FROM actors WHERE id = $1',
      [id],
    );
    const description = (catalog: unknown) =>
      (catalog as { streams: { json_schema: { description: string } }[] }).streams[0].json_schema.description;
    expect([status, description(body.catalog), description(rows[0].catalog)]).toEqual([
      200,
      'items visible to ******',
      'items visible to ******',
    ]);
  });

  test('a sync job whose connectors log the key: the job with its attempts’ logs, and the job list, show the mask', async () => {
    const sourceId = await actor('source', 'ok');
    const destinationId = await actor('destination', 'ok');
    const connection = await call('POST', '/api/v1/connections', { sourceId, destinationId });
    const connectionId = connection.body.connectionId as string;
    const started = await call('POST', '/api/v1/jobs', { connectionId, jobType: 'sync' });
    const done = await until(
      'the job ended',
      async () => {
        const { body } = await call('GET', `/api/v1/jobs/${String(started.body.jobId)}`);
        return ['succeeded', 'failed'].includes(body.status as string) ? body : undefined;
      },
      30_000,
    );
    const listed = await call('GET', `/api/v1/jobs?connectionId=${connectionId}`);
    const logs = (done.attempts as { logs: { message: string }[] }[]).flatMap((a) =>
      a.logs.map((l) => l.message),
    );
    expect([done.status, done.rowsSynced, listed.status, logs]).toEqual([
      'succeeded',
      1,
      200,
      expect.arrayContaining([
        expect.stringContaining('reading with key ******'),
        expect.stringContaining('writing with key ******'),
        expect.stringContaining('https://api.example/items?key=******'),
      ]),
    ]);
  });

  test('no answer, and no stored actor, holds the key in clear', async () => {
    const { rows } = await server.engine.db.query<{ text: string }>(
      "SELECT configuration::text || coalesce(catalog::text, '') AS text FROM actors",
    );
    expect([
      answers.filter((a) => a.includes(KEY)),
      rows.filter((r) => r.text.includes(KEY)),
      rows.length,
    ]).toEqual([[], [], 7]);
  });
});
