import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startExecution, waitForExecutionEnd } from '../../src/app/executions.js';
import { Instance } from '../../src/app/instance.js';
import type { Database } from '../../src/db/database.js';
import { type SecretsVia, selectLogs, type StoreLimits } from '../../src/db/engine-store.js';
import { saveFlow } from '../../src/db/flow-repository.js';
import type { Execution, TaskRun } from '../../src/engine/execution.js';
import type { LogLine } from '../../src/engine/messages.js';
import { loadFlow } from '../../src/flow/load.js';
import type { Flow } from '../../src/flow/model.js';
import { SecretCipher } from '../../src/secrets/cipher.js';
import { createInputSeal } from '../../src/secrets/sealed-inputs.js';
import { LocalStorage } from '../../src/storage/local-storage.js';
import type { TestDialect } from './databases.js';

/** One key for every test engine and server: what one encrypts, the other decrypts. */
export const TEST_CIPHER = SecretCipher.fromKey('sluice-tests');
export const TEST_INPUT_SEAL = createInputSeal(TEST_CIPHER);

export interface TestEngine {
  db: Database;
  storage: LocalStorage;
  deploy(yaml: string): Promise<Flow>;
  /** deploys the flow, runs one execution and waits for its end */
  run(yaml: string, inputs?: Record<string, unknown>): Promise<Execution>;
  logs(executionId: string): Promise<LogLine[]>;
  stop(): Promise<void>;
}

export interface TestEngineOptions {
  /** the secret store, built over whichever connection reads it */
  secrets?: SecretsVia;
  /** false: no worker in the engine (liveness tests bring their own) */
  worker?: boolean;
  /** false: syncs of two built-in connectors run them as processes too */
  syncInProcess?: boolean;
  limits?: StoreLimits;
  workerThreads?: number;
  /** how often syncs log their progress */
  syncProgressIntervalMs?: number;
  /** true: the execution observer runs (connection timelines, notifications) */
  observer?: boolean;
}

export async function startTestEngine(
  dialect: TestDialect,
  options: TestEngineOptions = {},
): Promise<TestEngine> {
  const { db, dispose } = await dialect.open();
  const dir = await mkdtemp(path.join(tmpdir(), 'sluice-test-storage-'));
  const storage = new LocalStorage(dir);
  // no background scheduler: scheduler tests drive ticks themselves, with chosen clocks
  const instance = await new Instance({
    db,
    storage,
    pollMs: 100,
    scheduler: false,
    observer: options.observer ?? false,
    worker: options.worker,
    secrets: options.secrets,
    cipher: TEST_CIPHER,
    syncInProcess: options.syncInProcess,
    syncProgressIntervalMs: options.syncProgressIntervalMs,
    limits: options.limits,
    workerThreads: options.workerThreads,
  }).start();
  const deploy = async (yaml: string) => {
    const { flow, errors } = loadFlow(yaml, 'test.yaml');
    if (!flow) throw new Error(errors.map((e) => `${e.line}:${e.col}: ${e.message}`).join('\n'));
    return saveFlow(db, flow);
  };
  return {
    db,
    storage,
    deploy,
    async run(yaml, inputs = {}) {
      const flow = await deploy(yaml);
      const execution = await startExecution(db, flow, inputs, { inputSeal: TEST_INPUT_SEAL });
      return waitForExecutionEnd(db, execution.id, 100);
    },
    logs: (id) => selectLogs(db, id),
    async stop() {
      await instance.stop();
      await dispose();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The task runs of a task id, in creation order. */
export function runsOf(execution: Execution, taskId: string): TaskRun[] {
  return execution.taskRunList.filter((tr) => tr.taskId === taskId);
}

/** The single task run of a task id; fails the test when there is not exactly one. */
export function runOf(execution: Execution, taskId: string): TaskRun {
  const runs = runsOf(execution, taskId);
  if (runs.length !== 1) throw new Error(`expected one task run of ${taskId}, got ${runs.length}`);
  return runs[0];
}
