import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { waitForExecutionEnd } from '../../../src/app/executions.js';
import type { Execution } from '../../../src/engine/execution.js';
import { testDialects } from '../../support/databases.js';
import { runOf, type TestEngine } from '../../support/engine.js';
import { startTestServer, type TestServer } from '../../support/server.js';

describe.each(testDialects())('the Webhook trigger on $name', (dialect) => {
  let engine: TestEngine;
  let app: FastifyInstance;
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer(dialect);
    ({ engine, app } = server);
    await engine.deploy(`
id: hooked
namespace: test.webhook
inputs:
  - id: who
    type: STRING
tasks:
  - id: greet
    type: return
    format: "{{ inputs.who }} via {{ trigger.headers['x-source'] }} ({{ trigger.body.n }})"
triggers:
  - id: hook
    type: io.kestra.plugin.core.trigger.Webhook
    key: s3cr3t-key-of-the-hook
    inputs:
      who: "{{ trigger.body.name }}"
`);
  });
  afterAll(async () => server?.stop());

  test('POST with the key starts an execution with the body and headers as trigger variables', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/executions/webhook/test.webhook/hooked/s3cr3t-key-of-the-hook',
      headers: { 'x-source': 'ci' },
      payload: { name: 'ada', n: 7 },
    });
    expect(response.statusCode).toBe(200);
    const done = await waitForExecutionEnd(engine.db, response.json<Execution>().id, 100);
    expect(runOf(done, 'greet').outputs).toEqual({ value: 'ada via ci (7)' });
    expect(done.trigger?.type).toBe('io.kestra.plugin.core.trigger.Webhook');
  });

  test('a wrong key and an unknown flow both answer 404, alike', async () => {
    const wrong = await app.inject({
      method: 'POST',
      url: '/api/v1/executions/webhook/test.webhook/hooked/guess',
    });
    const unknown = await app.inject({
      method: 'GET',
      url: '/api/v1/executions/webhook/test.webhook/nope/s3cr3t-key-of-the-hook',
    });
    expect([wrong.statusCode, unknown.statusCode]).toEqual([404, 404]);
    expect(wrong.json().message.includes('s3cr3t')).toBe(false);
  });

  test('credential headers are neither stored in the execution nor echoed back; other headers are', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/executions/webhook/test.webhook/hooked/s3cr3t-key-of-the-hook',
      headers: {
        authorization: 'Basic YWRtaW46cGFzc3dvcmQ=',
        cookie: 'session=abc123',
        'proxy-authorization': 'Basic eDp5',
        'x-api-key': 'k-123',
        'x-gitlab-token': 't-456',
        'x-hub-signature-256': 'sha256=00ff',
        'x-source': 'ci',
      },
      payload: { name: 'ada', n: 1 },
    });
    const stored = await engine.db.query<{ doc: string }>(
      'SELECT doc::text AS doc FROM executions WHERE id = $1',
      [response.json<Execution>().id],
    );
    const headers = response.json<{ trigger: { variables: { headers: Record<string, string> } } }>().trigger
      .variables.headers;
    expect([
      Object.keys(headers)
        .filter((h) => h.startsWith('x-'))
        .sort(),
      ['YWRtaW46', 'abc123', 'eDp5', 'k-123', 't-456'].filter((secret) =>
        (JSON.stringify(response.json()) + stored.rows[0].doc).includes(secret),
      ),
    ]).toEqual([['x-hub-signature-256', 'x-source'], []]);
  });

  test('wrong keys from one address are limited like failed logins: 429 with Retry-After, other callers go on', async () => {
    const call = (key: string, remoteAddress: string) =>
      app.inject({
        method: 'POST',
        url: `/api/v1/executions/webhook/test.webhook/hooked/${key}`,
        remoteAddress,
        payload: { name: 'x' },
      });
    const codes = [];
    for (let i = 0; i < 11; i++) codes.push((await call(`guess-${i}`, '10.1.1.1')).statusCode);
    const blocked = await call('s3cr3t-key-of-the-hook', '10.1.1.1');
    const other = await call('s3cr3t-key-of-the-hook', '10.1.1.2');
    expect([codes, blocked.statusCode, blocked.headers['retry-after'], other.statusCode]).toEqual([
      [...Array<number>(10).fill(404), 429],
      429,
      expect.stringMatching(/^[1-9]\d*$/),
      200,
    ]);
  });

  test('inputs the request cannot fill: 422 and no execution', async () => {
    const response = await app.inject({
      method: 'PUT',
      url: '/api/v1/executions/webhook/test.webhook/hooked/s3cr3t-key-of-the-hook',
      payload: { other: 1 },
    });
    expect(response.statusCode).toBe(422);
  });
});
