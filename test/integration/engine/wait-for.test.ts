import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { getExecution, startExecution, waitForExecutionEnd } from '../../../src/app/executions.js';
import { emit } from '../../../src/queue/postgres-queue.js';
import { testDialects } from '../../support/databases.js';
import { runOf, runsOf, startTestEngine, type TestEngine } from '../../support/engine.js';
import { until } from '../../support/until.js';

// WaitFor as Kestra runs it: the tasks run, then the condition is rendered; until it holds the run
// waits `interval` PAUSED and starts its tasks again, counting iterations in `iterationCount`.

const states = (h: { state: string }[]) => h.map((x) => x.state);

describe.each(testDialects())('WaitFor on $name', (dialect) => {
  let engine: TestEngine;
  beforeAll(async () => {
    engine = await startTestEngine(dialect);
  });
  afterAll(async () => engine?.stop());

  test('runs its tasks again until the condition holds, keeping only the last iteration’s task runs', async () => {
    const exec = await engine.run(`
id: poll-until-three
namespace: test.waitfor
tasks:
  - id: poll
    type: io.kestra.plugin.core.flow.WaitFor
    condition: "{{ outputs.probe.value == '3' }}"
    checkFrequency:
      interval: PT0.05S
    tasks:
      - id: probe
        type: io.kestra.plugin.core.debug.Return
        format: "{{ outputs.poll.iterationCount }}"
`);
    expect(exec.state.current).toBe('SUCCESS');
    // iterationCount is 1 during the first iteration and one more after each completed one
    expect(runOf(exec, 'poll').outputs).toEqual({ iterationCount: 4 });
    expect(runOf(exec, 'probe').outputs).toEqual({ value: '3' });
    expect(states(runOf(exec, 'poll').state.histories)).toEqual([
      'CREATED',
      'RUNNING',
      'PAUSED',
      'RUNNING',
      'PAUSED',
      'RUNNING',
      'SUCCESS',
    ]);
  });

  test('the execution waits PAUSED between iterations and goes straight back to RUNNING', async () => {
    const exec = await engine.run(`
id: poll-twice
namespace: test.waitfor
tasks:
  - id: poll
    type: io.kestra.core.tasks.flows.WaitFor
    condition: "{{ outputs.poll.iterationCount > 2 }}"
    checkFrequency:
      interval: PT0.05S
    tasks:
      - id: tick
        type: log
        message: tick
`);
    expect(states(exec.state.histories)).toEqual(['CREATED', 'RUNNING', 'PAUSED', 'RUNNING', 'SUCCESS']);
    expect(runOf(exec, 'poll').outputs).toEqual({ iterationCount: 3 });
  });

  test('maxIterations with failOnMaxReached fails the task once the count passes the maximum', async () => {
    const exec = await engine.run(`
id: poll-max-iterations
namespace: test.waitfor
tasks:
  - id: poll
    type: wait-for
    condition: "{{ false }}"
    failOnMaxReached: true
    checkFrequency:
      maxIterations: 2
      interval: PT0.05S
    tasks:
      - id: probe
        type: return
        format: "{{ outputs.poll.iterationCount }}"
  - id: after
    type: log
    message: never
`);
    expect(exec.state.current).toBe('FAILED');
    expect(runOf(exec, 'poll').state.current).toBe('FAILED');
    expect(runOf(exec, 'poll').error).toBe('Max iterations reached');
    expect(runOf(exec, 'poll').outputs).toEqual({ iterationCount: 3 });
    expect(runOf(exec, 'probe').outputs).toEqual({ value: '2' });
    expect(runsOf(exec, 'after')).toHaveLength(0);
  });

  test('a maximum reached without failOnMaxReached ends the loop in the state of its tasks', async () => {
    const exec = await engine.run(`
id: poll-max-no-fail
namespace: test.waitfor
tasks:
  - id: poll
    type: wait-for
    condition: "{{ false }}"
    checkFrequency:
      maxIterations: 2
      interval: PT0.05S
    tasks:
      - id: probe
        type: log
        message: probing
`);
    expect(exec.state.current).toBe('SUCCESS');
    expect(runOf(exec, 'poll').outputs).toEqual({ iterationCount: 3 });
  });

  test('maxDuration stops a loop whose condition never holds', async () => {
    const started = Date.now();
    const exec = await engine.run(`
id: poll-max-duration
namespace: test.waitfor
tasks:
  - id: poll
    type: wait-for
    condition: "{{ false }}"
    failOnMaxReached: true
    checkFrequency:
      maxDuration: PT0.5S
      interval: PT0.1S
    tasks:
      - id: probe
        type: log
        message: probing
`);
    expect(exec.state.current).toBe('FAILED');
    expect(runOf(exec, 'poll').error).toBe('Max duration reached');
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
  });

  test('a task that fails ends the loop at once, FAILED, without another iteration or retry', async () => {
    const exec = await engine.run(`
id: poll-child-fails
namespace: test.waitfor
tasks:
  - id: poll
    type: wait-for
    condition: "{{ false }}"
    checkFrequency:
      interval: PT0.05S
    tasks:
      - id: probe
        type: log
        message: probing
      - id: broken
        type: fail
    errors:
      - id: handler
        type: log
        message: handled
`);
    expect(exec.state.current).toBe('FAILED');
    expect(runOf(exec, 'poll').state.current).toBe('FAILED');
    expect(runOf(exec, 'poll').outputs).toEqual({ iterationCount: 1 });
    expect(runOf(exec, 'broken').attempts).toHaveLength(1);
    expect(runOf(exec, 'handler').state.current).toBe('SUCCESS');
  });

  test('a killed WaitFor that waits between iterations ends KILLED and never starts again', async () => {
    const flow = await engine.deploy(`
id: poll-killed
namespace: test.waitfor
tasks:
  - id: poll
    type: wait-for
    condition: "{{ false }}"
    checkFrequency:
      interval: PT1S
    tasks:
      - id: probe
        type: log
        message: probing
`);
    const started = await startExecution(engine.db, flow, {});
    await until('the WaitFor waiting between iterations', async () => {
      const exec = await getExecution(engine.db, started.id);
      return exec?.state.current === 'PAUSED';
    });
    await engine.db.transaction((tx) =>
      emit(tx, 'executor', { type: 'kill', executionId: started.id }, { key: started.id }),
    );
    const exec = await waitForExecutionEnd(engine.db, started.id, 50);
    expect(exec.state.current).toBe('KILLED');
    expect(runOf(exec, 'poll').state.current).toBe('KILLED');
    // the wake-up that was due after the kill changes nothing
    await new Promise((r) => setTimeout(r, 1300));
    expect((await getExecution(engine.db, started.id))?.taskRunList).toHaveLength(2);
  });
});
