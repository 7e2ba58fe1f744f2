import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createApiToken } from '../../../src/auth/api-tokens.js';
import { saveUser } from '../../../src/auth/users.js';
import { testDialects } from '../../support/databases.js';
import { startTestServer, type TestServer } from '../../support/server.js';

// The API with authentication on, through fastify's inject: each test speaks from an address of its
// own (light-my-request's remoteAddress), so that the failures one test provokes do not count
// against another in the per-address limit.

const basic = (name: string, password: string) =>
  `Basic ${Buffer.from(`${name}:${password}`).toString('base64')}`;
const MAX_FAILURES = 5;

describe.each(testDialects())('authentication on $name', (dialect) => {
  let server: TestServer;
  let app: FastifyInstance;
  let token: string;
  let address = 0;
  /** GET as a fresh client address */
  const get = (url: string, authorization?: string, remoteAddress = `10.0.0.${++address}`) =>
    app.inject({ method: 'GET', url, remoteAddress, headers: authorization ? { authorization } : {} });

  beforeAll(async () => {
    server = await startTestServer(dialect, {
      auth: { enabled: true, failureLimits: { maxFailures: MAX_FAILURES, windowMs: 60_000 } },
    });
    app = server.app;
    await saveUser(server.engine.db, 'ada', 'correct horse battery');
    ({ token } = await createApiToken(server.engine.db, { name: 'ci' }));
    await server.engine.deploy(`
id: hooked
namespace: test.auth
tasks:
  - id: t
    type: return
    format: ok
triggers:
  - id: hook
    type: io.kestra.plugin.core.trigger.Webhook
    key: hook-key-123-of-the-flow
`);
  });
  afterAll(async () => server?.stop());

  test('no credentials: 401 with a Basic challenge and the {message, details} shape', async () => {
    const response = await get('/api/v1/flows/search');
    expect([response.statusCode, response.headers['www-authenticate'], response.json()]).toEqual([
      401,
      'Basic realm="sluice"',
      { message: expect.stringMatching(/authentication required/), details: [] },
    ]);
  });

  test('a wrong password: 401', async () => {
    expect((await get('/api/v1/flows/search', basic('ada', 'wrong horse battery'))).statusCode).toBe(401);
  });

  test('an unknown user: 401, with the same message as a wrong password', async () => {
    const unknown = await get('/api/v1/flows/search', basic('nobody', 'correct horse battery'));
    const wrong = await get('/api/v1/flows/search', basic('ada', 'wrong horse battery'));
    expect([unknown.statusCode, unknown.json()]).toEqual([401, wrong.json()]);
  });

  test('a wrong token: 401', async () => {
    expect((await get('/api/v1/flows/search', `Bearer ${token}x`)).statusCode).toBe(401);
  });

  test('an Authorization header of another scheme: 401', async () => {
    expect((await get('/api/v1/flows/search', 'Digest username="ada"')).statusCode).toBe(401);
  });

  test('the right user name and password: 200', async () => {
    expect((await get('/api/v1/flows/search', basic('ada', 'correct horse battery'))).statusCode).toBe(200);
  });

  test('a valid bearer token: 200, and its use is recorded', async () => {
    const response = await get('/api/v1/flows/search', `Bearer ${token}`);
    const { rows } = await server.engine.db.query<{ used: boolean }>(
      "SELECT last_used IS NOT NULL AS used FROM api_tokens WHERE name = 'ci'",
    );
    expect([response.statusCode, rows[0].used]).toEqual([200, true]);
  });

  test('an expired token: 401', async () => {
    const expired = await createApiToken(server.engine.db, { expiresInMs: 1 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await get('/api/v1/flows/search', `Bearer ${expired.token}`)).statusCode).toBe(401);
  });

  test('/health, the root page and a webhook with its key answer without credentials', async () => {
    const responses = await Promise.all([
      get('/health'),
      get('/'),
      get('/api/v1/executions/webhook/test.auth/hooked/hook-key-123-of-the-flow'),
    ]);
    expect(responses.map((r) => r.statusCode)).toEqual([200, 200, 200]);
  });

  test('/metrics needs credentials', async () => {
    expect((await get('/metrics')).statusCode).toBe(401);
  });

  test('an unknown path under /api/ answers 401, not 404: probing maps no routes', async () => {
    expect((await get('/api/v1/no-such-route')).statusCode).toBe(401);
  });

  test('a percent-encoded spelling of an API path does not slip past', async () => {
    const responses = await Promise.all([get('/%61pi/v1/flows/search'), get('/api/v1/%66lows/search')]);
    expect(responses.map((r) => r.statusCode).filter((s) => s !== 401 && s !== 404)).toEqual([]);
  });

  test(`after ${MAX_FAILURES} failures from one address: 429 with Retry-After, even for the right password`, async () => {
    await saveUser(server.engine.db, 'linus', 'linus good password');
    const from = '10.1.0.1';
    const statuses: number[] = [];
    for (let i = 0; i < MAX_FAILURES; i++) {
      statuses.push((await get('/api/v1/flows/search', basic(`nobody-${i}`, 'guess'), from)).statusCode);
    }
    const blocked = await get('/api/v1/flows/search', basic('linus', 'linus good password'), from);
    expect([...statuses, blocked.statusCode, blocked.headers['retry-after'], blocked.json().details]).toEqual(
      [...Array<number>(MAX_FAILURES).fill(401), 429, expect.stringMatching(/^[1-9]\d*$/), []],
    );
  });

  test(`after ${MAX_FAILURES} failures for one user name from many addresses: that name gets 429 anywhere`, async () => {
    await saveUser(server.engine.db, 'grace', 'another good password');
    for (let i = 0; i < MAX_FAILURES; i++) await get('/api/v1/flows/search', basic('grace', `guess-${i}`));
    const from = '10.2.0.1';
    const user = await get('/api/v1/flows/search', basic('grace', 'another good password'), from);
    const program = await get('/api/v1/flows/search', `Bearer ${token}`, from);
    expect([user.statusCode, program.statusCode]).toEqual([429, 200]);
  });

  test('a request body over the limit (1 MiB by default): 413 in the {message, details} shape', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/executions/test.auth/hooked',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ big: 'x'.repeat(1024 * 1024) }),
    });
    expect([response.statusCode, response.json().details]).toEqual([413, []]);
  });
});
