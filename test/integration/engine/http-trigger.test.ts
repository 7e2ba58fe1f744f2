import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { waitForExecutionEnd } from '../../../src/app/executions.js';
import { createSchedulerBackend } from '../../../src/db/scheduler-store.js';
import type { Execution } from '../../../src/engine/execution.js';
import { Scheduler } from '../../../src/engine/scheduler.js';
import { pollHttpTrigger } from '../../../src/tasks/http/trigger.js';
import { testDialects } from '../../support/databases.js';
import { startTestEngine, type TestEngine } from '../../support/engine.js';

// Kestra's http.Trigger against a real HTTP server on loopback: polled at each interval, an execution
// when the response condition holds, none otherwise, and turned off by `stopAfter`.

describe.each(testDialects())('http.Trigger on $name', (dialect) => {
  let engine: TestEngine;
  let scheduler: Scheduler;
  let server: Server;
  let base: string;
  const hits = new Map<string, number>();

  beforeAll(async () => {
    server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      hits.set(path, (hits.get(path) ?? 0) + 1);
      if (path.startsWith('/down')) res.writeHead(503).end('not yet');
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{"ready":true}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    engine = await startTestEngine(dialect);
    scheduler = new Scheduler(createSchedulerBackend(engine.db), { poll: pollHttpTrigger });
  });
  afterAll(async () => {
    await engine?.stop();
    await new Promise((resolve) => server.close(resolve));
  });

  const flow = (id: string, path: string, extra = '') => `
id: ${id}
namespace: test.httptrigger.${dialect.name}
tasks:
  - id: got
    type: return
    format: "{{ trigger.code }} {{ trigger.body }}"
triggers:
  - id: poll
    type: io.kestra.plugin.core.http.Trigger
    uri: ${base}${path}
    responseCondition: "{{ response.statusCode == 200 and fromJson(response.body).ready }}"
    interval: PT10S
${extra}`;

  async function runsOf(id: string): Promise<Execution[]> {
    const { rows } = await engine.db.query<{ doc: Execution }>(
      `SELECT doc FROM executions WHERE namespace = $1 AND flow_id = $2 ORDER BY created`,
      [`test.httptrigger.${dialect.name}`, id],
    );
    return Promise.all(rows.map((r) => waitForExecutionEnd(engine.db, r.doc.id, 50)));
  }

  test('a response that meets the condition starts an execution with the response as trigger variables', async () => {
    await engine.deploy(flow('ready', `/ready-${dialect.name}`));
    const now = new Date();
    await scheduler.tick(now);
    const [run] = await runsOf('ready');
    expect(run.state.current).toBe('SUCCESS');
    expect(run.taskRunList[0].outputs?.value).toBe('200 {"ready":true}');
    // not polled again before its interval has passed, then polled again
    await scheduler.tick(new Date(now.getTime() + 5_000));
    expect(hits.get(`/ready-${dialect.name}`)).toBe(1);
    await scheduler.tick(new Date(now.getTime() + 11_000));
    expect(hits.get(`/ready-${dialect.name}`)).toBe(2);
    expect(await runsOf('ready')).toHaveLength(2);
  });

  test('a response that does not meet the condition starts nothing', async () => {
    await engine.deploy(flow('down', `/down-${dialect.name}`));
    await scheduler.tick(new Date());
    expect(hits.get(`/down-${dialect.name}`)).toBe(1);
    expect(await runsOf('down')).toHaveLength(0);
  });

  test('stopAfter turns the trigger off once an execution it started ends in one of its states', async () => {
    await engine.deploy(flow('once', `/once-${dialect.name}`, '    stopAfter: [SUCCESS]'));
    const now = new Date();
    await scheduler.tick(now);
    const [run] = await runsOf('once');
    expect(run.state.current).toBe('SUCCESS');
    await scheduler.tick(new Date(now.getTime() + 1_000));
    await scheduler.tick(new Date(now.getTime() + 20_000));
    expect(hits.get(`/once-${dialect.name}`)).toBe(1);
    expect(await runsOf('once')).toHaveLength(1);
  });
});
