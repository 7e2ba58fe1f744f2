import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startExecution } from '../../../src/app/executions.js';
import type { Database } from '../../../src/db/database.js';
import { migrate } from '../../../src/db/migrate.js';
import { createPostgresDatabase } from '../../../src/db/postgres.js';
import type { Execution } from '../../../src/engine/execution.js';
import {
  type Cluster,
  type PrivatePostgres,
  privatePostgresUnavailable,
  startCluster,
  startPrivatePostgres,
} from '../../support/cluster.js';
import { until } from '../../support/until.js';
import {
  deployFlow,
  endedCount,
  executionsIn,
  expectedLedger,
  ledgerCommand,
  ledgerLines,
  statesOf,
  untilEnded,
} from './evidence.js';

// PostgreSQL restarted (fast shutdown: every session is cut) while a cluster of processes runs 100
// executions. The server is a private one, started for this file, so that the other tests on the
// shared server are not disturbed.

const unavailable = process.env.SLUICE_TEST_DATABASE_URL
  ? privatePostgresUnavailable()
  : 'SLUICE_TEST_DATABASE_URL is not set';
const NAMESPACE = 'test.restart';
const EXECUTIONS = 100;

describe.skipIf(unavailable)(
  `PostgreSQL restarted during ${EXECUTIONS} executions${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    let server: PrivatePostgres | undefined;
    let db: Database | undefined;
    let cluster: Cluster | undefined;
    let dir: string;
    let ledger: string;
    let endedBeforeRestart: number;
    let executions: Execution[];

    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'sluice-restart-'));
      ledger = path.join(dir, 'ledger');
      server = await startPrivatePostgres();
      db = createPostgresDatabase({ connectionString: server.url });
      await migrate(db);
      const flow = await deployFlow(
        db,
        `
id: spans-a-restart
namespace: ${NAMESPACE}
tasks:
  - id: before
    type: shell
    commands:
      - '${ledgerCommand(ledger)}'
  - id: nap
    type: sleep
    duration: PT1S
  - id: after
    type: shell
    commands:
      - '${ledgerCommand(ledger)}'
`,
      );
      cluster = await startCluster(db, {
        databaseUrl: server.url,
        executors: 2,
        workers: 2,
        schedulers: 1,
      });
      for (let i = 0; i < EXECUTIONS; i++) await startExecution(db, flow, {});
      await until(
        'a tenth of the executions to end',
        async () => (await endedCount(db!, NAMESPACE)) >= 10,
        60_000,
      );
      endedBeforeRestart = await endedCount(db, NAMESPACE);
      await server.restart(3_000);
      await untilEnded(db, cluster, NAMESPACE, EXECUTIONS, 120_000);
      executions = await executionsIn(db, NAMESPACE);
    }, 240_000);

    afterAll(async () => {
      await cluster?.stop();
      await db?.close();
      await server?.remove();
      await rm(dir, { recursive: true, force: true });
    });

    test('the restart came in the middle of the run', () => {
      expect(endedBeforeRestart).toBeLessThan(EXECUTIONS);
    });

    test(`all ${EXECUTIONS} executions end SUCCESS`, () => {
      expect(statesOf(executions)).toEqual({ SUCCESS: EXECUTIONS });
    });

    test('every shell task run ran exactly once, and no task run needed a second attempt', async () => {
      expect(await ledgerLines(ledger)).toEqual(expectedLedger(executions, ['before', 'after']));
      const retried = executions.flatMap((e) => e.taskRunList.filter((tr) => tr.attempts.length > 1));
      expect(retried).toEqual([]);
    });

    test('every component rode the outage out: none exited', () => {
      expect(cluster!.unexpectedExits()).toEqual([]);
    });
  },
);
