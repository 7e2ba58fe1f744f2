import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startExecution, waitForExecutionEnd } from '../../../src/app/executions.js';
import type { Execution } from '../../../src/engine/execution.js';
import { testDialects } from '../../support/databases.js';
import { runOf, startTestEngine, type TestEngine } from '../../support/engine.js';

const flowWith = (id: string, behavior: string) => `
id: ${id}
namespace: test.concurrency
concurrency:
  limit: 1
  behavior: ${behavior}
tasks:
  - id: nap
    type: sleep
    duration: PT0.3S
`;

const states = (e: Execution) => e.state.histories.map((h) => h.state);

describe.each(testDialects())('flow concurrency on $name', (dialect) => {
  let engine: TestEngine;
  beforeAll(async () => {
    engine = await startTestEngine(dialect);
  });
  afterAll(async () => engine?.stop());

  async function startThree(yaml: string): Promise<Execution[]> {
    const flow = await engine.deploy(yaml);
    const started = [];
    for (let i = 0; i < 3; i++) started.push(await startExecution(engine.db, flow, {}));
    return Promise.all(started.map((e) => waitForExecutionEnd(engine.db, e.id, 100)));
  }

  test('QUEUE runs one at a time: the others wait QUEUED, then run in order, never overlapping', async () => {
    const ended = await startThree(flowWith('queued', 'QUEUE'));
    expect(ended.map((e) => e.state.current)).toEqual(['SUCCESS', 'SUCCESS', 'SUCCESS']);
    expect(ended.filter((e) => states(e).includes('QUEUED'))).toHaveLength(2);
    const spans = ended
      .map((e) => runOf(e, 'nap').state)
      .map((s) => [Date.parse(s.startDate), Date.parse(s.endDate!)])
      .sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i++) expect(spans[i][0]).toBeGreaterThanOrEqual(spans[i - 1][1]);
  });

  test('CANCEL cancels what arrives while the limit is reached, before any task runs', async () => {
    const ended = await startThree(flowWith('cancelled', 'CANCEL'));
    expect(ended.map((e) => e.state.current).sort()).toEqual(['CANCELLED', 'CANCELLED', 'SUCCESS']);
    for (const e of ended.filter((x) => x.state.current === 'CANCELLED')) expect(e.taskRunList).toEqual([]);
  });

  test('FAIL fails what arrives while the limit is reached, and says why', async () => {
    const ended = await startThree(flowWith('failing', 'FAIL'));
    const failed = ended.filter((e) => e.state.current === 'FAILED');
    expect(failed).toHaveLength(2);
    expect(failed[0].error).toMatch(/concurrency limit of 1/);
  });
});
