import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { waitForExecutionEnd } from '../../../src/app/executions.js';
import { createSchedulerBackend } from '../../../src/db/scheduler-store.js';
import type { Execution } from '../../../src/engine/execution.js';
import { Scheduler } from '../../../src/engine/scheduler.js';
import { testDialects } from '../../support/databases.js';
import { startTestEngine, type TestEngine } from '../../support/engine.js';

const HOUR = 3_600_000;

/** A flow that succeeds, or fails when asked, with optional flow labels. */
const upstream = (namespace: string, id: string, labels = '') => `
id: ${id}
namespace: ${namespace}
${labels}
inputs:
  - id: fail
    type: BOOLEAN
    defaults: false
tasks:
  - id: maybe
    type: fail
    condition: "{{ inputs.fail }}"
`;

const listener = (namespace: string, trigger: string) => `
id: listener
namespace: ${namespace}
tasks:
  - id: r
    type: return
    format: "{{ trigger.executionId }}"
triggers:
  - id: on_upstream
    type: io.kestra.plugin.core.trigger.Flow
${trigger}
`;

describe.each(testDialects())('Flow trigger conditions on $name', (dialect) => {
  let engine: TestEngine;
  let scheduler: Scheduler;
  beforeAll(async () => {
    engine = await startTestEngine(dialect);
    scheduler = new Scheduler(createSchedulerBackend(engine.db));
  });
  afterAll(async () => engine?.stop());

  async function listenerRuns(namespace: string): Promise<Execution[]> {
    const { rows } = await engine.db.query<{ doc: Execution }>(
      `SELECT doc FROM executions WHERE namespace = $1 AND flow_id = 'listener' ORDER BY created`,
      [namespace],
    );
    return rows.map((r) => r.doc);
  }

  /** Runs the upstream flow to its end, then lets the scheduler hear of it at `now`. */
  async function runThenTick(yaml: string, inputs: Record<string, unknown> = {}, now?: Date) {
    const e = await engine.run(yaml, inputs);
    await scheduler.tick(now);
    return e;
  }

  test("ExecutionStatus and ExecutionFlow under today's names fire on the named flow's success only", async () => {
    const ns = 'test.cond.names';
    await engine.deploy(
      listener(
        ns,
        `    conditions:
      - type: io.kestra.plugin.core.condition.ExecutionStatus
        in: [SUCCESS]
      - type: io.kestra.plugin.core.condition.ExecutionFlow
        namespace: ${ns}
        flowId: orders`,
      ),
    );
    await runThenTick(upstream(ns, 'orders'), { fail: true });
    await runThenTick(upstream(ns, 'invoices'));
    expect(await listenerRuns(ns)).toHaveLength(0);
    const ok = await runThenTick(upstream(ns, 'orders'));
    const started = await listenerRuns(ns);
    expect(started.map((e) => e.trigger?.variables.executionId)).toEqual([ok.id]);
  });

  test('preconditions fire once every listed flow has succeeded within the window, then start over', async () => {
    const ns = 'test.cond.pre';
    await engine.deploy(
      listener(
        ns,
        `    preconditions:
      id: both
      flows:
        - namespace: ${ns}
          flowId: extract
          states: [SUCCESS]
        - namespace: ${ns}
          flowId: load
          states: [SUCCESS]`,
      ),
    );
    await runThenTick(upstream(ns, 'extract'));
    await runThenTick(upstream(ns, 'load'), { fail: true });
    expect(await listenerRuns(ns)).toHaveLength(0);
    const load = await runThenTick(upstream(ns, 'load'));
    expect((await listenerRuns(ns)).map((e) => e.trigger?.variables.executionId)).toEqual([load.id]);
    // resetOnSuccess (the default): one more success of one flow is not enough
    await runThenTick(upstream(ns, 'extract'));
    expect(await listenerRuns(ns)).toHaveLength(1);
    await runThenTick(upstream(ns, 'load'));
    expect(await listenerRuns(ns)).toHaveLength(2);
  });

  test('a precondition met outside the time window does not count', async () => {
    const ns = 'test.cond.window';
    await engine.deploy(
      listener(
        ns,
        `    preconditions:
      id: hourly
      timeWindow:
        type: SLIDING_WINDOW
        window: PT1H
      flows:
        - namespace: ${ns}
          flowId: a
        - namespace: ${ns}
          flowId: b`,
      ),
    );
    const start = new Date();
    await runThenTick(upstream(ns, 'a'), {}, start);
    // two hours later the window that a opened has closed: b alone opens a new one
    await runThenTick(upstream(ns, 'b'), {}, new Date(start.getTime() + 2 * HOUR));
    expect(await listenerRuns(ns)).toHaveLength(0);
    await runThenTick(upstream(ns, 'a'), {}, new Date(start.getTime() + 2 * HOUR + 60_000));
    expect(await listenerRuns(ns)).toHaveLength(1);
  });

  test('a where filter counts only the executions it selects (an expression over their labels)', async () => {
    const ns = 'test.cond.where';
    await engine.deploy(
      listener(
        ns,
        `    preconditions:
      id: tagged
      where:
        - id: nightly
          filters:
            - field: FLOW_ID
              type: EQUAL_TO
              value: report
            - field: EXPRESSION
              type: IS_TRUE
              value: "{{ labels.run == 'nightly' }}"`,
      ),
    );
    await runThenTick(upstream(ns, 'report', 'labels:\n  run: manual'));
    expect(await listenerRuns(ns)).toHaveLength(0);
    await runThenTick(upstream(ns, 'report', 'labels:\n  run: nightly'));
    expect(await listenerRuns(ns)).toHaveLength(1);
  });

  test('resetOnSuccess: false keeps a met window, so each further match fires again', async () => {
    const ns = 'test.cond.keep';
    await engine.deploy(
      listener(
        ns,
        `    preconditions:
      id: keep
      resetOnSuccess: false
      flows:
        - namespace: ${ns}
          flowId: a
        - namespace: ${ns}
          flowId: b`,
      ),
    );
    await runThenTick(upstream(ns, 'a'));
    await runThenTick(upstream(ns, 'b'));
    await runThenTick(upstream(ns, 'a'));
    expect(await listenerRuns(ns)).toHaveLength(2);
  });

  test('a MultipleCondition (the older form) needs each of its named conditions within the window', async () => {
    const ns = 'test.cond.multiple';
    await engine.deploy(
      listener(
        ns,
        `    conditions:
      - id: pair
        type: io.kestra.plugin.core.condition.MultipleCondition
        window: P1D
        windowAdvance: P0D
        conditions:
          first:
            type: io.kestra.plugin.core.condition.ExecutionFlow
            namespace: ${ns}
            flowId: a
          second:
            type: io.kestra.plugin.core.condition.ExecutionFlow
            namespace: ${ns}
            flowId: b`,
      ),
    );
    await runThenTick(upstream(ns, 'a'));
    expect(await listenerRuns(ns)).toHaveLength(0);
    await runThenTick(upstream(ns, 'b'));
    expect(await listenerRuns(ns)).toHaveLength(1);
  });

  test('two scheduler replicas sharing the window start the downstream flow once', async () => {
    const ns = 'test.cond.replicas';
    await engine.deploy(
      listener(
        ns,
        `    preconditions:
      id: both
      flows:
        - namespace: ${ns}
          flowId: a
        - namespace: ${ns}
          flowId: b`,
      ),
    );
    await engine.run(upstream(ns, 'a'));
    await engine.run(upstream(ns, 'b'));
    const other = new Scheduler(createSchedulerBackend(engine.db));
    await Promise.all([scheduler.tick(), other.tick()]);
    await scheduler.tick();
    expect(await listenerRuns(ns)).toHaveLength(1);
  });

  test("a Flow trigger's inputs see the upstream execution's task outputs", async () => {
    const ns = 'test.cond.inputs';
    await engine.deploy(`
id: listener
namespace: ${ns}
inputs:
  - id: greeting
    type: STRING
tasks:
  - id: r
    type: return
    format: "{{ inputs.greeting }}"
triggers:
  - id: on_upstream
    type: io.kestra.plugin.core.trigger.Flow
    inputs:
      greeting: "{{ outputs.hello.value }} from {{ trigger.flowId }}"
    conditions:
      - type: io.kestra.plugin.core.condition.ExecutionFlow
        namespace: ${ns}
        flowId: greeter
`);
    await runThenTick(`
id: greeter
namespace: ${ns}
tasks:
  - id: hello
    type: return
    format: hi
`);
    const [started] = await listenerRuns(ns);
    expect(started.inputs).toEqual({ greeting: 'hi from greeter' });
  });

  test('date conditions on a Schedule trigger skip the dates they refuse', async () => {
    const DAY = 24 * HOUR;
    const now = new Date();
    const start = new Date(Math.floor(now.getTime() / DAY) * DAY - 7 * DAY);
    await engine.deploy(`
id: listener
namespace: test.cond.schedule
tasks:
  - id: r
    type: return
    format: "{{ trigger.date }}"
triggers:
  - id: weekdays
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 0 * * *"
    backfill:
      start: "${start.toISOString()}"
    conditions:
      - type: io.kestra.plugin.core.condition.Not
        conditions:
          - type: io.kestra.plugin.core.condition.Weekend
`);
    await scheduler.tick(now);
    const dates = (await listenerRuns('test.cond.schedule'))
      .map((e) => String(e.trigger?.variables.date))
      .sort();
    // eight midnights from start to today, of which the two (or three) weekend days start nothing
    const midnights = Array.from({ length: 8 }, (_, d) => new Date(start.getTime() + d * DAY));
    const weekdays = midnights.filter((d) => d.getUTCDay() % 6 !== 0).map((d) => d.toISOString());
    expect(dates).toEqual(weekdays);
    expect(weekdays.length).toBeLessThan(8);
  });

  test('ScheduleOnDates fires once at each of its future dates, and never for a past one', async () => {
    const ns = 'test.cond.dates';
    const now = new Date(Math.floor(Date.now() / 1000) * 1000);
    const at = (hours: number) => new Date(now.getTime() + hours * HOUR).toISOString();
    await engine.deploy(`
id: listener
namespace: ${ns}
tasks:
  - id: r
    type: return
    format: "{{ trigger.date }}"
triggers:
  - id: on_dates
    type: io.kestra.plugin.core.trigger.ScheduleOnDates
    dates: ["${at(2)}", "${at(-1)}", "${at(1)}"]
`);
    for (const hours of [0, 1.5, 3, 4]) {
      await scheduler.tick(new Date(now.getTime() + hours * HOUR));
      // a trigger waits while the execution it started runs: let each end before the next tick
      for (const e of await listenerRuns(ns)) await waitForExecutionEnd(engine.db, e.id, 50);
    }
    const dates = (await listenerRuns(ns)).map((e) => e.trigger?.variables.date);
    expect(dates).toEqual([at(1), at(2)]);
  });

  test('a flow never fires its own Flow trigger, even when its conditions match its own executions', async () => {
    const ns = 'test.cond.self';
    await engine.deploy(
      listener(
        ns,
        `    conditions:
      - type: io.kestra.plugin.core.condition.ExecutionNamespace
        namespace: ${ns}`,
      ),
    );
    await runThenTick(upstream(ns, 'source'));
    const [first] = await listenerRuns(ns);
    await waitForExecutionEnd(engine.db, first.id, 50);
    await scheduler.tick();
    await scheduler.tick();
    expect(await listenerRuns(ns)).toHaveLength(1);
  });
});
