import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { getExecution, startExecution, waitForExecutionEnd } from '../../../src/app/executions.js';
import { fromIon } from '../../../src/expression/ion.js';
import { testDialects } from '../../support/databases.js';
import { runOf, startTestEngine, type TestEngine } from '../../support/engine.js';
import { until } from '../../support/until.js';

// The tasks that look at the platform itself (log.Fetch, execution.Count, Resume, PurgeExecutions,
// log.PurgeLogs) in real flows, against the executions and logs the same engine stored.

const SPEAKER = `
id: speaker
namespace: test.system
tasks:
  - id: first
    type: io.kestra.plugin.core.debug.Echo
    format: "first of {{ execution.id }}"
  - id: second
    type: io.kestra.plugin.core.log.Log
    level: WARN
    message: second
  - id: quiet
    type: log
    level: DEBUG
    message: not at INFO
`;

describe.each(testDialects())('platform tasks on $name', (dialect) => {
  let engine: TestEngine;
  const ionLines = async (uri: unknown) =>
    (await text(await engine.storage.get(String(uri))))
      .split('\n')
      .filter(Boolean)
      .map((line) => fromIon(line) as Record<string, unknown>);
  beforeAll(async () => {
    engine = await startTestEngine(dialect);
  });
  afterAll(async () => engine?.stop());

  test("Fetch writes this execution's log lines at INFO and above to an Ion file, and counts them", async () => {
    const exec = await engine.run(`
id: fetch-own
namespace: test.system
tasks:
  - id: a
    type: echo
    format: "from a"
  - id: b
    type: log
    level: ERROR
    message: "from b"
  - id: hidden
    type: log
    level: DEBUG
    message: "below INFO"
  - id: fetch
    type: io.kestra.plugin.core.log.Fetch
  - id: only-a
    type: io.kestra.core.tasks.log.Fetch
    tasksId: [a]
  - id: errors
    type: fetch-logs
    level: ERROR
`);
    expect(exec.state.current).toBe('SUCCESS');
    const all = runOf(exec, 'fetch').outputs!;
    // the execution's own "Flow started" line counts, as in Kestra (its get-log test expects 3)
    expect(all.size).toBe(3);
    expect(String(all.uri)).toMatch(/\.ion$/);
    const entries = await ionLines(all.uri);
    expect(entries.map((e) => [e.taskId ?? null, e.level, e.message])).toEqual([
      [null, 'INFO', 'Flow started'],
      ['a', 'INFO', 'from a'],
      ['b', 'ERROR', 'from b'],
    ]);
    expect(entries[1]).toMatchObject({
      namespace: 'test.system',
      flowId: 'fetch-own',
      executionId: exec.id,
      taskRunId: runOf(exec, 'a').id,
    });
    expect(runOf(exec, 'only-a').outputs?.size).toBe(1);
    expect(runOf(exec, 'errors').outputs?.size).toBe(1);
  });

  test("Fetch reads another flow's execution given its namespace and flowId, and refuses half a target", async () => {
    const other = await engine.run(SPEAKER);
    const exec = await engine.run(
      `
id: fetch-other
namespace: test.system
inputs:
  - id: target
    type: STRING
tasks:
  - id: fetch
    type: io.kestra.plugin.core.log.Fetch
    namespace: test.system
    flowId: speaker
    executionId: "{{ inputs.target }}"
  - id: half
    type: io.kestra.plugin.core.log.Fetch
    flowId: speaker
    executionId: "{{ inputs.target }}"
`,
      { target: other.id },
    );
    expect(runOf(exec, 'fetch').outputs?.size).toBe(4);
    const messages = (await ionLines(runOf(exec, 'fetch').outputs?.uri)).map((e) => e.message);
    expect(messages.slice(0, 3)).toEqual(['Flow started', `first of ${other.id}`, 'second']);
    expect(messages[3]).toMatch(/^Flow completed with state SUCCESS in \d+:\d\d:\d\d\.\d{3}$/);
    expect(runOf(exec, 'half').state.current).toBe('FAILED');
    const logs = await engine.logs(exec.id);
    expect(logs.some((l) => l.taskId === 'half' && /Both `namespace` and `flowId`/.test(l.message))).toBe(
      true,
    );
  });

  test('Count counts executions per flow, a flow without any as 0, and keeps those the expression accepts', async () => {
    await engine.run(SPEAKER.replace('id: speaker', 'id: counted'));
    await engine.run(SPEAKER.replace('id: speaker', 'id: counted'));
    const exec = await engine.run(`
id: count
namespace: test.system
tasks:
  - id: all
    type: io.kestra.plugin.core.execution.Count
    startDate: "{{ now() | dateAdd(-1, 'HOURS') }}"
    flows:
      - { namespace: test.system, flowId: counted }
      - { namespace: test.system, flowId: never-ran }
    expression: "{{ count >= 0 }}"
  - id: idle
    type: io.kestra.core.tasks.executions.Counts
    startDate: "{{ now() | dateAdd(-1, 'HOURS') }}"
    flows:
      - { namespace: test.system, flowId: counted }
      - { namespace: test.system, flowId: never-ran }
    expression: "{{ count == 0 }}"
  - id: failed-only
    type: count-executions
    startDate: "{{ now() | dateAdd(-1, 'HOURS') }}"
    states: [FAILED]
    flows:
      - { namespace: test.system, flowId: counted }
    expression: "{{ count == 0 }}"
`);
    expect(exec.state.current).toBe('SUCCESS');
    expect(runOf(exec, 'all').outputs).toEqual({
      results: [
        { namespace: 'test.system', flowId: 'counted', count: 2 },
        { namespace: 'test.system', flowId: 'never-ran', count: 0 },
      ],
      total: 2,
    });
    expect(runOf(exec, 'idle').outputs).toEqual({
      results: [{ namespace: 'test.system', flowId: 'never-ran', count: 0 }],
      total: 0,
    });
    expect(runOf(exec, 'failed-only').outputs?.results).toEqual([
      { namespace: 'test.system', flowId: 'counted', count: 0 },
    ]);
  });

  test('Resume resumes a paused execution of another flow with inputs, and fails on one not paused', async () => {
    const paused = await engine.deploy(`
id: waiting
namespace: test.system
tasks:
  - id: wait
    type: io.kestra.plugin.core.flow.Pause
  - id: after
    type: return
    format: "resumed with {{ outputs.wait.onResume.note }}"
`);
    const started = await startExecution(engine.db, paused, {});
    await until(
      'execution paused',
      async () => (await getExecution(engine.db, started.id))?.state.current === 'PAUSED',
      10_000,
    );
    const resumer = `
id: resumer
namespace: test.system
inputs:
  - id: target
    type: STRING
tasks:
  - id: resume
    type: io.kestra.plugin.core.execution.Resume
    namespace: test.system
    flowId: waiting
    executionId: "{{ inputs.target }}"
    inputs:
      note: "{{ flow.id }}"
`;
    const exec = await engine.run(resumer, { target: started.id });
    expect(exec.state.current).toBe('SUCCESS');
    const resumed = await waitForExecutionEnd(engine.db, started.id, 100);
    expect(resumed.state.current).toBe('SUCCESS');
    expect(runOf(resumed, 'after').outputs).toEqual({ value: 'resumed with resumer' });

    const again = await engine.run(resumer, { target: started.id });
    expect(again.state.current).toBe('FAILED');
    expect(runOf(again, 'resume').state.current).toBe('FAILED');
  });

  test('PurgeExecutions deletes ended executions of a namespace with their logs and files', async () => {
    const old = await engine.run(`
id: doomed
namespace: test.purge.target
tasks:
  - id: say
    type: log
    message: soon gone
  - id: file
    type: local-files
    inputs: { f.txt: "x" }
    outputs: ["f.txt"]
`);
    const fileUri = (runOf(old, 'file').outputs?.uris as Record<string, string>)['f.txt'];
    const exec = await engine.run(`
id: purger
namespace: test.purge
tasks:
  - id: purge
    type: io.kestra.plugin.core.execution.PurgeExecutions
    namespace: test.purge.target
    endDate: "{{ now() }}"
`);
    expect(exec.state.current).toBe('SUCCESS');
    const outputs = runOf(exec, 'purge').outputs!;
    // its task line and its own "Flow started" and "Flow completed" lines
    expect(outputs).toEqual({ executionsCount: 1, logsCount: 3, storagesCount: 1, metricsCount: 0 });
    expect(await getExecution(engine.db, old.id)).toBeUndefined();
    expect(await engine.logs(old.id)).toEqual([]);
    expect(await engine.storage.exists(fileUri)).toBe(false);
    // the purging execution itself was running, and stays
    expect(await getExecution(engine.db, exec.id)).toBeDefined();
  });

  test('PurgeLogs deletes the log lines of one execution at the given levels and counts them', async () => {
    const noisy = await engine.run(SPEAKER);
    const exec = await engine.run(
      `
id: log-purger
namespace: test.system
inputs:
  - id: target
    type: STRING
tasks:
  - id: purge
    type: io.kestra.plugin.core.log.PurgeLogs
    executionId: "{{ inputs.target }}"
    logLevels: [WARN, DEBUG]
    endDate: "{{ now() }}"
`,
      { target: noisy.id },
    );
    expect(runOf(exec, 'purge').outputs).toEqual({ count: 2 });
    expect((await engine.logs(noisy.id)).map((l) => l.taskId)).toEqual([null, 'first', null]);
  });
});
