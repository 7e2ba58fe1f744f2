import { execFileSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { getExecution, startExecution, waitForExecutionEnd } from '../../../src/app/executions.js';
import type { Execution } from '../../../src/engine/execution.js';
import { emit } from '../../../src/queue/postgres-queue.js';
import { testDialects } from '../../support/databases.js';
import { runOf, startTestEngine, type TestEngine } from '../../support/engine.js';
import { until } from '../../support/until.js';

// Killing an execution while a worker runs a process for it: the execution and its task runs end
// KILLED, the process is gone, and the kill reaches subflow executions.

/** A sleep of a little over 30 s whose command line is unique to this call, so `pgrep -f` finds
 * exactly the processes this test started (the shell running the commands, and sleep itself). */
function uniqueSleep(): { command: string; pattern: string } {
  const digits = String(randomInt(100_000_000, 999_999_999));
  return { command: `sleep 30.${digits}`, pattern: `sleep 30\\.${digits}` };
}

/** Pids of live (not zombie) processes whose command line matches the pattern. */
function processes(pattern: string): number[] {
  let out: string;
  try {
    out = execFileSync('pgrep', ['-f', pattern], { encoding: 'utf8' });
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
  return out
    .split('\n')
    .filter(Boolean)
    .map(Number)
    .filter((pid) => pid !== process.pid && !isZombie(pid));
}

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] === 'Z';
  } catch {
    return true; // gone meanwhile
  }
}

describe.each(testDialects())('killing executions on $name', (dialect) => {
  let engine: TestEngine;
  beforeAll(async () => {
    engine = await startTestEngine(dialect);
  });
  afterAll(async () => engine?.stop());

  /** What src/server/app.ts does for DELETE /api/v1/executions/{id}/kill. */
  const kill = (executionId: string) =>
    engine.db.transaction((tx) => emit(tx, 'executor', { type: 'kill', executionId }, { key: executionId }));

  const taskRunState = async (executionId: string, taskId: string) => {
    const exec = await getExecution(engine.db, executionId);
    return exec?.taskRunList.find((tr) => tr.taskId === taskId)?.state.current;
  };

  test('killing a running shell task ends the execution and the task run KILLED and stops the process', async () => {
    const sleep = uniqueSleep();
    const flow = await engine.deploy(`
id: sleeper
namespace: test.kill
tasks:
  - id: nap
    type: shell
    commands:
      - ${sleep.command}
  - id: never
    type: return
    format: x
`);
    const started = await startExecution(engine.db, flow, {});
    await until(
      'the task run to be RUNNING',
      async () => (await taskRunState(started.id, 'nap')) === 'RUNNING',
    );
    await until('the sleep process to start', () => processes(sleep.pattern).length > 0);

    const killedAt = Date.now();
    await kill(started.id);
    const exec = await waitForExecutionEnd(engine.db, started.id, 100);
    expect(Date.now() - killedAt).toBeLessThan(5_000);
    expect(exec.state.current).toBe('KILLED');
    expect(runOf(exec, 'nap').state.current).toBe('KILLED');
    expect(exec.taskRunList.map((tr) => tr.taskId)).toEqual(['nap']);
    // SIGTERM reaches the whole process group at once; allow for the signal's delivery and reaping
    await until('the sleep process to be gone', () => processes(sleep.pattern).length === 0, 3_000);
  });

  // A kill must also reach jobs still waiting in the queue, such as the next attempt of a retry.
  test('killing a task waiting for its retry stops it from running again', async () => {
    const sleep = uniqueSleep();
    const flow = await engine.deploy(`
id: retry-then-kill
namespace: test.kill
tasks:
  - id: nap
    type: shell
    retry:
      type: constant
      interval: PT1S
      maxAttempt: 3
    commands:
      - test {{ taskrun.attemptsCount }} -ge 1
      - ${sleep.command}
`);
    const started = await startExecution(engine.db, flow, {});
    await until(
      'the task run to be RETRYING',
      async () => (await taskRunState(started.id, 'nap')) === 'RETRYING',
    );
    await kill(started.id);
    expect((await waitForExecutionEnd(engine.db, started.id, 100)).state.current).toBe('KILLED');
    // past the retry interval: the second attempt would have started by now
    await new Promise((r) => setTimeout(r, 2_000));
    const leftovers = processes(sleep.pattern);
    for (const pid of leftovers) process.kill(pid, 'SIGKILL'); // or the engine's stop would wait 30 s
    expect(leftovers).toEqual([]);
  });

  // The parent of a child killed on its own hears of it, as it does of any other end.
  test('killing a subflow execution on its own ends the Subflow task of its parent', async () => {
    const sleep = uniqueSleep();
    await engine.deploy(`
id: lonely-child
namespace: test.kill
tasks:
  - id: nap
    type: shell
    commands:
      - ${sleep.command}
`);
    const parentFlow = await engine.deploy(`
id: waiting-parent
namespace: test.kill
tasks:
  - id: call
    type: subflow
    namespace: test.kill
    flowId: lonely-child
`);
    const started = await startExecution(engine.db, parentFlow, {});
    const childId = await until('the child execution to start', async () => {
      const exec = await getExecution(engine.db, started.id);
      const id = exec?.taskRunList.find((tr) => tr.taskId === 'call')?.outputs?.executionId;
      return typeof id === 'string' ? id : undefined;
    });
    await until('the child process to start', () => processes(sleep.pattern).length > 0);
    await kill(childId);
    const parent = await Promise.race([
      waitForExecutionEnd(engine.db, started.id, 100),
      new Promise<undefined>((r) => setTimeout(r, 5_000, undefined)),
    ]);
    if (!parent) await kill(started.id); // leave nothing running behind the test
    // as in Kestra, a killed child leaves its Subflow task KILLED (transmitFailed passes the state on)
    const callState = parent ? runOf(parent, 'call').state.current : 'parent still RUNNING 5 s after';
    expect(callState).toBe('KILLED');
  });

  test('killing a parent kills its running subflow execution too', async () => {
    const sleep = uniqueSleep();
    await engine.deploy(`
id: sleepy-child
namespace: test.kill
tasks:
  - id: nap
    type: shell
    commands:
      - ${sleep.command}
`);
    const parentFlow = await engine.deploy(`
id: parent
namespace: test.kill
tasks:
  - id: call
    type: io.kestra.plugin.core.flow.Subflow
    namespace: test.kill
    flowId: sleepy-child
  - id: never
    type: return
    format: x
`);
    const started = await startExecution(engine.db, parentFlow, {});
    const childId = await until('the child execution to start', async () => {
      const exec = await getExecution(engine.db, started.id);
      const id = exec?.taskRunList.find((tr) => tr.taskId === 'call')?.outputs?.executionId;
      return typeof id === 'string' ? id : undefined;
    });
    await until('the child process to start', () => processes(sleep.pattern).length > 0);

    await kill(started.id);
    const [parent, child]: Execution[] = await Promise.all([
      waitForExecutionEnd(engine.db, started.id, 100),
      waitForExecutionEnd(engine.db, childId, 100),
    ]);
    expect([parent.state.current, child.state.current]).toEqual(['KILLED', 'KILLED']);
    expect(runOf(parent, 'call').state.current).toBe('KILLED');
    expect(runOf(child, 'nap').state.current).toBe('KILLED');
    await until('the child process to be gone', () => processes(sleep.pattern).length === 0, 3_000);
  });
});
