import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startExecution, waitForExecutionEnd } from '../../../src/app/executions.js';
import type { Database } from '../../../src/db/database.js';
import type { Execution } from '../../../src/engine/execution.js';
import { type Cluster, type Component, startCluster } from '../../support/cluster.js';
import { testDialects } from '../../support/databases.js';
import { runOf } from '../../support/engine.js';
import { until } from '../../support/until.js';
import {
  claimedTwice,
  claimsOf,
  deployFlow,
  endedCount,
  executionsIn,
  expectedLedger,
  ledgerCommand,
  ledgerLines,
  recordClaims,
  statesOf,
  untilEnded,
} from './evidence.js';

// kill -9 of a component in the middle of its work, every component a real `sluice server …`
// process on PostgreSQL: a dead worker's task run is re-emitted to another worker (liveness), a
// dead executor's transaction rolls back and the other executor carries on.

const postgres = testDialects().find((d) => d.name === 'postgres');

describe.skipIf(!postgres)('components killed with SIGKILL', () => {
  let db: Database;
  let dispose: (() => Promise<void>) | undefined;
  let cluster: Cluster | undefined;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sluice-kill-'));
    const opened = await postgres!.open();
    ({ db, dispose } = opened);
    await recordClaims(db);
    cluster = await startCluster(db, {
      databaseUrl: opened.url!,
      executors: 2,
      workers: 3,
      schedulers: 1,
      // a dead worker is noticed after 5 s of silence; a stopping one hands its work back after 1 s
      config: 'liveness:\n  heartbeat: PT0.5S\n  timeout: PT5S\nworker:\n  shutdownGrace: PT1S\n',
    });
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop();
    await dispose?.();
    await rm(dir, { recursive: true, force: true });
  });

  /** The worker process holding a task run of the execution, once it has held it for minMs. */
  async function holderOf(executionId: string, taskId: string, minMs = 0): Promise<Component> {
    const { worker_id } = await until(
      `a worker to hold ${taskId} for ${minMs} ms`,
      async () => {
        const { rows } = await db.query<{ worker_id: string }>(
          `SELECT worker_id FROM worker_job_running
            WHERE execution_id = $1 AND job->'task'->>'id' = $2
              AND started <= now() - make_interval(secs => $3::double precision / 1000)`,
          [executionId, taskId, minMs],
        );
        return rows[0];
      },
      30_000,
    );
    const { rows } = await db.query<{ pid: number }>('SELECT pid FROM service_instances WHERE id = $1', [
      worker_id,
    ]);
    const holder = cluster!.of('worker').find((c) => c.process.child.pid === rows[0]?.pid);
    if (!holder) throw new Error(`worker ${worker_id} is not one of the cluster's processes`);
    return holder;
  }

  async function workerIdOf(component: Component): Promise<string> {
    const { rows } = await db.query<{ id: string }>('SELECT id FROM service_instances WHERE pid = $1', [
      component.process.child.pid,
    ]);
    return rows[0].id;
  }

  test('a worker killed 1 s into a 5 s Sleep: the Sleep is re-emitted to another worker and the execution ends SUCCESS', async () => {
    const flow = await deployFlow(
      db,
      `
id: long-nap
namespace: test.kill.sleep
tasks:
  - id: nap
    type: sleep
    duration: PT5S
  - id: after
    type: return
    format: done
`,
    );
    const started = await startExecution(db, flow, {});
    const holder = await holderOf(started.id, 'nap', 1_000);
    const killedId = await workerIdOf(holder);
    await cluster!.kill(holder);
    const exec = await waitForExecutionEnd(db, started.id, 200);
    const nap = runOf(exec, 'nap');
    expect([exec.state.current, nap.attempts.length]).toEqual(['SUCCESS', 1]);
    expect(nap.attempts[0].workerId).not.toBe(killedId);
    expect((await claimsOf(db, nap.id)).map((w) => w === killedId)).toEqual([true, false]);
  }, 60_000);

  test('a worker killed while its shell task runs: the task is re-emitted to another worker and the execution ends SUCCESS', async () => {
    const ledger = path.join(dir, 'shell-ledger');
    const flow = await deployFlow(
      db,
      `
id: slow-shell
namespace: test.kill.shell
tasks:
  - id: slow
    type: shell
    commands:
      - '${ledgerCommand(ledger)}'
      - sleep 5
`,
    );
    const started = await startExecution(db, flow, {});
    // the ledger line proves the shell is running, not merely claimed
    await until('the shell task to start', async () => (await ledgerLines(ledger)).length === 1, 30_000);
    const holder = await holderOf(started.id, 'slow');
    const killedId = await workerIdOf(holder);
    await cluster!.kill(holder);
    const exec = await waitForExecutionEnd(db, started.id, 200);
    const slow = runOf(exec, 'slow');
    expect([exec.state.current, slow.attempts.length]).toEqual(['SUCCESS', 1]);
    expect(slow.attempts[0].workerId).not.toBe(killedId);
    expect((await claimsOf(db, slow.id)).map((w) => w === killedId)).toEqual([true, false]);
    // at least once: the shell started on the killed worker, then ran again on the other
    expect(await ledgerLines(ledger)).toEqual(expectedLedger([exec, exec], ['slow']));
  }, 60_000);

  test('an executor killed in the middle of a transaction: the other executor finishes every execution, each task run once', async () => {
    const ledger = path.join(dir, 'steps-ledger');
    const namespace = 'test.kill.executor';
    const flow = await deployFlow(
      db,
      `
id: many-steps
namespace: ${namespace}
tasks:
  - id: steps
    type: for-each
    values: [1, 2, 3, 4, 5, 6, 7, 8]
    tasks:
      - id: step
        type: shell
        commands:
          - '${ledgerCommand(ledger)}'
`,
    );
    const executions = 20;
    for (let i = 0; i < executions; i++) await startExecution(db, flow, {});
    const [victim, survivor] = cluster!.of('executor');
    // a transaction of the victim that has written something (it holds an xid): it is mid-way
    // through applying messages when it dies
    await until(
      `${victim.name} to be in the middle of a transaction`,
      async () => {
        const { rows } = await db.query(
          `SELECT 1 FROM pg_stat_activity
            WHERE datname = current_database() AND application_name = $1 AND backend_xid IS NOT NULL`,
          [victim.name],
        );
        return rows.length > 0;
      },
      30_000,
    );
    await cluster!.kill(victim);
    expect(await endedCount(db, namespace)).toBeLessThan(executions);
    await untilEnded(db, cluster!, namespace, executions, 90_000);
    const all: Execution[] = await executionsIn(db, namespace);
    expect(statesOf(all)).toEqual({ SUCCESS: executions });
    expect(await ledgerLines(ledger)).toEqual(expectedLedger(all, ['step']));
    expect(await claimedTwice(db, namespace)).toEqual([]);
    expect(survivor.process.child.exitCode).toBeNull();
  }, 120_000);
});
