import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testDialects } from '../../support/databases.js';
import { runOf, runsOf, startTestEngine, type TestEngine } from '../../support/engine.js';

// Behaviours read from Kestra's executor and its own tests, which flows written for Kestra rely on.

const states = (h: { state: string }[]) => h.map((x) => x.state);

describe.each(testDialects())('Kestra semantics on $name', (dialect) => {
  let engine: TestEngine;
  beforeAll(async () => {
    engine = await startTestEngine(dialect);
  });
  afterAll(async () => engine?.stop());

  test('each retried try records FAILED, RETRYING and CREATED, and the execution RETRYING', async () => {
    const exec = await engine.run(`
id: retry-histories
namespace: test.kestra
tasks:
  - id: broken
    type: fail
    retry:
      type: constant
      interval: PT0.05S
      maxAttempt: 2
`);
    expect(states(runOf(exec, 'broken').state.histories)).toEqual([
      'CREATED',
      'RUNNING',
      'FAILED',
      'RETRYING',
      'CREATED',
      'RUNNING',
      'FAILED',
    ]);
    expect(states(exec.state.histories)).toEqual(['CREATED', 'RUNNING', 'RETRYING', 'RUNNING', 'FAILED']);
  });

  test('a task without its own retry uses the retry of the nearest enclosing task', async () => {
    const exec = await engine.run(`
id: retry-inherited
namespace: test.kestra
tasks:
  - id: block
    type: sequential
    retry:
      type: constant
      interval: PT0.05S
      maxAttempt: 3
    tasks:
      - id: child
        type: fail
`);
    expect(runOf(exec, 'child').attempts).toHaveLength(3);
  });

  test('warningOnRetry makes a task that succeeded only after retries WARNING', async () => {
    const exec = await engine.run(`
id: retry-warning
namespace: test.kestra
tasks:
  - id: flaky
    type: fail
    condition: "{{ taskrun.attemptsCount < 1 }}"
    retry:
      type: constant
      interval: PT0.05S
      maxAttempt: 3
      warningOnRetry: true
`);
    expect(runOf(exec, 'flaky').state.current).toBe('WARNING');
    expect(runOf(exec, 'flaky').attempts.map((a) => a.state.current)).toEqual(['FAILED', 'SUCCESS']);
    expect(exec.state.current).toBe('WARNING');
  });

  test('a Pause that times out goes straight from PAUSED to FAILED and the execution restarts first', async () => {
    const exec = await engine.run(`
id: pause-times-out
namespace: test.kestra
tasks:
  - id: wait
    type: pause
    timeout: PT0.2S
`);
    expect(states(runOf(exec, 'wait').state.histories)).toEqual(['CREATED', 'RUNNING', 'PAUSED', 'FAILED']);
    expect(states(exec.state.histories)).toEqual([
      'CREATED',
      'RUNNING',
      'PAUSED',
      'RESTARTED',
      'RUNNING',
      'FAILED',
    ]);
  });

  test('a Pause runs its older-style tasks once its delay has passed', async () => {
    const exec = await engine.run(`
id: pause-with-tasks
namespace: test.kestra
tasks:
  - id: wait
    type: pause
    delay: PT0.1S
    tasks:
      - id: after_pause
        type: return
        format: resumed
`);
    expect(exec.state.current).toBe('SUCCESS');
    expect(runOf(exec, 'after_pause').parentTaskRunId).toBe(runOf(exec, 'wait').id);
  });

  test('If exposes evaluationResult, and a later task can read it', async () => {
    const exec = await engine.run(`
id: if-result
namespace: test.kestra
tasks:
  - id: check
    type: if
    condition: "{{ 2 > 1 }}"
    then:
      - id: yes
        type: return
        format: "{{ parent.outputs.evaluationResult }}"
  - id: read
    type: return
    format: "{{ outputs.check.evaluationResult }}"
`);
    expect(runOf(exec, 'check').outputs).toEqual({ evaluationResult: true });
    expect(runOf(exec, 'yes').outputs).toEqual({ value: 'true' });
    expect(runOf(exec, 'read').outputs).toEqual({ value: 'true' });
  });

  test('every execution carries system.correlationId, and a subflow inherits its root one', async () => {
    await engine.deploy(`
id: labelled-child
namespace: test.kestra
tasks:
  - id: r
    type: return
    format: "{{ labels.system.correlationId }}"
outputs:
  - id: correlation
    type: STRING
    value: "{{ outputs.r.value }}"
`);
    const exec = await engine.run(`
id: labelled-parent
namespace: test.kestra
labels:
  team: data
tasks:
  - id: call
    type: subflow
    namespace: test.kestra
    flowId: labelled-child
`);
    expect(exec.labels).toContainEqual({ key: 'system.correlationId', value: exec.id });
    expect(runOf(exec, 'call').outputs?.outputs).toEqual({ correlation: exec.id });
  });

  test('flow outputs are rendered for a failed execution too', async () => {
    const exec = await engine.run(`
id: outputs-on-failure
namespace: test.kestra
tasks:
  - id: r
    type: return
    format: "42"
  - id: boom
    type: fail
outputs:
  - id: s
    type: STRING
    value: "{{ outputs.r.value }}"
`);
    expect(exec.state.current).toBe('FAILED');
    expect(exec.outputs).toEqual({ s: '42' });
  });

  test('dotted input ids nest, dotted flow output ids do not', async () => {
    const exec = await engine.run(
      `
id: dotted
namespace: test.kestra
inputs:
  - id: db.host
    type: STRING
tasks:
  - id: r
    type: return
    format: "{{ inputs.db.host }}"
outputs:
  - id: db.url
    type: STRING
    value: "postgres://{{ outputs.r.value }}"
`,
      { 'db.host': 'example' },
    );
    expect(exec.inputs).toEqual({ db: { host: 'example' } });
    expect(exec.outputs).toEqual({ 'db.url': 'postgres://example' });
  });

  test('a Subflow without wait reports the child as CREATED and succeeds at once', async () => {
    await engine.deploy(`
id: slow-child
namespace: test.kestra
tasks:
  - id: z
    type: sleep
    duration: PT0.2S
`);
    const exec = await engine.run(`
id: fire-and-forget
namespace: test.kestra
tasks:
  - id: call
    type: subflow
    namespace: test.kestra
    flowId: slow-child
    wait: false
`);
    expect(runOf(exec, 'call').state.current).toBe('SUCCESS');
    expect(runOf(exec, 'call').outputs).toEqual({ executionId: expect.any(String), state: 'CREATED' });
  });

  test("a Subflow's own outputs map reads a child that declares no flow outputs", async () => {
    await engine.deploy(`
id: plain-child
namespace: test.kestra
tasks:
  - id: make
    type: return
    format: made
`);
    const exec = await engine.run(`
id: extracting-parent
namespace: test.kestra
tasks:
  - id: call
    type: subflow
    namespace: test.kestra
    flowId: plain-child
    outputs:
      extracted: "{{ outputs.make.value }}"
`);
    expect(runOf(exec, 'call').outputs?.outputs).toEqual({ extracted: 'made' });
  });

  test('a failed Subflow is retried with a new child execution per attempt', async () => {
    await engine.deploy(`
id: always-fails
namespace: test.kestra
tasks:
  - id: f
    type: fail
`);
    const exec = await engine.run(`
id: retried-subflow
namespace: test.kestra
tasks:
  - id: call
    type: subflow
    namespace: test.kestra
    flowId: always-fails
    retry:
      type: constant
      interval: PT0.05S
      maxAttempt: 2
`);
    expect(runOf(exec, 'call').state.current).toBe('FAILED');
    expect(runOf(exec, 'call').attempts).toHaveLength(2);
    const { rows } = await engine.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM executions WHERE parent_id = $1`,
      [exec.id],
    );
    expect(rows[0].n).toBe(2);
  });

  test('tasks.<id>.state gives the state of earlier task runs', async () => {
    const exec = await engine.run(`
id: task-states
namespace: test.kestra
tasks:
  - id: first
    type: return
    format: x
  - id: second
    type: return
    format: "{{ tasks.first.state }}"
`);
    expect(runOf(exec, 'second').outputs).toEqual({ value: 'SUCCESS' });
  });

  test('a loop over values that are neither strings, whole numbers nor maps fails before running', async () => {
    const exec = await engine.run(`
id: bad-loop
namespace: test.kestra
tasks:
  - id: each
    type: for-each
    values: [1, 2.5]
    tasks:
      - id: r
        type: return
        format: "{{ taskrun.value }}"
`);
    expect(runOf(exec, 'each').state.current).toBe('FAILED');
    expect(runsOf(exec, 'r')).toHaveLength(0);
  });

  test('a runIf that cannot be rendered fails the task run before it starts', async () => {
    const exec = await engine.run(`
id: bad-run-if
namespace: test.kestra
tasks:
  - id: r
    type: return
    format: x
    runIf: "{{ missing.value }}"
`);
    expect(states(runOf(exec, 'r').state.histories)).toEqual(['CREATED', 'FAILED']);
  });
});
