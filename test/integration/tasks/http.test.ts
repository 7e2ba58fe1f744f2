import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { text } from 'node:stream/consumers';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { TaskDef } from '../../../src/flow/model.js';
import { HTTP_REQUEST_TYPE, HttpRequest } from '../../../src/tasks/http/request.js';
import { createTestRunContext, type TestRunContext } from '../../support/run-context.js';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

const routes: Record<string, Handler> = {
  '/hello': (_req, res) => {
    res.setHeader('content-type', 'text/plain');
    res.setHeader('x-custom', 'yes');
    res.setHeader('set-cookie', ['a=1', 'b=2']);
    res.end('hello');
  },
  '/json': (_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end('{"ok":true}');
  },
  '/echo': (req, res, body) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ method: req.method, headers: req.headers, body }));
  },
  '/empty': (_req, res) => {
    res.statusCode = 204;
    res.end();
  },
  '/missing': (_req, res) => {
    res.statusCode = 404;
    res.end('nope');
  },
  '/redirect': (_req, res) => {
    res.statusCode = 302;
    res.setHeader('location', '/hello');
    res.end();
  },
  '/big': (_req, res) => {
    res.end('x'.repeat(4096));
  },
  '/big-chunked': (_req, res) => {
    for (let i = 0; i < 8; i++) res.write('x'.repeat(512));
    res.end();
  },
  '/binary': (_req, res) => {
    res.end(Buffer.from([0xff, 0xfe, 0x00]));
  },
  // never answers: for timeouts and kills
  '/hang': () => undefined,
  // answers, then stalls mid-body
  '/stall': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('partial');
  },
};

let server: Server;
let base: string;
let t: TestRunContext;
const http = new HttpRequest({ maxBodyBytes: 1024 });

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const body = await text(req);
    const route = routes[new URL(req.url ?? '/', 'http://x').pathname];
    if (route) route(req, res, body);
    else {
      res.statusCode = 500;
      res.end('no route');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(async () => {
  t = await createTestRunContext();
});

afterEach(async () => {
  await t.cleanup();
});

/** The URL of a port nothing listens on any more. */
async function closedPortUrl(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return `http://127.0.0.1:${port}`;
}

function request(props: Record<string, unknown>): TaskDef {
  return { id: 'req', type: HTTP_REQUEST_TYPE, ...props };
}

async function echo(
  props: Record<string, unknown>,
): Promise<{ method: string; headers: Record<string, string>; body: string }> {
  const result = await http.run(request({ uri: `${base}/echo`, ...props }), t.ctx);
  return JSON.parse(result.outputs?.body as string);
}

describe('responses', () => {
  test('a GET outputs uri, code and the body as text', async () => {
    const result = await http.run(request({ uri: `${base}/hello` }), t.ctx);
    expect(result.outputs).toMatchObject({ uri: `${base}/hello`, code: 200, body: 'hello' });
  });

  test('response headers are lower-case names mapped to lists of values', async () => {
    const result = await http.run(request({ uri: `${base}/hello` }), t.ctx);
    expect(result.outputs?.headers).toMatchObject({ 'x-custom': ['yes'], 'content-type': ['text/plain'] });
  });

  test('Set-Cookie values stay apart', async () => {
    const result = await http.run(request({ uri: `${base}/hello` }), t.ctx);
    expect(result.outputs?.headers).toMatchObject({ 'set-cookie': ['a=1', 'b=2'] });
  });

  test('a JSON response body stays a string', async () => {
    const result = await http.run(request({ uri: `${base}/json` }), t.ctx);
    expect(result.outputs?.body).toBe('{"ok":true}');
  });

  test('an empty response has a null body', async () => {
    const result = await http.run(request({ uri: `${base}/empty` }), t.ctx);
    expect(result.outputs).toMatchObject({ code: 204, body: null });
  });

  test('redirects are followed by default', async () => {
    const result = await http.run(request({ uri: `${base}/redirect` }), t.ctx);
    expect(result.outputs).toMatchObject({ code: 200, body: 'hello' });
  });

  test('followRedirects false returns the redirect itself', async () => {
    const result = await http.run(
      request({ uri: `${base}/redirect`, options: { followRedirects: false } }),
      t.ctx,
    );
    expect(result.outputs?.code).toBe(302);
  });
});

describe('requests', () => {
  test('the method is sent upper-cased', async () => {
    expect((await echo({ method: 'delete' })).method).toBe('DELETE');
  });

  test('headers are sent', async () => {
    expect((await echo({ headers: { 'X-Token': 'abc' } })).headers['x-token']).toBe('abc');
  });

  test('a map body is sent as JSON with content-type application/json', async () => {
    const sent = await echo({ method: 'POST', body: { name: 'sluice', tags: [1, 2] } });
    expect([sent.headers['content-type'], JSON.parse(sent.body)]).toEqual([
      'application/json',
      { name: 'sluice', tags: [1, 2] },
    ]);
  });

  test('a string body is sent as-is with its contentType', async () => {
    const sent = await echo({ method: 'POST', body: 'plain words', contentType: 'text/plain' });
    expect([sent.headers['content-type'], sent.body]).toEqual(['text/plain', 'plain words']);
  });

  test('a content-type header of the flow wins over contentType', async () => {
    const sent = await echo({ method: 'POST', body: 'x', headers: { 'Content-Type': 'text/csv' } });
    expect(sent.headers['content-type']).toBe('text/csv');
  });

  test('formData is sent URL-encoded', async () => {
    const sent = await echo({ method: 'POST', formData: { user: 'ann', note: 'a&b' } });
    expect([sent.headers['content-type'], sent.body]).toEqual([
      'application/x-www-form-urlencoded',
      'user=ann&note=a%26b',
    ]);
  });

  test('multipart formData sends a stored file by its URI', async () => {
    const uri = await t.storage.put('files/report.csv', 'a,b\n1,2\n');
    const sent = await echo({
      method: 'POST',
      contentType: 'multipart/form-data',
      formData: { file: uri, who: 'ann' },
    });
    expect(sent.body).toMatch(
      /filename="report.csv"\r\nContent-Type: application\/octet-stream\r\n\r\na,b\n1,2\n/,
    );
  });

  test('basic auth becomes an Authorization header', async () => {
    const sent = await echo({ auth: { type: 'BASIC', username: 'ann', password: 'pw' } });
    expect(sent.headers.authorization).toBe(`Basic ${Buffer.from('ann:pw').toString('base64')}`);
  });
});

describe('failures', () => {
  test('a 404 fails the task with the response code', async () => {
    await expect(http.run(request({ uri: `${base}/missing` }), t.ctx)).rejects.toThrow(
      "Failed http request with response code '404'",
    );
  });

  test('allowFailed keeps the 404 response', async () => {
    const result = await http.run(request({ uri: `${base}/missing`, allowFailed: true }), t.ctx);
    expect(result.outputs).toMatchObject({ code: 404, body: 'nope' });
  });

  test('options.allowFailed keeps the 404 response too', async () => {
    const result = await http.run(
      request({ uri: `${base}/missing`, options: { allowFailed: 'true' } }),
      t.ctx,
    );
    expect(result.outputs?.code).toBe(404);
  });

  test('allowedResponseCodes accepts a listed error code', async () => {
    const result = await http.run(
      request({ uri: `${base}/missing`, options: { allowedResponseCodes: [404] } }),
      t.ctx,
    );
    expect(result.outputs?.code).toBe(404);
  });

  test('a server that does not answer times out after readIdleTimeout', async () => {
    const started = Date.now();
    await expect(
      http.run(request({ uri: `${base}/hang`, options: { timeout: { readIdleTimeout: 'PT0.2S' } } }), t.ctx),
    ).rejects.toThrow(`Request to ${base}/hang timed out`);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test('a body that stalls times out after the deprecated readTimeout', async () => {
    await expect(
      http.run(request({ uri: `${base}/stall`, options: { readTimeout: 'PT0.2S' } }), t.ctx),
    ).rejects.toThrow('no data received for PT0.2S');
  });

  test('a kill aborts the request', async () => {
    const running = http.run(request({ uri: `${base}/hang` }), t.ctx);
    setTimeout(() => t.abort('killed by the user'), 100);
    await expect(running).rejects.toThrow('aborted: killed by the user');
  });

  test('a body larger than the cap fails and points to the Download task', async () => {
    await expect(http.run(request({ uri: `${base}/big` }), t.ctx)).rejects.toThrow(
      /larger than 1024 bytes.*io\.kestra\.plugin\.core\.http\.Download/,
    );
  });

  test('a chunked body growing past the cap fails too', async () => {
    await expect(http.run(request({ uri: `${base}/big-chunked` }), t.ctx)).rejects.toThrow(
      'larger than 1024 bytes',
    );
  });

  test('a body that is not UTF-8 fails and points to the Download task', async () => {
    await expect(http.run(request({ uri: `${base}/binary` }), t.ctx)).rejects.toThrow('not valid UTF-8');
  });

  test('a refused connection fails with the cause', async () => {
    const closed = await closedPortUrl();
    await expect(http.run(request({ uri: `${closed}/x` }), t.ctx)).rejects.toThrow(
      `Request to ${closed}/x failed: connect ECONNREFUSED`,
    );
  });

  test('a non-http URI is refused', async () => {
    await expect(http.run(request({ uri: 'file:///etc/passwd' }), t.ctx)).rejects.toThrow('must be an http');
  });

  test('encryptBody is refused rather than ignored', async () => {
    await expect(http.run(request({ uri: `${base}/hello`, encryptBody: true }), t.ctx)).rejects.toThrow(
      'encryptBody is not supported',
    );
  });

  test('error messages leave the query string out', async () => {
    const closed = await closedPortUrl();
    await expect(http.run(request({ uri: `${closed}/x?apiKey=secret` }), t.ctx)).rejects.toSatisfy(
      (error: Error) =>
        error.message.startsWith(`Request to ${closed}/x failed`) && !error.message.includes('secret'),
    );
  });
});
