import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Database } from '../../../src/db/database.js';
import { insertCreatedExecution } from '../../../src/db/engine-store.js';
import { newExecution } from '../../../src/engine/new-execution.js';
import { loadFlow } from '../../../src/flow/load.js';
import { QUEUE_CHANNEL } from '../../../src/queue/postgres-queue.js';
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
