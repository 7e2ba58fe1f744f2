import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { waitForExecutionEnd } from '../../../src/app/executions.js';
import type { Execution } from '../../../src/engine/execution.js';
import { testDialects } from '../../support/databases.js';
import { runOf, startTestEngine, type TestEngine } from '../../support/engine.js';

// ForEachItem as Kestra runs it: a file of items cut into batches, one subflow execution per batch,
// the batch counts per end state on the `_items` step and the subflows' outputs merged into one file.

/** A flow that writes `count` numbered lines, then hands them to a ForEachItem with `props`. */
function parentFlow(id: string, count: number, props: string, after = ''): string {
  const lines = Array.from({ length: count }, (_, i) => `line ${i}`).join('\\n');
  return `
id: ${id}
namespace: test.foreachitem
tasks:
  - id: make
    type: io.kestra.plugin.core.storage.LocalFiles
    inputs:
      items.txt: "${lines}${count > 0 ? '\\n' : ''}"
    outputs: ["items.txt"]
  - id: each
    type: io.kestra.plugin.core.flow.ForEachItem
    items: "{{ outputs.make.uris['items.txt'] }}"
    namespace: test.foreachitem
${props}
${after}`;
}

const CHILD_LOG = `
id: child-log
namespace: test.foreachitem
inputs:
  - id: items
    type: STRING
tasks:
  - id: per-batch
    type: io.kestra.plugin.core.log.Log
    message: "{{ inputs.items }}"
`;

const CHILD_FAIL = `
id: child-fail
namespace: test.foreachitem
inputs:
  - id: items
    type: STRING
tasks:
  - id: per-batch
    type: io.kestra.plugin.core.execution.Fail
`;

const CHILD_OUTPUTS = `
id: child-outputs
namespace: test.foreachitem
inputs:
  - id: items
    type: STRING
tasks:
  - id: count
    type: io.kestra.plugin.core.debug.Return
    format: "{{ read(inputs.items) | trim }}"
outputs:
  - id: batch
    type: STRING
    value: "{{ outputs.count.value }}"
`;

describe.each(testDialects())('ForEachItem on $name', (dialect) => {
  let engine: TestEngine;
  beforeAll(async () => {
    engine = await startTestEngine(dialect);
    for (const child of [CHILD_LOG, CHILD_FAIL, CHILD_OUTPUTS]) await engine.deploy(child);
  });
  afterAll(async () => engine?.stop());

  async function children(parent: Execution): Promise<Execution[]> {
    const { rows } = await engine.db.query<{ doc: Execution }>(
      `SELECT doc FROM executions WHERE doc->>'parentId' = $1`,
      [parent.id],
    );
    const ended = await Promise.all(rows.map((r) => waitForExecutionEnd(engine.db, r.doc.id, 50)));
    return ended.sort(
      (a, b) => Number(a.trigger?.variables.taskRunIteration) - Number(b.trigger?.variables.taskRunIteration),
    );
  }

  test('starts one subflow per batch of rows and counts their end states', async () => {
    const exec = await engine.run(
      parentFlow(
        'fei-rows',
        10,
        '    flowId: child-log\n    batch: { rows: 4 }\n    inputs: { items: "{{ taskrun.items }}" }',
      ),
    );
    expect(exec.state.current).toBe('SUCCESS');
    expect(exec.taskRunList.map((t) => t.taskId)).toEqual([
      'make',
      'each',
      'each_split',
      'each_items',
      'each_merge',
    ]);
    const items = runOf(exec, 'each_items');
    expect(items.attempts.map((a) => a.state.current)).toEqual(['SUCCESS']);
    expect(items.outputs).toMatchObject({
      numberOfBatches: 3,
      iterations: { CREATED: 0, RUNNING: 0, SUCCESS: 3 },
    });
    const subflows = await children(exec);
    expect(subflows.map((e) => e.trigger?.variables.taskRunIteration)).toEqual([0, 1, 2]);
    expect(subflows.every((e) => e.state.current === 'SUCCESS')).toBe(true);
    expect(String(subflows[0].inputs.items)).toMatch(
      new RegExp(`^sluice:///test/foreachitem/fei-rows/executions/${exec.id}/tasks/each_split/.*\\.txt$`),
    );
    // the correlation id passes down, as from any subflow
    expect(subflows[2].labels).toContainEqual({ key: 'system.correlationId', value: exec.id });
    const logged = (await engine.logs(subflows[2].id)).map((l) => l.message);
    expect(logged.some((m) => m.includes('sluice:///'))).toBe(true);
  });

  test('batch files hold the rows of their batch, the last one the remainder', async () => {
    const exec = await engine.run(
      parentFlow(
        'fei-content',
        5,
        '    flowId: child-outputs\n    batch: { rows: 2 }\n    inputs: { items: "{{ taskrun.items }}" }',
      ),
    );
    const subflows = await children(exec);
    expect(subflows.map((e) => e.outputs?.batch)).toEqual(['line 0\nline 1', 'line 2\nline 3', 'line 4']);
    expect(exec.state.current).toBe('SUCCESS');
  });

  test('merges the outputs of every subflow into one Ion file, a line per batch in batch order', async () => {
    const exec = await engine.run(
      parentFlow(
        'fei-outputs',
        6,
        '    flowId: child-outputs\n    batch: { rows: 2 }\n    inputs: { items: "{{ taskrun.items }}" }',
        '  - id: merged\n    type: io.kestra.plugin.core.debug.Return\n    format: "{{ read(outputs.each_merge.subflowOutputs) }}"',
      ),
    );
    expect(exec.state.current).toBe('SUCCESS');
    expect(runOf(exec, 'merged').outputs?.value).toBe(
      '{batch:"line 0\\nline 1"}\n{batch:"line 2\\nline 3"}\n{batch:"line 4\\nline 5"}\n',
    );
  });

  test('failing subflows fail the items step and the execution, and the merge step never runs', async () => {
    const exec = await engine.run(
      parentFlow(
        'fei-failed',
        4,
        '    flowId: child-fail\n    batch: { rows: 2 }\n    inputs: { items: "{{ taskrun.items }}" }',
      ),
    );
    expect(exec.state.current).toBe('FAILED');
    expect(exec.taskRunList.map((t) => t.taskId)).toEqual(['make', 'each', 'each_split', 'each_items']);
    const items = runOf(exec, 'each_items');
    expect(items.state.current).toBe('FAILED');
    expect(items.attempts.map((a) => a.state.current)).toEqual(['FAILED']);
    expect(items.outputs).toMatchObject({
      numberOfBatches: 2,
      iterations: { CREATED: 0, RUNNING: 0, FAILED: 2 },
    });
  });

  test('allowFailure on the ForEachItem turns failed batches into a WARNING and the flow goes on', async () => {
    const exec = await engine.run(
      parentFlow(
        'fei-allowed',
        4,
        '    flowId: child-fail\n    allowFailure: true\n    batch: { rows: 2 }\n    inputs: { items: "{{ taskrun.items }}" }',
        '  - id: after\n    type: io.kestra.plugin.core.log.Log\n    message: allowed',
      ),
    );
    expect(exec.state.current).toBe('WARNING');
    expect(runOf(exec, 'each').state.current).toBe('WARNING');
    expect(runOf(exec, 'after').state.current).toBe('SUCCESS');
  });

  test('transmitFailed: false ends the items step SUCCESS whatever its subflows did', async () => {
    const exec = await engine.run(
      parentFlow(
        'fei-untransmitted',
        2,
        '    flowId: child-fail\n    transmitFailed: false\n    inputs: { items: "{{ taskrun.items }}" }',
      ),
    );
    expect(exec.state.current).toBe('SUCCESS');
    expect(runOf(exec, 'each_items').outputs).toMatchObject({ iterations: { FAILED: 2, RUNNING: 0 } });
  });

  test('without wait, the items step succeeds once the subflows are created', async () => {
    const exec = await engine.run(
      parentFlow(
        'fei-nowait',
        3,
        '    flowId: child-log\n    wait: false\n    inputs: { items: "{{ taskrun.items }}" }',
      ),
    );
    expect(exec.state.current).toBe('SUCCESS');
    expect(runOf(exec, 'each_items').outputs).toEqual({
      numberOfBatches: 3,
      iterations: { RUNNING: 0, SUCCESS: 3 },
    });
    expect(runOf(exec, 'each_merge').outputs).toBeNull();
    expect((await children(exec)).map((e) => e.state.current)).toEqual(['SUCCESS', 'SUCCESS', 'SUCCESS']);
  });

  test('an empty file starts no subflow and leaves the items step without outputs', async () => {
    const exec = await engine.run(
      parentFlow('fei-empty', 0, '    flowId: child-log\n    inputs: { items: "{{ taskrun.items }}" }'),
    );
    expect(exec.state.current).toBe('SUCCESS');
    expect(runOf(exec, 'each_items').outputs).toBeNull();
    expect(runOf(exec, 'each_merge').state.current).toBe('SUCCESS');
    expect(await children(exec)).toEqual([]);
  });

  test('items that are not an internal-storage URI fail the split step with Kestra’s message', async () => {
    const exec = await engine.run(`
id: fei-not-storage
namespace: test.foreachitem
tasks:
  - id: each
    type: io.kestra.core.tasks.flows.ForEachItem
    items: "/etc/passwd"
    namespace: test.foreachitem
    flowId: child-log
    inputs: { items: "{{ taskrun.items }}" }
`);
    expect(exec.state.current).toBe('FAILED');
    expect(runOf(exec, 'each_split').error).toBe(
      'Unable to split the items from /etc/passwd, this is not an internal storage URI!',
    );
  });
});
