import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { getExecution, startExecution, waitForExecutionEnd } from '../../../src/app/executions.js';
import { Instance } from '../../../src/app/instance.js';
import { createWorkerBackend } from '../../../src/db/engine-store.js';
import { createLivenessBackend } from '../../../src/db/liveness-store.js';
import type { WorkerJob } from '../../../src/engine/messages.js';
import { emit } from '../../../src/queue/postgres-queue.js';
import { testDialects } from '../../support/databases.js';
import { runOf, startTestEngine, type TestEngine } from '../../support/engine.js';
import { until } from '../../support/until.js';

// A worker is "dead" when its heartbeats stop: the sweep hands its claimed jobs back to the queue,
// for executions still running only, and a worker that learns it was declared dead fences itself.

const SLEEPY = `
id: sleepy
namespace: test.liveness
tasks:
  - id: nap
    type: sleep
    duration: PT0.3S
`;

describe.each(testDialects())('worker liveness on $name', (dialect) => {
  let engine: TestEngine;
  beforeAll(async () => {
    engine = await startTestEngine(dialect, { worker: false });
  });
  afterAll(async () => engine?.stop());

  /** A worker that claimed the job of a fresh execution and then went silent an hour ago. */
  async function ghostHolding(): Promise<{ executionId: string; ghost: string; job: WorkerJob }> {
    const flow = await engine.deploy(SLEEPY);
    const started = await startExecution(engine.db, flow, {});
    const ghost = `ghost-${started.id}`;
    await engine.db.query(
      `INSERT INTO service_instances (id, role, hostname, pid, heartbeat)
       VALUES ($1, 'worker', 'nowhere', 1, now() - interval '1 hour')`,
      [ghost],
    );
    const backend = createWorkerBackend(engine.db);
    const job = await until('the job to be queued', async () => (await backend.claim(ghost, 1))[0]);
    return { executionId: started.id, ghost, job };
  }

  function startWorker(extra: Partial<ConstructorParameters<typeof Instance>[0]> = {}) {
    return new Instance({
      db: engine.db,
      storage: engine.storage,
      executor: false,
      scheduler: false,
      pollMs: 100,
      liveness: { heartbeatMs: 100, timeoutMs: 2_000 },
      ...extra,
    }).start();
  }

  test("a dead worker's job is handed back and another worker finishes the execution", async () => {
    const { executionId, ghost } = await ghostHolding();
    const dead = await createLivenessBackend(engine.db).sweep(60_000);
    expect(dead).toContain(ghost);
    const worker = await startWorker();
    try {
      const exec = await waitForExecutionEnd(engine.db, executionId, 100);
      expect(exec.state.current).toBe('SUCCESS');
      expect(runOf(exec, 'nap').attempts).toHaveLength(1);
      expect(runOf(exec, 'nap').attempts[0].workerId).not.toBe(ghost);
    } finally {
      await worker.stop();
    }
  });

  test('a job of an execution already killed is not handed back', async () => {
    const { executionId, ghost } = await ghostHolding();
    await engine.db.transaction((tx) =>
      emit(tx, 'executor', { type: 'kill', executionId }, { key: executionId }),
    );
    await waitForExecutionEnd(engine.db, executionId, 100);
    await createLivenessBackend(engine.db).sweep(60_000);
    const { rows } = await engine.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM queue WHERE consumer = 'worker' AND key = $1`,
      [executionId],
    );
    expect(rows[0].n).toBe(0);
    const { rows: held } = await engine.db.query('SELECT 1 FROM worker_job_running WHERE worker_id = $1', [
      ghost,
    ]);
    expect(held).toHaveLength(0);
  });

  test('a worker that finds itself declared dead fences itself and reports nothing', async () => {
    const flow = await engine.deploy(`
id: long-nap
namespace: test.liveness
tasks:
  - id: nap
    type: sleep
    duration: PT30S
`);
    const fenced: string[] = [];
    const worker = await startWorker({ onFenced: (reason) => fenced.push(reason) });
    try {
      const started = await startExecution(engine.db, flow, {});
      const holder = await until('a worker to hold the job', async () => {
        const { rows } = await engine.db.query<{ worker_id: string }>(
          'SELECT worker_id FROM worker_job_running WHERE execution_id = $1',
          [started.id],
        );
        return rows[0]?.worker_id;
      });
      // what another component's sweep does to a silent worker
      await engine.db.query('DELETE FROM service_instances WHERE id = $1', [holder]);
      await until('the worker to fence itself', async () => (fenced.length > 0 ? true : undefined));
      expect(fenced[0]).toMatch(/declared dead/);
      await new Promise((r) => setTimeout(r, 300));
      const exec = await getExecution(engine.db, started.id);
      expect(runOf(exec!, 'nap').state.current).toBe('RUNNING');
    } finally {
      await worker.stop();
    }
  });

  test('a worker stopping gracefully hands back what it could not finish in its grace period', async () => {
    const flow = await engine.deploy(`
id: too-long-for-shutdown
namespace: test.liveness
tasks:
  - id: nap
    type: sleep
    duration: PT1S
`);
    const first = await startWorker({ workerShutdownGraceMs: 100 });
    const started = await startExecution(engine.db, flow, {});
    await until('the first worker to hold the job', async () => {
      const { rows } = await engine.db.query('SELECT 1 FROM worker_job_running WHERE execution_id = $1', [
        started.id,
      ]);
      return rows[0];
    });
    await first.stop();
    const { rows } = await engine.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM queue WHERE consumer = 'worker' AND key = $1`,
      [started.id],
    );
    expect(rows[0].n).toBe(1);
    const second = await startWorker();
    try {
      const exec = await waitForExecutionEnd(engine.db, started.id, 100);
      expect(exec.state.current).toBe('SUCCESS');
    } finally {
      await second.stop();
    }
  });

  test('a task with a worker group runs only on a worker of that group, the others on the common pool', async () => {
    const grouped = await startWorker({ workerGroup: 'gpu' });
    const common = await startWorker();
    try {
      const flow = await engine.deploy(`
id: grouped-tasks
namespace: test.liveness
tasks:
  - id: anywhere
    type: return
    format: a
  - id: on_gpu
    type: return
    format: b
    workerGroup:
      key: gpu
`);
      const exec = await waitForExecutionEnd(engine.db, (await startExecution(engine.db, flow, {})).id, 100);
      const { rows } = await engine.db.query<{ id: string; worker_group: string | null }>(
        `SELECT id, worker_group FROM service_instances WHERE role = 'worker'`,
      );
      const gpu = rows.find((r) => r.worker_group === 'gpu')!.id;
      expect(exec.state.current).toBe('SUCCESS');
      expect(runOf(exec, 'on_gpu').attempts[0].workerId).toBe(gpu);
      expect(runOf(exec, 'anywhere').attempts[0].workerId).not.toBe(gpu);
    } finally {
      await grouped.stop();
      await common.stop();
    }
  });

  test('a job recorded under a live worker that never received it is handed back and runs', async () => {
    const { executionId, ghost } = await ghostHolding();
    const worker = await startWorker();
    try {
      const { rows } = await engine.db.query<{ id: string }>(
        `SELECT id FROM service_instances WHERE role = 'worker' AND id <> $1`,
        [ghost],
      );
      // as if the live worker's claim had committed but its answer was lost on the way back
      await engine.db.query(
        `UPDATE worker_job_running SET worker_id = $1, started = now() - interval '1 minute' WHERE worker_id = $2`,
        [rows[0].id, ghost],
      );
      const exec = await waitForExecutionEnd(engine.db, executionId, 100);
      expect(exec.state.current).toBe('SUCCESS');
    } finally {
      await worker.stop();
    }
  });
});
