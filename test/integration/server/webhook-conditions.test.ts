import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Execution } from '../../../src/engine/execution.js';
import { testDialects } from '../../support/databases.js';
import { startTestServer, type TestServer } from '../../support/server.js';

describe.each(testDialects())("a Webhook trigger's conditions on $name", (dialect) => {
  let app: FastifyInstance;
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer(dialect);
    app = server.app;
    await server.engine.deploy(`
id: guarded
namespace: test.webhook.conditions
tasks:
  - id: r
    type: return
    format: "{{ trigger.body.event }}"
triggers:
  - id: hook
    type: io.kestra.plugin.core.trigger.Webhook
    key: key-of-the-guarded-hook
    conditions:
      - type: io.kestra.plugin.core.condition.Expression
        expression: "{{ trigger.body.event == 'push' }}"
`);
  });
  afterAll(async () => server?.stop());

  async function executionCount(): Promise<number> {
    const { rows } = await server.engine.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM executions WHERE flow_id = 'guarded'`,
    );
    return rows[0].n;
  }

  const post = (payload: unknown) =>
    app.inject({
      method: 'POST',
      url: '/api/v1/executions/webhook/test.webhook.conditions/guarded/key-of-the-guarded-hook',
      payload: payload as Record<string, unknown>,
    });

  test('a request the conditions accept starts an execution', async () => {
    const response = await post({ event: 'push' });
    expect(response.statusCode).toBe(200);
    expect(response.json<Execution>().flowId).toBe('guarded');
  });

  test('a request the conditions refuse answers 204 and starts nothing', async () => {
    const before = await executionCount();
    const response = await post({ event: 'ping' });
    expect(response.statusCode).toBe(204);
    expect(await executionCount()).toBe(before);
  });
});
