import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startExecution } from '../../../src/app/executions.js';
import type { Execution } from '../../../src/engine/execution.js';
import { testDialects } from '../../support/databases.js';
import type { TestEngine } from '../../support/engine.js';
import { startTestServer, type TestServer } from '../../support/server.js';

describe.each(testDialects())('GET /api/v1/executions/:id/follow on $name', (dialect) => {
  let engine: TestEngine;
  let server: TestServer;
  let base: string;

  beforeAll(async () => {
    server = await startTestServer(dialect, { listen: true });
    ({ engine, base } = server);
  });
  afterAll(async () => server?.stop());

  test('streams the document as Server-Sent Events until the execution ends, then closes', async () => {
    const flow = await engine.deploy(`
id: followed
namespace: test.follow
tasks:
  - id: nap
    type: sleep
    duration: PT0.3S
  - id: done
    type: return
    format: ok
`);
    const started = await startExecution(engine.db, flow, {});
    const response = await fetch(`${base}/api/v1/executions/${started.id}/follow`);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const events = (await response.text())
      .split('\n\n')
      .filter((chunk) => chunk.startsWith('event: execution'))
      .map((chunk) => JSON.parse(chunk.slice(chunk.indexOf('data: ') + 6)) as Execution);
    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(events[0].state.current).not.toBe('SUCCESS');
    expect(events[events.length - 1].state.current).toBe('SUCCESS');
    expect(events[events.length - 1].taskRunList.map((tr) => tr.taskId)).toEqual(['nap', 'done']);
  });

  test('an unknown execution: 404', async () => {
    const response = await fetch(`${base}/api/v1/executions/nope/follow`);
    expect(response.status).toBe(404);
  });
});
