import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testDialects } from '../../support/databases.js';
import { runOf, startTestEngine, type TestEngine } from '../../support/engine.js';

// Kestra's http.Download in real flows, against a real HTTP server on the loopback interface.

const BIG = 'x'.repeat(300_000);

function route(path: string, res: import('node:http').ServerResponse): void {
  switch (path) {
    case '/data/report.csv':
      res.writeHead(200, { 'content-type': 'text/csv' }).end('id,name\n1,ada\n');
      return;
    case '/named':
      res
        .writeHead(200, { 'content-disposition': 'attachment; filename="../../etc/export.json"' })
        .end('{"ok":true}');
      return;
    case '/big.txt':
      res.writeHead(200, { 'content-length': String(BIG.length) }).end(BIG);
      return;
    case '/empty.txt':
      res.writeHead(200).end();
      return;
    case '/short':
      // announces more than it sends, then closes
      res.writeHead(200, { 'content-length': '100' });
      res.write('only a little');
      res.socket?.destroy();
      return;
    default:
      res.writeHead(404, { 'content-length': '9' }).end('not found');
  }
}

describe.each(testDialects())('http Download on $name', (dialect) => {
  let engine: TestEngine;
  let server: Server;
  let base: string;
  beforeAll(async () => {
    engine = await startTestEngine(dialect);
    server = createServer((req, res) => route(new URL(req.url ?? '/', 'http://x').pathname, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await engine?.stop();
  });

  const read = async (uri: unknown) => text(await engine.storage.get(String(uri)));

  test('Download stores the body with the extension of the URL and outputs code, length and headers', async () => {
    const exec = await engine.run(`
id: download
namespace: test.http
tasks:
  - id: get
    type: io.kestra.plugin.core.http.Download
    uri: "${base}/data/report.csv?token=abc"
  - id: big
    type: io.kestra.plugin.fs.http.Download
    uri: "${base}/big.txt"
  - id: size
    type: file-size
    uri: "{{ outputs.big.uri }}"
`);
    expect(exec.state.current).toBe('SUCCESS');
    const get = runOf(exec, 'get').outputs!;
    expect(String(get.uri)).toMatch(/\.csv$/);
    expect(await read(get.uri)).toBe('id,name\n1,ada\n');
    expect(get).toMatchObject({ code: 200, length: 14 });
    expect((get.headers as Record<string, string[]>)['content-type']).toEqual(['text/csv']);
    expect(runOf(exec, 'big').outputs?.length).toBe(BIG.length);
    expect(runOf(exec, 'size').outputs).toEqual({ size: BIG.length });
  });

  test('a Content-Disposition filename names the file, without the path it tried to climb', async () => {
    const exec = await engine.run(`
id: download-named
namespace: test.http
tasks:
  - id: get
    type: download
    uri: "${base}/named"
`);
    const uri = String(runOf(exec, 'get').outputs?.uri);
    expect(uri).toMatch(/\/export\.json$/);
    expect(uri).toContain(exec.id);
    expect(await read(uri)).toBe('{"ok":true}');
  });

  test('an empty body fails the task, unless failOnEmptyResponse is false', async () => {
    const exec = await engine.run(`
id: download-empty
namespace: test.http
tasks:
  - id: lenient
    type: download
    uri: "${base}/empty.txt"
    failOnEmptyResponse: false
  - id: strict
    type: download
    uri: "${base}/empty.txt"
`);
    expect(runOf(exec, 'lenient').state.current).toBe('SUCCESS');
    expect(runOf(exec, 'lenient').outputs).toMatchObject({ length: 0, code: 200 });
    expect(runOf(exec, 'strict').state.current).toBe('FAILED');
    const logs = await engine.logs(exec.id);
    expect(logs.some((l) => l.taskId === 'lenient' && l.level === 'WARN' && /is empty/.test(l.message))).toBe(
      true,
    );
    expect(logs.some((l) => l.taskId === 'strict' && /No response from server/.test(l.message))).toBe(true);
  });

  test('an error status fails the task unless allowFailed, which keeps its code and headers', async () => {
    const exec = await engine.run(`
id: download-404
namespace: test.http
tasks:
  - id: allowed
    type: download
    uri: "${base}/missing"
    allowFailed: true
  - id: refused
    type: download
    uri: "${base}/missing"
`);
    expect(runOf(exec, 'allowed').state.current).toBe('SUCCESS');
    expect(runOf(exec, 'allowed').outputs).toMatchObject({ code: 404, length: 9 });
    expect(runOf(exec, 'refused').state.current).toBe('FAILED');
  });

  test('a body cut short of its Content-Length fails the task', async () => {
    const exec = await engine.run(`
id: download-short
namespace: test.http
tasks:
  - id: get
    type: download
    uri: "${base}/short"
`);
    expect(runOf(exec, 'get').state.current).toBe('FAILED');
  });
});
