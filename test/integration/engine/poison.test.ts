import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { getExecution, waitForExecutionEnd } from '../../../src/app/executions.js';
import { createTaskPlatform } from '../../../src/app/task-platform.js';
import type { Database } from '../../../src/db/database.js';
import {
  createExecutorBackend,
  createWorkerBackend,
  insertCreatedExecution,
  selectLogs,
  type StoreLimits,
} from '../../../src/db/engine-store.js';
import { saveFlow } from '../../../src/db/flow-repository.js';
import type { Execution } from '../../../src/engine/execution.js';
import { Executor, MAX_PROCESSING_FAILURES } from '../../../src/engine/executor.js';
import { newExecution } from '../../../src/engine/new-execution.js';
import { Worker } from '../../../src/engine/worker.js';
import { loadFlow } from '../../../src/flow/load.js';
import type { Flow } from '../../../src/flow/model.js';
import { createQueueSignals } from '../../../src/queue/postgres-queue.js';
import { SecretCipher } from '../../../src/secrets/cipher.js';
import { createSecretStore } from '../../../src/secrets/secret-store.js';
import { LocalStorage } from '../../../src/storage/local-storage.js';
import { createTaskRuntime } from '../../../src/tasks/runtime.js';
import { createSyncStateStore } from '../../../src/db/sync-state-store.js';
import { testDialects } from '../../support/databases.js';
import { runOf, TEST_CIPHER } from '../../support/engine.js';
import { until } from '../../support/until.js';

// One execution the executor cannot process must never hold up the others, not even those claimed
// in the same transaction, and not after a restart: it is failed with the reason after a bounded
// number of tries. Each kind of poison below comes through a real flow feature; executions are
// created in one transaction so that the executor claims them together.

const DOCUMENT_LIMIT = 60_000;

const FLOWS = {
  good: `
id: good
namespace: test.poison
tasks:
  - id: hello
    type: log
    message: hello
`,
  // a delay past the largest timestamp PostgreSQL holds: every save of the timer it sets is refused
  far: `
id: far
namespace: test.poison
tasks:
  - id: wait
    type: pause
    delay: P999999999D
`,
  // outputs that fit a task run's result but not the execution's document
  big: `
id: big
namespace: test.poison
tasks:
  - id: out
    type: io.kestra.plugin.scripts.shell.Commands
    commands:
      - printf '::{"outputs":{"big":"%070000d"}}::\\n' 0
`,
  // its secret was written with another key: deciding its first step throws
  locked: `
id: locked
namespace: test.poison.locked
tasks:
  - id: say
    type: log
    message: "{{ secret('TOKEN') }}"
`,
  echo: `
id: echo
namespace: test.poison
inputs:
  - id: text
    type: STRING
tasks:
  - id: say
    type: log
    message: "got {{ inputs.text }}"
`,
};

interface Components {
  stop(): Promise<void>;
}

describe.each(testDialects())('poisoned executions on $name', (dialect) => {
  let db: Database;
  let dispose: () => Promise<void>;
  let storageDir: string;
  let flows: Record<keyof typeof FLOWS, Flow>;
  let worker: Components;

  /** An executor with the document limit of these tests, as `server` builds one. The production
   * backoff (1 s, doubling) would make each test wait 15 s. */
  async function startExecutor(failureBackoff = { baseMs: 100, maxMs: 400 }): Promise<Components> {
    const executor = new Executor(
      createExecutorBackend(db, (q) => createSecretStore(q, TEST_CIPHER), limits),
      createQueueSignals(db),
      { pollMs: 100, failureBackoff },
    );
    await executor.start();
    return executor;
  }
  const limits: StoreLimits = { maxDocumentChars: DOCUMENT_LIMIT };

  /** Creates executions in one transaction: the executor's next claim takes them together. */
  async function createTogether(...of: Flow[]): Promise<Execution[]> {
    const executions = of.map((flow) => newExecution(flow, {}));
    await db.transaction(async (tx) => {
      for (const e of executions) await insertCreatedExecution(tx, e);
    });
    return executions;
  }

  /** Runs body with an executor of its own, stopped after. */
  async function withExecutor(body: () => Promise<void>): Promise<void> {
    const executor = await startExecutor();
    try {
      await body();
    } finally {
      await executor.stop();
    }
  }

  async function expectSuccess(executions: Execution[]): Promise<void> {
    for (const e of executions)
      expect((await waitForExecutionEnd(db, e.id, 100)).state.current).toBe('SUCCESS');
  }

  async function failures(id: string): Promise<number> {
    const { rows } = await db.query<{ n: number }>(
      'SELECT processing_failures AS n FROM executions WHERE id = $1',
      [id],
    );
    return rows[0].n;
  }

  beforeAll(async () => {
    ({ db, dispose } = await dialect.open());
    storageDir = await mkdtemp(path.join(tmpdir(), 'sluice-poison-'));
    const loaded = Object.entries(FLOWS).map(([name, yaml]) => {
      const { flow, errors } = loadFlow(yaml, `${name}.yaml`);
      if (!flow) throw new Error(JSON.stringify(errors));
      return [name, flow] as const;
    });
    flows = Object.fromEntries(
      await Promise.all(loaded.map(async ([name, flow]) => [name, await saveFlow(db, flow)] as const)),
    ) as typeof flows;
    await createSecretStore(db, SecretCipher.fromKey('another key')).set('test.poison.locked', 'TOKEN', 'x');
    const storage = new LocalStorage(storageDir);
    const w = new Worker(
      createWorkerBackend(db),
      createQueueSignals(db),
      createTaskRuntime({ syncStates: createSyncStateStore(db), platform: createTaskPlatform(db, storage) }),
      storage,
      { pollMs: 100 },
    );
    await w.start();
    worker = w;
  });

  afterAll(async () => {
    await worker?.stop();
    await dispose?.();
    await rm(storageDir, { recursive: true, force: true });
  });

  test('an execution whose every save is refused fails after a bounded number of tries, counted across a restart, while its batch-mates finish', async () => {
    // two seconds between tries, so that the restart comes before the bound is reached
    let executor = await startExecutor({ baseMs: 2000, maxMs: 2000 });
    try {
      const [far, ...good] = await createTogether(flows.far, flows.good, flows.good, flows.good);
      await expectSuccess(good);
      await until('two failures counted', async () => (await failures(far.id)) >= 2, 20_000);
      // a restart: the count is the row's, not the process's
      await executor.stop();
      expect(await failures(far.id)).toBeLessThan(MAX_PROCESSING_FAILURES);
      expect((await getExecution(db, far.id))?.state.current).toBe('CREATED');
      executor = await startExecutor();
      const ended = await waitForExecutionEnd(db, far.id, 100);
      expect(ended.state.current).toBe('FAILED');
      expect(ended.error).toMatch(
        new RegExp(
          `could not process this execution \\(${MAX_PROCESSING_FAILURES} tries\\): .*(timestamp|interval) out of range`,
        ),
      );
      const logs = await selectLogs(db, far.id);
      expect(logs.filter((l) => l.level === 'WARN' && /tries again later/.test(l.message))).toHaveLength(
        MAX_PROCESSING_FAILURES,
      );
      expect(logs.at(-1)).toMatchObject({ level: 'ERROR', message: ended.error });
      const { rows } = await db.query('SELECT 1 FROM queue WHERE key = $1 AND consumer = $2', [
        far.id,
        'executor',
      ]);
      expect(rows).toEqual([]);
    } finally {
      await executor.stop();
    }
  }, 60_000);

  test(
    'an execution whose document grows over the size limit fails with the reason, its batch-mates finish',
    async () =>
      withExecutor(async () => {
        const [big, ...good] = await createTogether(flows.big, flows.good, flows.good);
        await expectSuccess(good);
        const ended = await waitForExecutionEnd(db, big.id, 100);
        expect(ended.state.current).toBe('FAILED');
        expect(ended.error).toMatch(/characters of JSON, over the limit of 60000/);
        expect(runOf(ended, 'out').state.current).toBe('FAILED');
      }),
    60_000,
  );

  test(
    'an error while deciding the next step fails that execution at once, its batch-mates finish',
    async () =>
      withExecutor(async () => {
        const [locked, ...good] = await createTogether(flows.locked, flows.good, flows.good);
        const ended = await waitForExecutionEnd(db, locked.id, 100);
        expect(ended.state.current).toBe('FAILED');
        expect(ended.error).toMatch(/internal error: a stored secret cannot be decrypted/);
        expect(await failures(locked.id)).toBe(0);
        await expectSuccess(good);
      }),
    30_000,
  );

  test(
    'NUL and lone surrogates in a document written before they were replaced are replaced, and it runs',
    async () =>
      withExecutor(async () => {
        const old = newExecution(flows.echo, { text: 'a\u0000b\ud800c' });
        const good = newExecution(flows.good, {});
        await db.transaction(async (tx) => {
          // as rows were written before: the escapes as JSON.stringify gives them, kept by the json column
          await tx.query(
            `INSERT INTO executions (id, namespace, flow_id, flow_revision, state, doc) VALUES ($1, $2, $3, $4, 'CREATED', $5)`,
            [old.id, old.namespace, old.flowId, old.flowRevision, JSON.stringify(old)],
          );
          await tx.query(`INSERT INTO queue (consumer, key, payload) VALUES ('executor', $1, $2)`, [
            old.id,
            JSON.stringify({ type: 'execution.created', executionId: old.id }),
          ]);
          await insertCreatedExecution(tx, good);
        });
        const ended = await waitForExecutionEnd(db, old.id, 100);
        expect(ended.state.current).toBe('SUCCESS');
        expect(ended.inputs).toEqual({ text: 'a\u2400b\ufffdc' });
        expect((await selectLogs(db, old.id)).map((l) => l.message)).toContain('got a\u2400b\ufffdc');
        await expectSuccess([good]);
      }),
    30_000,
  );
});
