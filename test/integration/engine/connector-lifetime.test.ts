import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startExecution } from '../../../src/app/executions.js';
import { Instance } from '../../../src/app/instance.js';
import type { Database } from '../../../src/db/database.js';
import { saveFlow } from '../../../src/db/flow-repository.js';
import { loadFlow } from '../../../src/flow/load.js';
import { LocalStorage } from '../../../src/storage/local-storage.js';
import { ensureCliBuilt, type StartedCli, startCli } from '../../support/cli.js';
import { testDialects } from '../../support/databases.js';
import { until } from '../../support/until.js';

// Connector processes do not outlive their worker. A real `sluice server worker` runs a sync of two
// connector processes that would each stay alive on their own (test/fixtures/connectors/
// lingering-connector.mjs); the worker is killed with SIGKILL, and both connectors must be gone within
// seconds. The worker runs with its own TMPDIR, where the connectors' configuration files are.

const postgres = testDialects().find((d) => d.name === 'postgres');
const CONNECTOR = [
  process.execPath,
  fileURLToPath(new URL('../../fixtures/connectors/lingering-connector.mjs', import.meta.url)),
];

/** Running: a process that exists and is not a zombie (a killed orphan waits a moment for init). */
const alive = (pid: number): boolean => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return false;
  }
};

describe.runIf(postgres)('connector processes of a worker killed with SIGKILL', () => {
  let db: Database;
  let url: string;
  let dispose: () => Promise<void>;
  let dir: string;
  let workerTmp: string;
  let config: string;
  let instance: Instance;
  const workers: StartedCli[] = [];
  const started: number[] = [];

  const startWorker = async () => {
    const worker = await startCli(['server', 'worker', '--config', config], {
      dataDir: dir,
      env: { SLUICE_DATABASE_URL: url, TMPDIR: workerTmp },
    });
    workers.push(worker);
    return worker;
  };

  beforeAll(async () => {
    await ensureCliBuilt();
    const opened = await postgres!.open();
    ({ db, dispose } = opened);
    url = opened.url!;
    dir = await mkdtemp(path.join(tmpdir(), 'sluice-lifetime-'));
    workerTmp = path.join(dir, 'tmp');
    await mkdir(workerTmp);
    config = path.join(dir, 'sluice.yaml');
    await writeFile(config, 'liveness:\n  heartbeat: PT0.2S\n  timeout: PT30S\n');
    instance = await new Instance({
      db,
      storage: new LocalStorage(path.join(dir, 'storage')),
      worker: false,
      pollMs: 100,
    }).start();
  }, 90_000);

  afterAll(async () => {
    for (const w of workers) await w.stop('SIGKILL').catch(() => {});
    // whatever a failed run left behind
    for (const pid of started) if (alive(pid)) process.kill(pid, 'SIGKILL');
    await instance?.stop();
    await dispose?.();
    await rm(dir, { recursive: true, force: true });
  });

  /** Starts a sync on the worker; resolves once both connectors have started, with their pids and
   * configuration paths. */
  async function syncStarted(name: string) {
    const pids = path.join(dir, `${name}.pids`);
    const { flow } = loadFlow(
      JSON.stringify({
        id: name,
        namespace: 'test.lifetime',
        tasks: [
          {
            id: 'sync',
            type: 'sync',
            source: { command: CONNECTOR, config: { pids, password: 'Lifetime-Secret-42' } },
            destination: { command: CONNECTOR, config: { pids, password: 'Lifetime-Secret-42' } },
          },
        ],
      }),
      'flow.yaml',
    );
    await startExecution(db, await saveFlow(db, flow!), {});
    const lines = await until(
      'both connectors to start',
      () => {
        const found = existsSync(pids) ? readFileSync(pids, 'utf8').trim().split('\n') : [];
        return found.length === 2 ? found : undefined;
      },
      30_000,
    );
    const connectors = lines.map((line) => {
      const [role, pid, configPath] = line.split(' ');
      return { role, pid: Number(pid), configPath };
    });
    started.push(...connectors.map((c) => c.pid));
    return connectors;
  }

  test('are gone within seconds', async () => {
    const worker = await startWorker();
    const connectors = await syncStarted('lifetime_kill');
    expect(connectors.map((c) => c.role).sort()).toEqual(['destination', 'source']);
    expect(connectors.every((c) => alive(c.pid))).toBe(true);
    await worker.stop('SIGKILL');
    await until('the connectors to end', () => connectors.every((c) => !alive(c.pid)), 5_000);
  }, 60_000);
});
