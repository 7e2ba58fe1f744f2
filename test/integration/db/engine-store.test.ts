import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Database } from '../../../src/db/database.js';
import { createExecutorBackend, insertCreatedExecution } from '../../../src/db/engine-store.js';
import type { Execution } from '../../../src/engine/execution.js';
import type { ExecutorMessage } from '../../../src/engine/messages.js';
import { newExecution } from '../../../src/engine/new-execution.js';
import { loadFlow } from '../../../src/flow/load.js';
import { emit, QUEUE_CHANNEL } from '../../../src/queue/postgres-queue.js';
import { testDialects } from '../../support/databases.js';
import { until } from '../../support/until.js';

const loaded = loadFlow(
  `
id: created
namespace: test.store
tasks:
  - id: say
    type: log
    message: hi
`,
  'created.yaml',
);
if (!loaded.flow) throw new Error(JSON.stringify(loaded.errors));
const flow = loaded.flow;

describe.each(testDialects())('creating an execution on $name', (dialect) => {
  let db: Database;
  let dispose: () => Promise<void>;
  beforeAll(async () => {
    ({ db, dispose } = await dialect.open());
  });
  afterAll(async () => dispose?.());

  async function queuedFor(id: string): Promise<unknown[]> {
    const { rows } = await db.query<{ consumer: string; payload: unknown }>(
      'SELECT consumer, payload FROM queue WHERE key = $1 ORDER BY id',
      [id],
    );
    return rows;
  }

  test('the execution row comes with its message to the executor and a NOTIFY', async () => {
    const woken: string[] = [];
    const unlisten = await db.listen(QUEUE_CHANNEL, (payload) => woken.push(payload));
    try {
      const execution = newExecution(flow, {});
      await insertCreatedExecution(db, execution);
      const { rows } = await db.query<{ state: string }>('SELECT state FROM executions WHERE id = $1', [
        execution.id,
      ]);
      expect(rows).toEqual([{ state: 'CREATED' }]);
      expect(await queuedFor(execution.id)).toEqual([
        { consumer: 'executor', payload: { type: 'execution.created', executionId: execution.id } },
      ]);
      await until('the executor woken', () => woken.includes('executor'));
    } finally {
      await unlisten();
    }
  });

  test('an execution whose row is refused leaves no message behind', async () => {
    const execution = newExecution(flow, {});
    await insertCreatedExecution(db, execution);
    await db.query('DELETE FROM queue WHERE key = $1', [execution.id]);
    await expect(insertCreatedExecution(db, execution)).rejects.toThrow(/duplicate key/);
    expect(await queuedFor(execution.id)).toEqual([]);
  });
});

describe.each(testDialects())('the executor claim on $name', (dialect) => {
  let db: Database;
  let dispose: () => Promise<void>;
  beforeAll(async () => {
    ({ db, dispose } = await dialect.open());
  });
  afterAll(async () => dispose?.());

  /** One processNext: the executions it handed over, in order, with their messages' types. */
  async function claimOnce(): Promise<{ seen: [string | undefined, string[]][]; more: boolean }> {
    const seen: [string | undefined, string[]][] = [];
    const outcome = await createExecutorBackend(db).processNext(
      async (_tx, messages: ExecutorMessage[], execution: Execution | undefined) => {
        seen.push([execution?.id, messages.map((m) => m.type)]);
      },
    );
    return { seen, more: outcome.more };
  }

  async function created(): Promise<string> {
    const execution = newExecution(flow, {});
    await insertCreatedExecution(db, execution);
    return execution.id;
  }

  test('an idle claim hands nothing over and tells when the next delayed message is due', async () => {
    const id = await created();
    await db.query('DELETE FROM queue WHERE key = $1', [id]);
    await emit(db, 'executor', { type: 'kill', executionId: id }, { key: id, delayMs: 60_000 });
    let handed = 0;
    const outcome = await createExecutorBackend(db).processNext(async () => {
      handed++;
    });
    await db.query('DELETE FROM queue WHERE key = $1', [id]);
    expect(handed).toBe(0);
    expect(outcome).toMatchObject({ processed: false, more: false });
    expect(outcome.nextDueMs).toBeGreaterThan(50_000);
  });

  test('executions waiting together are handed over in one transaction, oldest first', async () => {
    const ids = [await created(), await created(), await created()];
    expect(await claimOnce()).toEqual({
      seen: ids.map((id) => [id, ['execution.created']]),
      more: false,
    });
  });

  test("an execution's messages come together, in queue order", async () => {
    const id = await created();
    await emit(db, 'executor', { type: 'kill', executionId: id }, { key: id });
    expect((await claimOnce()).seen).toEqual([[id, ['execution.created', 'kill']]]);
  });

  test('a claim takes four executions at most and says more are waiting', async () => {
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(await created());
    expect(await claimOnce()).toEqual({
      seen: ids.slice(0, 4).map((id) => [id, ['execution.created']]),
      more: true,
    });
    expect((await claimOnce()).seen).toEqual([[ids[4], ['execution.created']]]);
  });
});
