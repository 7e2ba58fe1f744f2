import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  ExecutionConflictError,
  replayExecution,
  restartExecution,
  waitForExecutionEnd,
} from '../../../src/app/executions.js';
import type { Execution } from '../../../src/engine/execution.js';
import { testDialects } from '../../support/databases.js';
import { runOf, runsOf, startTestEngine, type TestEngine } from '../../support/engine.js';

const states = (e: { state: { histories: { state: string }[] } }) => e.state.histories.map((h) => h.state);

// fails on its first attempt only: a restart gives it a second one, which succeeds
const FLAKY = `
id: flaky-pipeline
namespace: test.restart
tasks:
  - id: prepare
    type: return
    format: ready
  - id: block
    type: sequential
    tasks:
      - id: flaky
        type: fail
        condition: "{{ taskrun.attemptsCount < 1 }}"
  - id: finish
    type: return
    format: "{{ outputs.prepare.value }}"
`;

describe.each(testDialects())('restart and replay on $name', (dialect) => {
  let engine: TestEngine;
  beforeAll(async () => {
    engine = await startTestEngine(dialect);
  });
  afterAll(async () => engine?.stop());

  async function restarted(failed: Execution): Promise<Execution> {
    await restartExecution(engine.db, failed.id);
    // wait for the restart to be picked up, then for the new end
    for (let i = 0; i < 100; i++) {
      const { rows } = await engine.db.query<{ state: string }>(
        'SELECT state FROM executions WHERE id = $1',
        [failed.id],
      );
      if (rows[0].state !== 'FAILED') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    return waitForExecutionEnd(engine.db, failed.id, 100);
  }

  test('restart runs the failed task again as attempt 2 in the same execution and carries on', async () => {
    const failed = await engine.run(FLAKY);
    expect(failed.state.current).toBe('FAILED');
    const exec = await restarted(failed);
    expect(exec.state.current).toBe('SUCCESS');
    expect(states(exec)).toEqual(['CREATED', 'RUNNING', 'FAILED', 'RESTARTED', 'RUNNING', 'SUCCESS']);
    expect(runOf(exec, 'flaky').attempts.map((a) => a.state.current)).toEqual(['FAILED', 'SUCCESS']);
    expect(states(runOf(exec, 'flaky'))).toContain('RESTARTED');
    expect(runsOf(exec, 'prepare')).toHaveLength(1);
    expect(runOf(exec, 'finish').outputs).toEqual({ value: 'ready' });
  });

  test('only a FAILED or KILLED execution can be restarted', async () => {
    const ok = await engine.run(`
id: fine
namespace: test.restart
tasks:
  - id: r
    type: return
    format: x
`);
    await expect(restartExecution(engine.db, ok.id)).rejects.toBeInstanceOf(ExecutionConflictError);
  });

  test('replay from a task run makes a new execution that keeps what ran before it', async () => {
    const original = await engine.run(`
id: replayable
namespace: test.replay
tasks:
  - id: a
    type: return
    format: "{{ execution.id }}"
  - id: b
    type: return
    format: "b of {{ execution.id }}"
  - id: c
    type: return
    format: "{{ outputs.a.value }}"
`);
    const replay = await replayExecution(engine.db, original.id, runOf(original, 'b').id);
    const exec = await waitForExecutionEnd(engine.db, replay!.id, 100);
    expect(exec.id).not.toBe(original.id);
    expect(exec.originalId).toBe(original.id);
    expect(exec.state.current).toBe('SUCCESS');
    expect(runOf(exec, 'a').outputs).toEqual({ value: original.id });
    expect(runOf(exec, 'b').outputs).toEqual({ value: `b of ${exec.id}` });
    expect(runOf(exec, 'c').outputs).toEqual({ value: original.id });
  });

  test('replay from a task inside a Sequential reopens the Sequential', async () => {
    const original = await engine.run(FLAKY);
    const replay = await replayExecution(engine.db, original.id, runOf(original, 'flaky').id);
    const exec = await waitForExecutionEnd(engine.db, replay!.id, 100);
    expect(runsOf(exec, 'block')).toHaveLength(1);
    expect(runsOf(exec, 'flaky')).toHaveLength(1);
    // a fresh task run: first attempt again, which this flow fails
    expect(runOf(exec, 'flaky').attempts).toHaveLength(1);
    expect(exec.state.current).toBe('FAILED');
  });
});
