import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { waitForExecutionEnd } from '../../../src/app/executions.js';
import { createSchedulerBackend } from '../../../src/db/scheduler-store.js';
import type { Execution } from '../../../src/engine/execution.js';
import { Scheduler } from '../../../src/engine/scheduler.js';
import { emit } from '../../../src/queue/postgres-queue.js';
import { testDialects } from '../../support/databases.js';
import { startTestEngine, type TestEngine } from '../../support/engine.js';

const DAY = 24 * 3600 * 1000;

// succeeds, or fails when asked: the upstream side of the Flow trigger test
const UPSTREAM = `
id: upstream
namespace: test.flowtrigger
inputs:
  - id: fail
    type: BOOLEAN
    defaults: false
tasks:
  - id: maybe
    type: fail
    condition: "{{ inputs.fail }}"
`;

describe.each(testDialects())('Schedule triggers on $name', (dialect) => {
  let engine: TestEngine;
  beforeAll(async () => {
    engine = await startTestEngine(dialect);
  });
  afterAll(async () => engine?.stop());

  async function executionsOf(flowId: string): Promise<Execution[]> {
    const { rows } = await engine.db.query<{ doc: Execution }>(
      'SELECT doc FROM executions WHERE flow_id = $1 ORDER BY created',
      [flowId],
    );
    return rows.map((r) => r.doc);
  }

  test('a backfill fires every daily occurrence once, with trigger.date, and never twice', async () => {
    const now = new Date();
    const start = new Date(Math.floor(now.getTime() / DAY) * DAY - 3 * DAY);
    await engine.deploy(`
id: nightly
namespace: test.schedule
inputs:
  - id: day
    type: STRING
tasks:
  - id: r
    type: return
    format: "{{ inputs.day }}"
triggers:
  - id: daily
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 0 * * *"
    backfill:
      start: "${start.toISOString()}"
    inputs:
      day: "{{ trigger.date }}"
`);
    // two schedulers ticking at once, as replicas would
    const a = new Scheduler(createSchedulerBackend(engine.db));
    const b = new Scheduler(createSchedulerBackend(engine.db));
    await Promise.all([a.tick(now), b.tick(now)]);
    await a.tick(now);
    // a backfill fires its occurrences at once: several may share their creation's millisecond
    const dateOf = (e: Execution) => String(e.trigger?.variables.date);
    const executions = (await executionsOf('nightly')).sort((x, y) => dateOf(x).localeCompare(dateOf(y)));
    const expected = [0, 1, 2, 3].map((d) => new Date(start.getTime() + d * DAY).toISOString());
    expect(executions.map((e) => e.trigger?.variables.date)).toEqual(expected);
    expect(executions.map((e) => e.inputs.day)).toEqual(expected);
    expect(executions[1].trigger?.variables.previous).toBe(expected[0]);
  });

  test('a disabled trigger fires nothing', async () => {
    await engine.deploy(`
id: never-fires
namespace: test.schedule
tasks:
  - id: r
    type: return
    format: x
triggers:
  - id: every-second
    type: schedule
    cron: "* * * * * *"
    withSeconds: true
    disabled: true
`);
    const s = new Scheduler(createSchedulerBackend(engine.db));
    await s.tick(new Date(Date.now() + 5000));
    expect(await executionsOf('never-fires')).toHaveLength(0);
  });

  test('recoverMissedSchedules LAST fires only the latest missed occurrence', async () => {
    const now = new Date();
    await engine.deploy(`
id: catch-up
namespace: test.schedule
tasks:
  - id: r
    type: return
    format: x
triggers:
  - id: minutely
    type: schedule
    cron: "* * * * *"
    recoverMissedSchedules: LAST
`);
    const s = new Scheduler(createSchedulerBackend(engine.db));
    await s.tick(now);
    await s.tick(new Date(now.getTime() + 10 * 60_000));
    expect(await executionsOf('catch-up')).toHaveLength(1);
  });

  test('a trigger does not fire again while the execution it started is still running', async () => {
    const now = new Date();
    await engine.deploy(`
id: no-overlap
namespace: test.schedule
tasks:
  - id: nap
    type: sleep
    duration: PT30S
triggers:
  - id: minutely
    type: schedule
    cron: "* * * * *"
`);
    const s = new Scheduler(createSchedulerBackend(engine.db));
    await s.tick(now);
    await s.tick(new Date(now.getTime() + 61_000));
    expect(await executionsOf('no-overlap')).toHaveLength(1);
    await s.tick(new Date(now.getTime() + 122_000));
    expect(await executionsOf('no-overlap')).toHaveLength(1);
    const [running] = await executionsOf('no-overlap');
    await engine.db.transaction((tx) =>
      emit(tx, 'executor', { type: 'kill', executionId: running.id }, { key: running.id }),
    );
    await waitForExecutionEnd(engine.db, running.id, 100);
    await s.tick(new Date(now.getTime() + 183_000));
    expect((await executionsOf('no-overlap')).length).toBeGreaterThan(1);
  });

  test('occurrences missed together catch up one at a time, never overlapping', async () => {
    await engine.deploy(`
id: catch-up
namespace: test.schedule
tasks:
  - id: nap
    type: sleep
    duration: PT30S
triggers:
  - id: minutely
    type: schedule
    cron: "* * * * *"
`);
    // half a second before a minute: 61 s later, two occurrences are due at once
    const now = new Date(Math.floor(Date.now() / 60_000) * 60_000 + 59_500);
    const s = new Scheduler(createSchedulerBackend(engine.db));
    await s.tick(now);
    await s.tick(new Date(now.getTime() + 61_000));
    const started = await executionsOf('catch-up');
    expect(started).toHaveLength(1);
    await engine.db.transaction((tx) =>
      emit(tx, 'executor', { type: 'kill', executionId: started[0].id }, { key: started[0].id }),
    );
  });

  test('a Flow trigger starts a flow when an upstream execution ends in a listed state', async () => {
    await engine.deploy(`
id: downstream
namespace: test.flowtrigger
inputs:
  - id: upstream
    type: STRING
tasks:
  - id: r
    type: return
    format: "after {{ inputs.upstream }}"
triggers:
  - id: on_upstream
    type: io.kestra.plugin.core.trigger.Flow
    states: [SUCCESS]
    conditions:
      - type: io.kestra.plugin.core.condition.ExecutionFlowCondition
        namespace: test.flowtrigger
        flowId: upstream
    inputs:
      upstream: "{{ trigger.executionId }}"
`);
    const ok = await engine.run(UPSTREAM);
    const failed = await engine.run(UPSTREAM, { fail: true });
    expect([ok.state.current, failed.state.current]).toEqual(['SUCCESS', 'FAILED']);
    await new Scheduler(createSchedulerBackend(engine.db)).tick();
    const started = await executionsOf('downstream');
    expect(started).toHaveLength(1);
    expect(started[0].trigger?.variables).toMatchObject({
      executionId: ok.id,
      flowId: 'upstream',
      state: 'SUCCESS',
    });
    const done = await waitForExecutionEnd(engine.db, started[0].id, 100);
    expect(done.taskRunList[0].outputs).toEqual({ value: `after ${ok.id}` });
  });
});
