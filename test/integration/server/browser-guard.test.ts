import { request } from 'node:http';
import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testDialects } from '../../support/databases.js';
import { startTestServer, type TestServer } from '../../support/server.js';

// DESIGN.md's contract "The API in a browser", over a real socket: every state-changing route the
// server registers, a route added later included, refuses a request from another origin's page
// before its handler runs; a Host that is not one of the server's names gets no answer.

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
const WEBHOOK = '/api/v1/executions/webhook/:namespace/:flowId/:key';
const EVIL = 'http://evil.example';

/** The bodies a page may send to any origin without a preflight (CORS-safelisted types). */
const SIMPLE_BODIES: Array<[string, string]> = [
  ['text/plain', 'id: x\nnamespace: evil\ntasks: []\n'],
  [
    'multipart/form-data; boundary=xyz',
    '--xyz\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--xyz--\r\n',
  ],
  ['application/x-www-form-urlencoded', 'a=b'],
];

/** fetch sets Host itself, as browsers do: a rebinding page's Host is sent through node:http. */
function withHost(
  base: string,
  method: string,
  path: string,
  host: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method, headers: { host } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end();
  });
}

const concrete = (url: string) => url.replace(/:\w+/g, 'x').replace('*', 'x');

describe.each(testDialects())('the API in a browser on $name', (dialect) => {
  let server: TestServer;
  const send = (method: string, url: string, headers: Record<string, string>, body?: string) =>
    fetch(`${server.base}${url}`, { method, headers, body, redirect: 'manual' });

  beforeAll(async () => {
    server = await startTestServer(dialect, {
      listen: true,
      browser: {
        host: '127.0.0.1',
        allowedHosts: ['sluice.example.com'],
        allowedOrigins: ['http://trusted.example:3000'],
      },
    });
  });
  afterAll(async () => server?.stop());

  const stateChanging = () => server.routes.filter((r) => !SAFE.has(r.method) && r.url !== WEBHOOK);

  test('the registered state-changing routes include every family the API has', () => {
    const urls = new Set(stateChanging().map((r) => r.url.split('/').slice(0, 4).join('/')));
    expect([...urls].sort()).toEqual(
      expect.arrayContaining([
        '/api/v1/connections',
        '/api/v1/connector_definitions',
        '/api/v1/destinations',
        '/api/v1/executions',
        '/api/v1/flows',
        '/api/v1/jobs',
        '/api/v1/namespaces',
        '/api/v1/sources',
        '/api/v1/triggers',
      ]),
    );
  });

  test('every state-changing route refuses each CORS-safelisted body from another origin with 403', async () => {
    const answers: string[] = [];
    for (const { method, url } of stateChanging()) {
      for (const [type, body] of SIMPLE_BODIES) {
        const response = await send(method, concrete(url), { origin: EVIL, 'content-type': type }, body);
        const json = (await response.json()) as { message: string; details: unknown[] };
        if (response.status !== 403 || !json.message.includes(EVIL) || json.details.length !== 0)
          answers.push(`${method} ${url} (${type}): ${response.status} ${JSON.stringify(json)}`);
      }
    }
    expect(answers).toEqual([]);
  });

  test('without Origin, Sec-Fetch-Site cross-site or same-site is refused on every state-changing route', async () => {
    const answers: string[] = [];
    for (const { method, url } of stateChanging()) {
      for (const site of ['cross-site', 'same-site']) {
        const response = await send(
          method,
          concrete(url),
          { 'sec-fetch-site': site, 'content-type': 'text/plain' },
          'x',
        );
        if (response.status !== 403) answers.push(`${method} ${url} (${site}): ${response.status}`);
      }
    }
    expect(answers).toEqual([]);
  });

  test('the same origin, a configured origin and a client without Origin (curl, the CLI) pass the guard', async () => {
    const yaml = 'id: own\nnamespace: test.guard\ntasks:\n  - id: a\n    type: log\n    message: hi\n';
    const post = (headers: Record<string, string>) =>
      send('POST', '/api/v1/flows/validate', { 'content-type': 'application/x-yaml', ...headers }, yaml);
    const statuses = [
      (await post({ origin: server.base, 'sec-fetch-site': 'same-origin' })).status,
      (await post({ origin: 'http://trusted.example:3000' })).status,
      (await post({})).status,
      (await post({ 'sec-fetch-site': 'none' })).status,
    ];
    expect(statuses).toEqual([200, 200, 200, 200]);
  });

  test('a foreign Host (DNS rebinding) gets 421 and no data, on reads and writes alike', async () => {
    await server.engine.deploy(
      'id: secret-flow\nnamespace: test.guard\ntasks:\n  - id: a\n    type: log\n    message: m\n',
    );
    const answers = [];
    for (const [method, url] of [
      ['GET', '/api/v1/flows/search'],
      ['GET', '/api/v1/flows/test.guard/secret-flow'],
      ['GET', '/'],
      ['POST', '/api/v1/flows/validate'],
    ]) {
      const { status, text } = await withHost(
        server.base,
        method,
        url,
        `evil.example:${new URL(server.base).port}`,
      );
      answers.push([status, text.includes('secret-flow')]);
    }
    expect(answers).toEqual(Array(4).fill([421, false]));
  });

  test('the server answers to its address, loopback names, IP addresses and the configured names', async () => {
    const port = new URL(server.base).port;
    const statuses = [];
    for (const host of [
      `127.0.0.1:${port}`,
      `localhost:${port}`,
      `[::1]:${port}`,
      '10.1.2.3',
      'SLUICE.example.com',
      `sluice.example.com:${port}`,
    ]) {
      statuses.push((await withHost(server.base, 'GET', '/health', host)).status);
    }
    const refused = [];
    for (const host of [
      'evil.example@127.0.0.1',
      'localhost.evil.example',
      'example.com',
      hostname() === 'sluice.example.com' ? 'x.y' : hostname(),
    ]) {
      refused.push((await withHost(server.base, 'GET', '/health', host)).status);
    }
    expect([statuses, refused]).toEqual([Array(6).fill(200), Array(4).fill(421)]);
  });

  test('CORS: a configured origin gets its preflight answered; any other origin gets no CORS header', async () => {
    const preflight = (origin: string) =>
      send('OPTIONS', '/api/v1/flows', {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      });
    const trusted = await preflight('http://trusted.example:3000');
    const other = await preflight(EVIL);
    expect([
      trusted.status,
      trusted.headers.get('access-control-allow-origin'),
      other.headers.get('access-control-allow-origin'),
    ]).toEqual([204, 'http://trusted.example:3000', null]);
  });
});

describe('a server without configured origins', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(testDialects()[0], { listen: true });
  });
  afterAll(async () => server?.stop());

  test('sends no CORS header, to a preflight or a request', async () => {
    const preflight = await fetch(`${server.base}/api/v1/flows`, {
      method: 'OPTIONS',
      headers: { origin: EVIL, 'access-control-request-method': 'POST' },
    });
    const read = await fetch(`${server.base}/api/v1/flows/search`, { headers: { origin: EVIL } });
    const corsHeaders = [...preflight.headers.keys(), ...read.headers.keys()].filter((h) =>
      h.startsWith('access-control-'),
    );
    expect([preflight.status, corsHeaders]).toEqual([404, []]);
  });
});
