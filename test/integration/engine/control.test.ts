import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { InvalidInputsError, startExecution, waitForExecutionEnd } from '../../../src/app/executions.js';
import { emit } from '../../../src/queue/postgres-queue.js';
import { testDialects } from '../../support/databases.js';
import { runOf, runsOf, startTestEngine, type TestEngine } from '../../support/engine.js';

describe.each(testDialects())('retries, errors, finally and control on $name', (dialect) => {
  let engine: TestEngine;
  beforeAll(async () => {
    engine = await startTestEngine(dialect);
  });
  afterAll(async () => engine?.stop());

  test('constant retry stops after maxAttempt attempts in the same task run', async () => {
    const exec = await engine.run(`
id: retry-give-up
namespace: test.control
tasks:
  - id: broken
    type: fail
    retry:
      type: constant
      interval: PT0.1S
      maxAttempt: 3
  - id: unreached
    type: log
    message: no
errors:
  - id: report
    type: log
    message: "gave up"
`);
    const tr = runOf(exec, 'broken');
    expect(exec.state.current).toBe('FAILED');
    expect(tr.attempts.map((a) => a.state.current)).toEqual(['FAILED', 'FAILED', 'FAILED']);
    expect(tr.state.histories.filter((h) => h.state === 'RETRYING')).toHaveLength(2);
    expect(runsOf(exec, 'unreached')).toHaveLength(0);
    expect(runOf(exec, 'report').state.current).toBe('SUCCESS');
  });

  test('a retry that succeeds leaves the task SUCCESS with attemptsCount counting the retries', async () => {
    const exec = await engine.run(`
id: retry-then-ok
namespace: test.control
tasks:
  - id: flaky
    type: fail
    condition: "{{ taskrun.attemptsCount < 2 }}"
    retry:
      type: exponential
      interval: PT0.05S
      maxInterval: PT0.2S
      maxAttempt: 5
`);
    const tr = runOf(exec, 'flaky');
    expect(exec.state.current).toBe('SUCCESS');
    expect(tr.attempts.map((a) => a.state.current)).toEqual(['FAILED', 'FAILED', 'SUCCESS']);
  });

  test('random retry and maxDuration bound the attempts by time', async () => {
    const exec = await engine.run(`
id: retry-duration
namespace: test.control
tasks:
  - id: broken
    type: fail
    retry:
      type: random
      minInterval: PT0.2S
      maxInterval: PT0.3S
      maxDuration: PT0.5S
`);
    const attempts = runOf(exec, 'broken').attempts.length;
    expect(exec.state.current).toBe('FAILED');
    expect(attempts).toBeGreaterThanOrEqual(2);
    expect(attempts).toBeLessThanOrEqual(3);
  });

  test('a task timeout fails the attempt with the timeout in the reason', async () => {
    const exec = await engine.run(`
id: too-slow
namespace: test.control
tasks:
  - id: nap
    type: sleep
    duration: PT5S
    timeout: PT0.2S
`);
    expect(exec.state.current).toBe('FAILED');
    expect(runOf(exec, 'nap').error).toBe('Timeout after PT0.2S');
  });

  test('runIf false skips the task and disabled tasks get no task run', async () => {
    const exec = await engine.run(`
id: skip
namespace: test.control
tasks:
  - id: skipped
    type: return
    format: x
    runIf: "{{ 1 == 2 }}"
  - id: off
    type: return
    format: x
    disabled: true
  - id: on
    type: return
    format: y
    runIf: "true"
`);
    expect(exec.state.current).toBe('SUCCESS');
    expect(runOf(exec, 'skipped').state.current).toBe('SKIPPED');
    expect(runsOf(exec, 'off')).toHaveLength(0);
    expect(runOf(exec, 'on').state.current).toBe('SUCCESS');
  });

  test('allowFailure makes a failed task WARNING and allowWarning makes WARNING SUCCESS', async () => {
    const exec = await engine.run(`
id: tolerate
namespace: test.control
tasks:
  - id: bad
    type: fail
    allowFailure: true
  - id: next
    type: return
    format: ok
errors:
  - id: never
    type: log
    message: not for warnings
`);
    expect(runOf(exec, 'bad').state.current).toBe('WARNING');
    expect(exec.state.current).toBe('WARNING');
    expect(runsOf(exec, 'never')).toHaveLength(0);
  });

  test('flow errors run after a nested failure, never rescue it, and finally always runs', async () => {
    const exec = await engine.run(`
id: handlers
namespace: test.control
tasks:
  - id: outer
    type: sequential
    tasks:
      - id: explode
        type: fail
        errorMessage: kaput
      - id: skipped_after
        type: return
        format: x
  - id: never_top
    type: return
    format: x
errors:
  - id: alert
    type: return
    format: "alert {{ flow.id }}"
finally:
  - id: cleanup
    type: return
    format: done
`);
    expect(exec.state.current).toBe('FAILED');
    expect(runsOf(exec, 'skipped_after')).toHaveLength(0);
    expect(runsOf(exec, 'never_top')).toHaveLength(0);
    expect(runOf(exec, 'alert').outputs).toEqual({ value: 'alert handlers' });
    expect(runOf(exec, 'cleanup').state.current).toBe('SUCCESS');
    const order = exec.taskRunList.map((t) => t.taskId);
    expect(order.indexOf('cleanup')).toBeGreaterThan(order.indexOf('alert'));
  });

  test('task-level errors of a Sequential run inside it and the Sequential stays FAILED', async () => {
    const exec = await engine.run(`
id: local-errors
namespace: test.control
tasks:
  - id: block
    type: sequential
    tasks:
      - id: bad
        type: fail
    errors:
      - id: local_handler
        type: return
        format: handled
`);
    expect(runOf(exec, 'local_handler').parentTaskRunId).toBe(runOf(exec, 'block').id);
    expect(runOf(exec, 'block').state.current).toBe('FAILED');
    expect(exec.state.current).toBe('FAILED');
  });

  test('errorLogs() in an errors branch sees the failed task logs', async () => {
    const exec = await engine.run(`
id: error-logs
namespace: test.control
tasks:
  - id: bad
    type: fail
    errorMessage: "the reason"
errors:
  - id: show
    type: return
    format: "{{ errorLogs()[0].message }}"
`);
    expect(runOf(exec, 'show').outputs).toEqual({ value: 'the reason' });
  });

  test('flow outputs are rendered at the end, and an unrenderable one fails the execution', async () => {
    const ok = await engine.run(`
id: outs
namespace: test.control
tasks:
  - id: r
    type: return
    format: "42"
outputs:
  - id: answer
    type: INT
    value: "{{ outputs.r.value }}"
`);
    expect(ok.outputs).toEqual({ answer: 42 });
    const bad = await engine.run(`
id: outs-bad
namespace: test.control
tasks:
  - id: r
    type: return
    format: "x"
outputs:
  - id: answer
    type: STRING
    value: "{{ outputs.missing.value }}"
`);
    expect(runOf(bad, 'r').state.current).toBe('SUCCESS');
    expect(bad.state.current).toBe('FAILED');
  });

  test('typed inputs are coerced, defaults fill gaps, and bad inputs create no execution', async () => {
    const flow = await engine.deploy(`
id: typed
namespace: test.control
inputs:
  - id: n
    type: INT
  - id: name
    type: STRING
    defaults: world
tasks:
  - id: r
    type: return
    format: "{{ inputs.n + 1 }} {{ inputs.name }}"
`);
    const started = await startExecution(engine.db, flow, { n: '41' }, { fromStrings: true });
    const exec = await waitForExecutionEnd(engine.db, started.id, 100);
    expect(exec.inputs).toEqual({ n: 41, name: 'world' });
    expect(runOf(exec, 'r').outputs).toEqual({ value: '42 world' });
    const { rows: before } = await engine.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM executions',
    );
    await expect(startExecution(engine.db, flow, {}, { fromStrings: true })).rejects.toBeInstanceOf(
      InvalidInputsError,
    );
    await expect(startExecution(engine.db, flow, { n: 'abc' }, { fromStrings: true })).rejects.toThrow(/n/);
    const { rows: after } = await engine.db.query<{ n: number }>('SELECT count(*)::int AS n FROM executions');
    expect(after[0].n).toBe(before[0].n);
  });

  test('Subflow passes rendered inputs, waits, and exposes the child outputs and state', async () => {
    await engine.deploy(`
id: child
namespace: test.control
inputs:
  - id: person
    type: STRING
  - id: times
    type: INT
    defaults: 1
tasks:
  - id: build
    type: return
    format: "hi {{ inputs.person }} x{{ inputs.times }}"
outputs:
  - id: greeting
    type: STRING
    value: "{{ outputs.build.value }}"
`);
    const exec = await engine.run(`
id: parent
namespace: test.control
tasks:
  - id: call
    type: io.kestra.plugin.core.flow.Subflow
    namespace: test.control
    flowId: child
    inputs:
      person: "{{ 'sam' | upper }}"
      times: 3
  - id: use
    type: return
    format: "{{ outputs.call.outputs.greeting }} ({{ outputs.call.state }})"
`);
    expect(exec.state.current).toBe('SUCCESS');
    expect(runOf(exec, 'use').outputs).toEqual({ value: 'hi SAM x3 (SUCCESS)' });
    const childId = runOf(exec, 'call').outputs?.executionId as string;
    const { rows } = await engine.db.query<{ parent_id: string }>(
      'SELECT parent_id FROM executions WHERE id = $1',
      [childId],
    );
    expect(rows[0].parent_id).toBe(exec.id);
  });

  test('a failed subflow fails the Subflow task unless transmitFailed is false', async () => {
    await engine.deploy(`
id: failing-child
namespace: test.control
tasks:
  - id: f
    type: fail
`);
    const exec = await engine.run(`
id: parent-of-failure
namespace: test.control
tasks:
  - id: strict
    type: subflow
    namespace: test.control
    flowId: failing-child
    transmitFailed: false
  - id: loud
    type: subflow
    namespace: test.control
    flowId: failing-child
`);
    expect(runOf(exec, 'strict').state.current).toBe('SUCCESS');
    expect(runOf(exec, 'strict').outputs?.state).toBe('FAILED');
    expect(runOf(exec, 'loud').state.current).toBe('FAILED');
    expect(exec.state.current).toBe('FAILED');
  });

  test('Pause with a delay resumes by itself', async () => {
    const exec = await engine.run(`
id: pause-delay
namespace: test.control
tasks:
  - id: wait
    type: io.kestra.plugin.core.flow.Pause
    delay: PT0.3S
  - id: after
    type: return
    format: resumed
`);
    expect(exec.state.current).toBe('SUCCESS');
    expect(runOf(exec, 'wait').state.histories.map((h) => h.state)).toContain('PAUSED');
    expect(exec.state.histories.map((h) => h.state)).toEqual([
      'CREATED',
      'RUNNING',
      'PAUSED',
      'RESTARTED',
      'RUNNING',
      'SUCCESS',
    ]);
  });

  test('Pause with only a timeout fails when nobody resumes it', async () => {
    const exec = await engine.run(`
id: pause-timeout
namespace: test.control
tasks:
  - id: wait
    type: pause
    timeout: PT0.3S
`);
    expect(exec.state.current).toBe('FAILED');
    expect(runOf(exec, 'wait').state.current).toBe('FAILED');
  });

  test('a paused execution resumes on a resume message, with its inputs as Pause outputs', async () => {
    const flow = await engine.deploy(`
id: pause-manual
namespace: test.control
tasks:
  - id: wait
    type: pause
  - id: after
    type: return
    format: "{{ outputs.wait.onResume.ok }}"
`);
    const started = await startExecution(engine.db, flow, {});
    for (let i = 0; i < 100; i++) {
      const { rows } = await engine.db.query<{ state: string }>(
        'SELECT state FROM executions WHERE id = $1',
        [started.id],
      );
      if (rows[0].state === 'PAUSED') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await engine.db.transaction((tx) =>
      emit(
        tx,
        'executor',
        { type: 'resume', executionId: started.id, inputs: { ok: 'yes' } },
        { key: started.id },
      ),
    );
    const exec = await waitForExecutionEnd(engine.db, started.id, 100);
    expect(exec.state.current).toBe('SUCCESS');
    expect(runOf(exec, 'after').outputs).toEqual({ value: 'yes' });
  });
});
