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
    // A Pause holds the execution until the stream has shown it unfinished, so the test does not
    // depend on how fast the engine is next to the request.
    const flow = await engine.deploy(`
id: followed
namespace: test.follow
tasks:
  - id: hold
    type: pause
  - id: done
    type: return
    format: ok
`);
    const started = await startExecution(engine.db, flow, {});
    const response = await fetch(`${base}/api/v1/executions/${started.id}/follow`);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const events: Execution[] = [];
    const decoder = new TextDecoder();
    let buffered = '';
    let resumed = false;
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      buffered += decoder.decode(chunk, { stream: true });
      let end;
      while ((end = buffered.indexOf('\n\n')) >= 0) {
        const event = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        if (!event.startsWith('event: execution')) continue;
        const execution = JSON.parse(event.slice(event.indexOf('data: ') + 6)) as Execution;
        events.push(execution);
        if (!resumed && execution.state.current === 'PAUSED') {
          resumed = true;
          const answer = await fetch(`${base}/api/v1/executions/${started.id}/resume`, { method: 'POST' });
          expect(answer.status).toBe(202);
        }
      }
    }
    expect(events[0].state.current).not.toBe('SUCCESS');
    expect(resumed).toBe(true);
    expect(events[events.length - 1].state.current).toBe('SUCCESS');
    expect(events[events.length - 1].taskRunList.map((tr) => tr.taskId)).toEqual(['hold', 'done']);
  });

  test('an unknown execution: 404', async () => {
    const response = await fetch(`${base}/api/v1/executions/nope/follow`);
    expect(response.status).toBe(404);
  });
});
