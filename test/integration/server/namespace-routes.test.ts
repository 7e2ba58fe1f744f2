import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testDialects } from '../../support/databases.js';
import { startTestServer, type TestServer } from '../../support/server.js';

describe.each(testDialects())('GET /api/v1/namespaces/search on $name', (dialect) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer(dialect);
    await server.engine.deploy(
      'id: f\nnamespace: acme.sales.eu\ntasks:\n  - id: t\n    type: log\n    message: hi\n',
    );
    const { app } = server;
    await app.inject({
      method: 'PUT',
      url: '/api/v1/namespaces/acme/kv/region',
      headers: { 'content-type': 'text/plain' },
      payload: '"eu"',
    });
    await app.inject({
      method: 'PUT',
      url: '/api/v1/namespaces/acme.ops/secrets',
      payload: { key: 'TOKEN', value: 'never-shown' },
    });
  });
  afterAll(async () => server?.stop());

  test('namespaces with flows, KV pairs or secrets, with their parents, and what each holds', async () => {
    const response = await server.app.inject({ method: 'GET', url: '/api/v1/namespaces/search' });
    expect(response.json().results).toEqual([
      { id: 'acme', flows: 0, files: 0, kv: 1, secrets: 0 },
      { id: 'acme.ops', flows: 0, files: 0, kv: 0, secrets: 1 },
      { id: 'acme.sales', flows: 0, files: 0, kv: 0, secrets: 0 },
      { id: 'acme.sales.eu', flows: 1, files: 0, kv: 0, secrets: 0 },
    ]);
    expect(response.body).not.toContain('never-shown');
  });
});
