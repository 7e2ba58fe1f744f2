import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startExecution } from '../../../src/app/executions.js';
import type { Database } from '../../../src/db/database.js';
import type { Execution } from '../../../src/engine/execution.js';
import { type Cluster, startCluster } from '../../support/cluster.js';
import { testDialects } from '../../support/databases.js';
import {
  claimCount,
  claimedTwice,
  deployFlow,
  executionsIn,
  expectedLedger,
  ledgerCommand,
  ledgerLines,
  recordClaims,
  statesOf,
  untilEnded,
} from './evidence.js';

// Scale-out with real processes: 2 executors, 3 workers and 2 schedulers, each a `sluice server …`
// process on one PostgreSQL database, run 500 executions of a flow that uses Parallel, ForEach,
// Subflow, Sleep and shell tasks. Each shell task appends its execution and task run ids to a ledger
// and a trigger records every claim of a worker job, so a task run that ran twice, or never, shows.

const postgres = testDialects().find((d) => d.name === 'postgres');
const NAMESPACE = 'test.scale';
const EXECUTIONS = 500;
const SHELL_TASKS = ['fan_shell', 'each_shell', 'child_shell'];
/** runnable task runs a parent execution and its subflow execution make: the ledger's and 2 sleeps */
const JOBS_PER_EXECUTION = 6;

describe.skipIf(!postgres)(`${EXECUTIONS} executions on a cluster of processes`, () => {
  let db: Database;
  let dispose: (() => Promise<void>) | undefined;
  let cluster: Cluster | undefined;
  let dir: string;
  let ledger: string;
  let parents: Execution[];
  let children: Execution[];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sluice-scale-'));
    ledger = path.join(dir, 'ledger');
    const opened = await postgres!.open();
    ({ db, dispose } = opened);
    await recordClaims(db);
    await deployFlow(
      db,
      `
id: child
namespace: ${NAMESPACE}
tasks:
  - id: child_shell
    type: shell
    commands:
      - '${ledgerCommand(ledger)}'
`,
    );
    const mixed = await deployFlow(
      db,
      `
id: mixed
namespace: ${NAMESPACE}
tasks:
  - id: fan
    type: parallel
    tasks:
      - id: nap
        type: sleep
        duration: PT0.05S
      - id: fan_shell
        type: shell
        commands:
          - '${ledgerCommand(ledger)}'
  - id: each
    type: for-each
    values: ["a", "b"]
    tasks:
      - id: each_shell
        type: shell
        commands:
          - '${ledgerCommand(ledger)}'
  - id: call
    type: subflow
    namespace: ${NAMESPACE}
    flowId: child
  - id: rest
    type: sleep
    duration: PT0.05S
`,
    );
    cluster = await startCluster(db, {
      databaseUrl: opened.url!,
      executors: 2,
      workers: 3,
      schedulers: 2,
    });
    const started = Date.now();
    for (let i = 0; i < EXECUTIONS; i++) await startExecution(db, mixed, {});
    // each parent ends after its subflow execution: both count
    await untilEnded(db, cluster, NAMESPACE, EXECUTIONS * 2, 150_000);
    console.info(`${EXECUTIONS * 2} executions ended in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const all = await executionsIn(db, NAMESPACE);
    parents = all.filter((e) => e.flowId === 'mixed');
    children = all.filter((e) => e.flowId === 'child');
  }, 240_000);

  afterAll(async () => {
    await cluster?.stop();
    await dispose?.();
    await rm(dir, { recursive: true, force: true });
  });

  test(`all ${EXECUTIONS} executions and their ${EXECUTIONS} subflow executions end SUCCESS`, () => {
    expect([statesOf(parents), statesOf(children)]).toEqual([
      { SUCCESS: EXECUTIONS },
      { SUCCESS: EXECUTIONS },
    ]);
  });

  test('every shell task run ran exactly once: the ledger holds each one line', async () => {
    const expected = expectedLedger([...parents, ...children], SHELL_TASKS);
    expect(expected).toHaveLength(EXECUTIONS * 4);
    expect(await ledgerLines(ledger)).toEqual(expected);
  });

  test('every worker job was claimed exactly once, and every task run has a single attempt', async () => {
    expect(await claimedTwice(db, NAMESPACE)).toEqual([]);
    expect(await claimCount(db, NAMESPACE)).toBe(EXECUTIONS * JOBS_PER_EXECUTION);
    const retried = [...parents, ...children].flatMap((e) =>
      e.taskRunList.filter((tr) => tr.attempts.length > 1).map((tr) => `${e.id}/${tr.taskId}`),
    );
    expect(retried).toEqual([]);
  });

  test('every worker took part, and no component died or fenced itself', async () => {
    const workers = new Set(
      [...parents, ...children].flatMap((e) =>
        e.taskRunList.flatMap((tr) => tr.attempts.map((a) => a.workerId)),
      ),
    );
    workers.delete(undefined);
    expect(workers.size).toBe(3);
    expect(cluster!.unexpectedExits()).toEqual([]);
  });
});
