import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startExecution, waitForExecutionEnd } from '../../../src/app/executions.js';
import { Instance } from '../../../src/app/instance.js';
import type { Database } from '../../../src/db/database.js';
import { saveFlow } from '../../../src/db/flow-repository.js';
import { loadFlow } from '../../../src/flow/load.js';
import { LocalStorage } from '../../../src/storage/local-storage.js';
import { ensureCliBuilt, type StartedCli, startCli } from '../../support/cli.js';
import { testDialects } from '../../support/databases.js';
import { runOf } from '../../support/engine.js';
import { until } from '../../support/until.js';

// Real processes on a real PostgreSQL: two `sluice server worker` processes, one killed with
// SIGKILL in the middle of a task; the scheduler (here, in the test process with the executor)
// declares it dead and the other worker finishes the task.

const postgres = testDialects().find((d) => d.name === 'postgres');

describe.runIf(postgres)('a worker process killed with SIGKILL', () => {
  let db: Database;
  let dispose: () => Promise<void>;
  let dir: string;
  let instance: Instance;
  const workers: StartedCli[] = [];

  beforeAll(async () => {
    await ensureCliBuilt();
    const opened = await postgres!.open();
    ({ db, dispose } = opened);
    dir = await mkdtemp(path.join(tmpdir(), 'sluice-liveness-'));
    const config = path.join(dir, 'sluice.yaml');
    await writeFile(config, 'liveness:\n  heartbeat: PT0.5S\n  timeout: PT4S\n');
    for (let i = 0; i < 2; i++) {
      workers.push(
        await startCli(['server', 'worker', '--config', config], {
          dataDir: dir,
          env: { SLUICE_DATABASE_URL: opened.url },
        }),
      );
    }
    instance = await new Instance({
      db,
      storage: new LocalStorage(path.join(dir, 'storage')),
      worker: false,
      pollMs: 100,
      liveness: { heartbeatMs: 500, timeoutMs: 4_000 },
    }).start();
    // Two CLI processes starting beside a busy suite on 2 cores can take tens of seconds, and a
    // loaded machine can delay heartbeats past a tight liveness timeout.
    await until(
      'both workers to register',
      async () => {
        const { rows } = await db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM service_instances WHERE role = 'worker'`,
        );
        return rows[0].n === 2 ? true : undefined;
      },
      60_000,
    );
  }, 90_000);

  afterAll(async () => {
    for (const w of workers) await w.stop('SIGKILL').catch(() => {});
    await instance?.stop();
    await dispose?.();
    await rm(dir, { recursive: true, force: true });
  });

  test('has its task run re-emitted to the other worker, and the execution ends SUCCESS', async () => {
    const { flow } = loadFlow(
      `
id: survives-a-dead-worker
namespace: test.liveness
tasks:
  - id: nap
    type: sleep
    duration: PT3S
  - id: after
    type: return
    format: done
`,
      'flow.yaml',
    );
    const saved = await saveFlow(db, flow!);
    const started = await startExecution(db, saved, {});
    const holder = await until('a worker to claim the sleep', async () => {
      const { rows } = await db.query<{ worker_id: string; pid: number }>(
        `SELECT r.worker_id, s.pid FROM worker_job_running r JOIN service_instances s ON s.id = r.worker_id
          WHERE r.execution_id = $1`,
        [started.id],
      );
      return rows[0];
    });
    process.kill(holder.pid, 'SIGKILL');
    const exec = await waitForExecutionEnd(db, started.id, 200);
    expect(exec.state.current).toBe('SUCCESS');
    expect(runOf(exec, 'nap').attempts).toHaveLength(1);
    expect(runOf(exec, 'nap').attempts[0].workerId).not.toBe(holder.worker_id);
    expect(exec.taskRunList.map((tr) => tr.taskId)).toEqual(['nap', 'after']);
  }, 60_000);
});
