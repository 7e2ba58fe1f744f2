import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { waitForExecutionEnd } from '../../../src/app/executions.js';
import { createSchedulerBackend } from '../../../src/db/scheduler-store.js';
import type { Execution } from '../../../src/engine/execution.js';
import { Scheduler } from '../../../src/engine/scheduler.js';
import { testDialects } from '../../support/databases.js';
import { startTestEngine, type TestEngine } from '../../support/engine.js';

// A Flow trigger may listen to the states an execution passes through, not only to its end: with
// `states: [RUNNING, PAUSED, SUCCESS]` a flow that pauses once starts the listener four times.

const UPSTREAM = `
id: pauses-once
namespace: test.trigger.states
tasks:
  - id: hello
    type: log
    message: hello
  - id: wait
    type: io.kestra.plugin.core.flow.Pause
    delay: PT0.2S
  - id: again
    type: log
    message: again
`;

const listener = (id: string, states: string) => `
id: ${id}
namespace: test.trigger.states
tasks:
  - id: seen
    type: return
    format: "{{ trigger.state }}"
triggers:
  - id: on_upstream
    type: io.kestra.plugin.core.trigger.Flow
    ${states}
    conditions:
      - type: io.kestra.plugin.core.condition.ExecutionFlow
        namespace: test.trigger.states
        flowId: pauses-once
`;

describe.each(testDialects())('Flow trigger states on $name', (dialect) => {
  let engine: TestEngine;
  let scheduler: Scheduler;
  beforeAll(async () => {
    engine = await startTestEngine(dialect);
    scheduler = new Scheduler(createSchedulerBackend(engine.db));
    await engine.deploy(listener('on-every-state', 'states: [RUNNING, PAUSED, SUCCESS, WARNING, FAILED]'));
    await engine.deploy(listener('on-end', ''));
  });
  afterAll(async () => engine?.stop());

  async function runsOf(flowId: string): Promise<Execution[]> {
    const { rows } = await engine.db.query<{ doc: Execution }>(
      `SELECT doc FROM executions WHERE flow_id = $1 ORDER BY created`,
      [flowId],
    );
    return Promise.all(rows.map((r) => waitForExecutionEnd(engine.db, r.doc.id, 50)));
  }

  test('a listener on RUNNING and PAUSED fires at each state the upstream execution enters', async () => {
    const upstream = await engine.run(UPSTREAM);
    expect(upstream.state.current).toBe('SUCCESS');
    await scheduler.tick();
    const fired = await runsOf('on-every-state');
    // started in one scheduler transaction, the listeners share their creation time: compare as a set
    expect(fired.map((e) => e.trigger?.variables.state).sort()).toEqual([
      'PAUSED',
      'RUNNING',
      'RUNNING',
      'SUCCESS',
    ]);
    expect(fired.every((e) => e.trigger?.variables.executionId === upstream.id)).toBe(true);
  });

  test('a listener with the default states fires once, at the end', async () => {
    const fired = await runsOf('on-end');
    expect(fired.map((e) => e.trigger?.variables.state)).toEqual(['SUCCESS']);
  });
});
