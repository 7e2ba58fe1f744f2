import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createSecretStore } from '../../../src/secrets/secret-store.js';
import { testDialects } from '../../support/databases.js';
import { runOf, TEST_CIPHER, type TestEngine } from '../../support/engine.js';
import { startTestServer, type TestServer } from '../../support/server.js';

const VALUE = 'pa55-w0rd-that-must-never-show';

describe.each(testDialects())('namespace secrets through the API on $name', (dialect) => {
  let server: TestServer;
  let app: FastifyInstance;
  let engine: TestEngine;
  const put = (namespace: string, body: unknown) =>
    app.inject({ method: 'PUT', url: `/api/v1/namespaces/${namespace}/secrets`, payload: body as object });

  beforeAll(async () => {
    server = await startTestServer(dialect, {
      engine: { secrets: (q) => createSecretStore(q, TEST_CIPHER) },
    });
    ({ app, engine } = server);
  });
  afterAll(async () => server?.stop());

  test('a secret put through the API answers its key alone and is stored encrypted', async () => {
    const response = await put('acme', { key: 'DB_PASSWORD', value: VALUE });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ key: 'DB_PASSWORD' });
    const { rows } = await engine.db.query<{ value: string }>(
      `SELECT value FROM secrets WHERE key = 'DB_PASSWORD'`,
    );
    expect(rows[0].value).not.toContain(VALUE);
  });

  test('listing gives keys, never values, and a child lists what it inherits', async () => {
    await put('acme.team', { key: 'TEAM_TOKEN', value: 'team-token-value' });
    const own = await app.inject({ method: 'GET', url: '/api/v1/namespaces/acme/secrets' });
    expect(own.json()).toEqual({ results: [{ key: 'DB_PASSWORD' }], total: 1 });
    expect(own.body).not.toContain(VALUE);
    const inherited = await app.inject({
      method: 'GET',
      url: '/api/v1/namespaces/acme.team/inherited-secrets',
    });
    expect(inherited.json()).toEqual({ acme: ['DB_PASSWORD'] });
  });

  test('secret() reads it in the namespace and its children, not in another namespace', async () => {
    const flow = (namespace: string) => `
id: uses-secret
namespace: ${namespace}
tasks:
  - id: check
    type: return
    format: "{{ secret('DB_PASSWORD') == '${VALUE}' }}"
`;
    const child = await engine.run(flow('acme.team.sub'));
    expect(runOf(child, 'check').outputs).toEqual({ value: 'true' });
    const own = await engine.run(flow('acme'));
    expect(runOf(own, 'check').outputs).toEqual({ value: 'true' });
    const other = await engine.run(flow('other'));
    expect(runOf(other, 'check').state.current).toBe('FAILED');
    expect(runOf(other, 'check').error).toMatch(/secret 'DB_PASSWORD' not found/);
  });

  test('a bad key, an empty value or an unknown field is refused; delete forgets the secret', async () => {
    expect((await put('acme', { key: '../x', value: 'v' })).statusCode).toBe(400);
    expect((await put('acme', { key: 'K', value: '' })).statusCode).toBe(400);
    expect((await put('acme', { key: 'K', value: 'v', extra: 1 })).statusCode).toBe(400);
    await put('acme', { key: 'TEMP', value: 'temporary' });
    const deleted = await app.inject({ method: 'DELETE', url: '/api/v1/namespaces/acme/secrets/TEMP' });
    expect(deleted.statusCode).toBe(204);
    expect(
      (await app.inject({ method: 'DELETE', url: '/api/v1/namespaces/acme/secrets/TEMP' })).statusCode,
    ).toBe(404);
  });
});

describe('namespace routes behind authentication', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(testDialects()[0], { auth: { enabled: true } });
  });
  afterAll(async () => server?.stop());

  test('the KV, files and secrets routes answer 401 without credentials', async () => {
    const requests = [
      { method: 'GET', url: '/api/v1/namespaces/acme/kv' },
      { method: 'PUT', url: '/api/v1/namespaces/acme/kv/k', payload: '1' },
      { method: 'GET', url: '/api/v1/namespaces/acme/files/directory' },
      { method: 'DELETE', url: '/api/v1/namespaces/acme/files?path=/a' },
      { method: 'GET', url: '/api/v1/namespaces/acme/secrets' },
      { method: 'PUT', url: '/api/v1/namespaces/acme/secrets', payload: { key: 'K', value: 'v' } },
    ] as const;
    for (const request of requests) {
      expect((await server.app.inject(request)).statusCode, `${request.method} ${request.url}`).toBe(401);
    }
  });
});
