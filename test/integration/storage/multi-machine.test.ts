import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startExecution, waitForExecutionEnd } from '../../../src/app/executions.js';
import type { Database } from '../../../src/db/database.js';
import { saveFlow } from '../../../src/db/flow-repository.js';
import { loadFlow } from '../../../src/flow/load.js';
import { ensureCliBuilt, type StartedCli, startCli } from '../../support/cli.js';
import { testDialects } from '../../support/databases.js';
import { runOf } from '../../support/engine.js';
import { until } from '../../support/until.js';
import { type S3Server, startS3Server } from './s3-server.js';

// Two workers as two machines would be: separate processes with separate data directories, sharing
// only PostgreSQL (and, for S3, the bucket). A file a task made on one is read by a task on the other:
// worker groups place the tasks, and the attempts say which worker ran each.

const postgres = testDialects().find((d) => d.name === 'postgres');

const FLOW = `
id: handoff
namespace: test.storage.machines
tasks:
  - id: make
    type: shell
    workerGroup: { key: first }
    outputFiles: [made.txt]
    commands:
      - printf 'made by {{ execution.id }}\\n' > made.txt
  - id: read
    type: shell
    workerGroup: { key: second }
    inputFiles:
      got.txt: "{{ outputs.make.outputFiles['made.txt'] }}"
    commands:
      - 'echo "::{\\"outputs\\":{\\"got\\":\\"$(cat got.txt)\\"}}::"'
`;

/** What every process gets, as the machines of one installation would. */
const ENCRYPTION_KEY = 'sluice-tests';

interface Machines {
  db: Database;
  processes: StartedCli[];
  stop(): Promise<void>;
}

/** An executor and two workers (groups `first` and `second`), each with a data directory of its
 * own, on a fresh PostgreSQL database; resolves once all three have registered. */
async function startMachines(config: string | undefined): Promise<Machines> {
  await ensureCliBuilt();
  const { db, dispose, url } = await postgres!.open();
  const configDir = await mkdtemp(path.join(tmpdir(), 'sluice-machines-'));
  const args: string[] = [];
  if (config !== undefined) {
    await writeFile(path.join(configDir, 'sluice.yaml'), config);
    args.push('--config', path.join(configDir, 'sluice.yaml'));
  }
  const processes: StartedCli[] = [];
  const stop = async () => {
    await Promise.all(processes.map((p) => p.stop('SIGTERM', 10_000)));
    await Promise.all(processes.map((p) => p.cleanup()));
    await dispose();
    await rm(configDir, { recursive: true, force: true });
  };
  try {
    const env = { SLUICE_DATABASE_URL: url!, SLUICE_ENCRYPTION_KEY: ENCRYPTION_KEY };
    for (const role of [
      ['executor'],
      ['worker', '--worker-group', 'first'],
      ['worker', '--worker-group', 'second'],
    ]) {
      processes.push(await startCli(['server', ...role, ...args], { env }));
    }
    await until(
      'the executor and both workers to register',
      async () => {
        const dead = processes.find((p) => p.child.exitCode !== null);
        if (dead) throw new Error(`a process did not start:\n${dead.stdout}\n${dead.stderr}`);
        const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM service_instances');
        return rows[0].n >= processes.length;
      },
      90_000,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { db, processes, stop };
}

/** The worker group of the worker that ran the task's (only) attempt. */
async function groupOfWorker(db: Database, workerId: string | undefined): Promise<string | null> {
  const { rows } = await db.query<{ worker_group: string | null }>(
    'SELECT worker_group FROM service_instances WHERE id = $1',
    [workerId],
  );
  return rows[0]?.worker_group ?? null;
}

describe.skipIf(!postgres)('a file made on one machine is read on another', () => {
  let s3: S3Server | undefined;
  beforeAll(async () => {
    s3 = await startS3Server('sluice-machines');
  }, 60_000);
  afterAll(async () => s3?.stop());

  const backends: Array<[string, () => string | undefined]> = [
    // no storage configured: with PostgreSQL as the database, files go into it
    ['postgres (the default on PostgreSQL)', () => undefined],
    [
      's3',
      () =>
        [
          'storage:',
          '  type: s3',
          '  s3:',
          `    bucket: ${s3!.bucket}`,
          `    endpoint: ${s3!.endpoint}`,
          `    accessKey: ${s3!.accessKey}`,
          `    secretKey: ${s3!.secretKey}`,
          '    forcePathStyle: true',
          '    prefix: machines',
          '',
        ].join('\n'),
    ],
  ];

  test.each(backends)(
    'on %s',
    async (_name, config) => {
      const machines = await startMachines(config());
      try {
        const { flow, errors } = loadFlow(FLOW, 'handoff.yaml');
        expect(errors).toEqual([]);
        const started = await startExecution(machines.db, await saveFlow(machines.db, flow!), {});
        const ended = await waitForExecutionEnd(machines.db, started.id, 100);
        expect(ended.state.current).toBe('SUCCESS');
        expect(runOf(ended, 'read').outputs?.vars).toEqual({ got: `made by ${ended.id}` });
        const make = runOf(ended, 'make').attempts[0].workerId;
        const read = runOf(ended, 'read').attempts[0].workerId;
        expect(await groupOfWorker(machines.db, make)).toBe('first');
        expect(await groupOfWorker(machines.db, read)).toBe('second');
      } finally {
        await machines.stop();
      }
    },
    180_000,
  );
});
