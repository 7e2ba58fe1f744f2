import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testDialects } from '../../support/databases.js';
import { runOf, runsOf, startTestEngine, type TestEngine } from '../../support/engine.js';

// Every runnable task type (shell and Node scripts, HTTP) inside a real flow: deployed, run by the
// executor and a worker through the queue, outputs passed on to later tasks through expressions.

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A real HTTP server on 127.0.0.1 that records what it receives:
 * GET /hello → JSON greeting, POST /echo → the request body back, anything else → 404. */
async function startHttpServer(): Promise<{ server: Server; base: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      if (req.method === 'GET' && req.url === '/hello') {
        res.writeHead(200, { 'content-type': 'application/json', 'x-served-by': 'test' });
        res.end(JSON.stringify({ greeting: 'hello', who: req.headers['x-who'] ?? null }));
      } else if (req.method === 'POST' && req.url === '/echo') {
        res.writeHead(201, { 'content-type': req.headers['content-type'] ?? 'text/plain' });
        res.end(body);
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('no such thing');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, base: `http://127.0.0.1:${port}`, received };
}

describe.each(testDialects())('script and HTTP tasks in flows on $name', (dialect) => {
  let engine: TestEngine;
  let http: Awaited<ReturnType<typeof startHttpServer>>;
  beforeAll(async () => {
    [engine, http] = await Promise.all([startTestEngine(dialect), startHttpServer()]);
  });
  afterAll(async () => {
    await engine?.stop();
    await new Promise((resolve) => http?.server.close(resolve));
  });

  // ------------------------------------------------------------------ shell

  test('shell Commands get env, beforeCommands and rendered inputs, and a later Return reads outputs.vars', async () => {
    const exec = await engine.run(
      `
id: shell-vars
namespace: test.scripts
inputs:
  - id: who
    type: STRING
tasks:
  - id: greet
    type: io.kestra.plugin.scripts.shell.Commands
    env:
      GREETING: hello
    beforeCommands:
      - PUNCT='!'
    commands:
      - 'printf "::{\\"outputs\\":{\\"greeting\\":\\"%s %s%s\\",\\"n\\":%d}}::\\n" "$GREETING" "{{ inputs.who }}" "$PUNCT" 42'
  - id: use
    type: return
    format: "{{ outputs.greet.vars.greeting }} / {{ outputs.greet.vars.n + 1 }} / {{ outputs.greet.exitCode }}"
`,
      { who: 'ada' },
    );
    expect(exec.state.current).toBe('SUCCESS');
    expect(runOf(exec, 'greet').outputs).toEqual({
      vars: { greeting: 'hello ada!', n: 42 },
      exitCode: 0,
      outputFiles: {},
    });
    expect(runOf(exec, 'use').outputs).toEqual({ value: 'hello ada! / 43 / 0' });
  });

  test('a failing command fails the task with its exit code in error and fails the execution', async () => {
    const exec = await engine.run(`
id: shell-fail
namespace: test.scripts
tasks:
  - id: broken
    type: shell
    commands:
      - echo before
      - exit 3
      - echo never
  - id: unreached
    type: return
    format: x
`);
    expect(exec.state.current).toBe('FAILED');
    expect(runOf(exec, 'broken').state.current).toBe('FAILED');
    expect(runOf(exec, 'broken').error).toBe('Command failed with exit code 3');
    expect(runsOf(exec, 'unreached')).toHaveLength(0);
  });

  test('retry re-runs a failing shell task in the same task run and counts the attempts', async () => {
    const exec = await engine.run(`
id: shell-retry
namespace: test.scripts
tasks:
  - id: flaky
    type: shell
    retry:
      type: constant
      interval: PT0.05S
      maxAttempt: 3
    commands:
      - 'echo "attempt {{ taskrun.attemptsCount }}"'
      - 'test {{ taskrun.attemptsCount }} -ge 2'
      - 'echo "::{\\"outputs\\":{\\"attempt\\":{{ taskrun.attemptsCount }}}}::"'
`);
    const tr = runOf(exec, 'flaky');
    expect(exec.state.current).toBe('SUCCESS');
    expect(tr.attempts.map((a) => a.state.current)).toEqual(['FAILED', 'FAILED', 'SUCCESS']);
    expect(tr.outputs?.vars).toEqual({ attempt: 2 });
  });

  test('retry gives up after maxAttempt attempts of a failing shell task', async () => {
    const exec = await engine.run(`
id: shell-retry-give-up
namespace: test.scripts
tasks:
  - id: hopeless
    type: shell
    retry:
      type: constant
      interval: PT0.05S
      maxAttempt: 2
    commands:
      - exit 7
`);
    const tr = runOf(exec, 'hopeless');
    expect(exec.state.current).toBe('FAILED');
    expect(tr.attempts.map((a) => a.state.current)).toEqual(['FAILED', 'FAILED']);
    expect(tr.error).toBe('Command failed with exit code 7');
  });

  test('failFast: false is accepted and lets the lines after a failing one run', async () => {
    const exec = await engine.run(`
id: shell-fail-fast
namespace: test.scripts
tasks:
  - id: lenient
    type: shell
    failFast: false
    commands:
      - "false"
      - 'echo "::{\\"outputs\\":{\\"reached\\":true}}::"'
  - id: strict
    type: shell
    failFast: "{{ 1 == 1 }}"
    commands:
      - "false"
      - 'echo "::{\\"outputs\\":{\\"reached\\":true}}::"'
`);
    expect(runOf(exec, 'lenient').state.current).toBe('SUCCESS');
    expect(runOf(exec, 'lenient').outputs?.vars).toEqual({ reached: true });
    expect(runOf(exec, 'strict').state.current).toBe('FAILED');
    expect(runOf(exec, 'strict').error).toBe('Command failed with exit code 1');
  });

  test('stderr output makes a shell task WARNING by default, and SUCCESS with warningOnStdErr: false', async () => {
    const exec = await engine.run(`
id: shell-stderr
namespace: test.scripts
tasks:
  - id: noisy
    type: shell
    commands:
      - echo complaint >&2
  - id: tolerated
    type: shell
    warningOnStdErr: false
    commands:
      - echo complaint >&2
`);
    expect(runOf(exec, 'noisy').state.current).toBe('WARNING');
    expect(runOf(exec, 'tolerated').state.current).toBe('SUCCESS');
    expect(exec.state.current).toBe('WARNING');
  });

  test('shell Script runs a multi-line script with its inputFiles and exposes its vars', async () => {
    const exec = await engine.run(`
id: shell-script
namespace: test.scripts
tasks:
  - id: count
    type: io.kestra.plugin.scripts.shell.Script
    inputFiles:
      names.txt: |
        oslo
        lisbon
        {{ flow.id }}
    script: |
      lines=$(wc -l < names.txt | tr -d ' ')
      for city in $(cat names.txt); do
        echo "city $city"
      done
      echo "::{\\"outputs\\":{\\"lines\\":$lines}}::"
  - id: use
    type: return
    format: "{{ outputs.count.vars.lines }}"
`);
    expect(exec.state.current).toBe('SUCCESS');
    expect(runOf(exec, 'count').outputs?.vars).toEqual({ lines: 3 });
    expect(runOf(exec, 'use').outputs).toEqual({ value: '3' });
  });

  // ------------------------------------------------------------------ node

  test('node Script outputs printed with console.log reach outputs.vars of later tasks', async () => {
    const exec = await engine.run(`
id: node-script
namespace: test.scripts
tasks:
  - id: compute
    type: io.kestra.plugin.scripts.node.Script
    script: |
      const values = [1, 2, 3, {{ 2 + 2 }}];
      const sum = values.reduce((a, b) => a + b, 0);
      console.log('summing', values.length, 'values');
      console.log('::' + JSON.stringify({ outputs: { sum, node: process.version, nested: { ok: true } } }) + '::');
  - id: use
    type: return
    format: "{{ outputs.compute.vars.sum * 10 }} {{ outputs.compute.vars.nested.ok }}"
`);
    expect(exec.state.current).toBe('SUCCESS');
    expect(runOf(exec, 'compute').outputs?.vars).toEqual({
      sum: 10,
      node: process.version,
      nested: { ok: true },
    });
    expect(runOf(exec, 'use').outputs).toEqual({ value: '100 true' });
  });

  test('node Commands run the worker Node on a script given as an input file', async () => {
    const exec = await engine.run(`
id: node-commands
namespace: test.scripts
tasks:
  - id: run
    type: io.kestra.plugin.scripts.node.Commands
    inputFiles:
      main.mjs: |
        const [, , arg] = process.argv;
        console.log('::' + JSON.stringify({ outputs: { arg, version: process.version } }) + '::');
    commands:
      - node --version
      - node main.mjs "{{ flow.id }}"
`);
    expect(exec.state.current).toBe('SUCCESS');
    expect(runOf(exec, 'run').outputs?.vars).toEqual({ arg: 'node-commands', version: process.version });
  });

  // ------------------------------------------------------------------ loops and logs

  test('a script inside a ForEach gets taskrun.value and its outputs are keyed by value', async () => {
    const exec = await engine.run(`
id: shell-loop
namespace: test.scripts
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: ["oslo", "lisbon"]
    tasks:
      - id: upper
        type: shell
        commands:
          - 'echo "::{\\"outputs\\":{\\"name\\":\\"$(echo {{ taskrun.value }} | tr a-z A-Z)\\"}}::"'
  - id: summary
    type: return
    format: "{{ outputs.upper.oslo.vars.name }},{{ outputs.upper['lisbon'].vars.name }}"
`);
    expect(exec.state.current).toBe('SUCCESS');
    expect(runsOf(exec, 'upper').map((r) => [r.value, r.outputs?.vars])).toEqual([
      ['oslo', { name: 'OSLO' }],
      ['lisbon', { name: 'LISBON' }],
    ]);
    expect(runOf(exec, 'summary').outputs).toEqual({ value: 'OSLO,LISBON' });
  });

  test('script stdout lines are INFO logs and stderr lines WARN logs of the task, protocol lines are not logged', async () => {
    const exec = await engine.run(`
id: shell-logs
namespace: test.scripts
tasks:
  - id: talk
    type: shell
    warningOnStdErr: false
    commands:
      - echo "out line one"
      - echo "err line" >&2
      - echo "out line two"
      - 'echo "::{\\"outputs\\":{\\"x\\":1}}::"'
`);
    expect(exec.state.current).toBe('SUCCESS');
    const logs = (await engine.logs(exec.id)).filter((l) => l.taskId === 'talk');
    // stdout and stderr are two pipes: lines keep their order within a stream, not across them
    expect(logs.filter((l) => l.level === 'INFO').map((l) => l.message)).toEqual([
      'out line one',
      'out line two',
    ]);
    expect(logs.filter((l) => l.level !== 'INFO').map((l) => [l.level, l.message])).toEqual([
      ['WARN', 'err line'],
    ]);
    expect(logs.every((l) => l.taskRunId === runOf(exec, 'talk').id && l.attempt === 1)).toBe(true);
  });

  // ------------------------------------------------------------------ HTTP

  test('HTTP GET sends the flow headers and a later task reads outputs.req.body', async () => {
    const exec = await engine.run(`
id: http-get
namespace: test.http
tasks:
  - id: req
    type: io.kestra.plugin.core.http.Request
    uri: "${http.base}/hello"
    headers:
      x-who: "{{ flow.id }}"
  - id: use
    type: return
    format: "{{ fromJson(outputs.req.body).greeting }} {{ fromJson(outputs.req.body).who }} {{ outputs.req.code }}"
`);
    expect(exec.state.current).toBe('SUCCESS');
    const out = runOf(exec, 'req').outputs;
    expect(out).toMatchObject({ uri: `${http.base}/hello`, code: 200 });
    expect(out?.headers).toMatchObject({ 'content-type': ['application/json'], 'x-served-by': ['test'] });
    expect(JSON.parse(out?.body as string)).toEqual({ greeting: 'hello', who: 'http-get' });
    expect(runOf(exec, 'use').outputs).toEqual({ value: 'hello http-get 200' });
  });

  test('HTTP POST sends a map body as JSON with its content type', async () => {
    const exec = await engine.run(`
id: http-post
namespace: test.http
tasks:
  - id: req
    type: http
    method: post
    uri: "${http.base}/echo"
    body:
      name: "{{ flow.id }}"
      count: 3
  - id: use
    type: return
    format: "{{ fromJson(outputs.req.body).name }}"
`);
    expect(exec.state.current).toBe('SUCCESS');
    const sent = http.received.find((r) => r.url === '/echo' && r.body.includes('http-post'));
    expect(sent?.method).toBe('POST');
    expect(sent?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(sent?.body ?? '')).toEqual({ name: 'http-post', count: 3 });
    expect(runOf(exec, 'req').outputs?.code).toBe(201);
    expect(runOf(exec, 'use').outputs).toEqual({ value: 'http-post' });
  });

  test('an HTTP 404 fails the task with the code in error and fails the execution', async () => {
    const exec = await engine.run(`
id: http-404
namespace: test.http
tasks:
  - id: req
    type: http
    uri: "${http.base}/missing"
  - id: unreached
    type: return
    format: x
`);
    expect(exec.state.current).toBe('FAILED');
    expect(runOf(exec, 'req').state.current).toBe('FAILED');
    expect(runOf(exec, 'req').error).toBe("Failed http request with response code '404'");
    expect(runsOf(exec, 'unreached')).toHaveLength(0);
  });

  test('allowFailed keeps an HTTP 404 SUCCESS with the code and body in the outputs', async () => {
    const exec = await engine.run(`
id: http-allow-failed
namespace: test.http
tasks:
  - id: req
    type: http
    uri: "${http.base}/missing"
    allowFailed: true
  - id: use
    type: return
    format: "{{ outputs.req.code }} {{ outputs.req.body }}"
`);
    expect(exec.state.current).toBe('SUCCESS');
    expect(runOf(exec, 'req').state.current).toBe('SUCCESS');
    expect(runOf(exec, 'use').outputs).toEqual({ value: '404 no such thing' });
  });

  // ------------------------------------------------------------------ timeout

  test('a task timeout stops a sleeping shell task long before it would end, naming the timeout', async () => {
    const started = Date.now();
    const exec = await engine.run(`
id: shell-timeout
namespace: test.scripts
tasks:
  - id: nap
    type: shell
    timeout: PT1S
    commands:
      - sleep 30
`);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(exec.state.current).toBe('FAILED');
    expect(runOf(exec, 'nap').state.current).toBe('FAILED');
    expect(runOf(exec, 'nap').error).toMatch(/Timeout after PT1S/);
  });
});
