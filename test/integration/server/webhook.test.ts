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
    key: s3cr3t-key
    inputs:
      who: "{{ trigger.body.name }}"
`);
  });
  afterAll(async () => server?.stop());

  test('POST with the key starts an execution with the body and headers as trigger variables', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/executions/webhook/test.webhook/hooked/s3cr3t-key',
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
      url: '/api/v1/executions/webhook/test.webhook/nope/s3cr3t-key',
    });
    expect([wrong.statusCode, unknown.statusCode]).toEqual([404, 404]);
    expect(wrong.json().message.includes('s3cr3t')).toBe(false);
  });

  test('inputs the request cannot fill: 422 and no execution', async () => {
    const response = await app.inject({
      method: 'PUT',
      url: '/api/v1/executions/webhook/test.webhook/hooked/s3cr3t-key',
      payload: { other: 1 },
    });
    expect(response.statusCode).toBe(422);
  });
});
