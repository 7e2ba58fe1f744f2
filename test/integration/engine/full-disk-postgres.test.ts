import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startExecution, waitForExecutionEnd } from '../../../src/app/executions.js';
import { Instance } from '../../../src/app/instance.js';
import type { Database } from '../../../src/db/database.js';
import { selectLogs } from '../../../src/db/engine-store.js';
import { saveFlow } from '../../../src/db/flow-repository.js';
import { createPostgresDatabase } from '../../../src/db/postgres.js';
import { loadFlow } from '../../../src/flow/load.js';
import type { Flow } from '../../../src/flow/model.js';
import { buildServer } from '../../../src/server/app.js';
import { LocalStorage } from '../../../src/storage/local-storage.js';
import { testDialects } from '../../support/databases.js';
import { runOf, TEST_CIPHER } from '../../support/engine.js';
import { mountTmpfs, type Tmpfs } from '../../support/tmpfs.js';
import { until } from '../../support/until.js';

// A PostgreSQL server whose disk fills (finding 11 of the adversarial review): the test database's
// log table is moved to a tablespace on a tmpfs of a few MiB, so that writing log lines fails with
// SQLSTATE 53100 while everything else works, without filling the disk of the shared server.

const postgres = testDialects().find((d) => d.name === 'postgres');
const MiB = 1024 * 1024;

const FLOW = `
id: chatty
namespace: test.disk
tasks:
  - id: lines
    type: io.kestra.plugin.scripts.shell.Commands
    commands:
      - seq 1 3000
`;

describe.skipIf(!postgres)('PostgreSQL with a full disk under the log table', () => {
  let disk: Tmpfs;
  let tablespace: string;
  let db: Database;
  let dispose: () => Promise<void>;
  let instance: Instance;
  let app: FastifyInstance;
  let storageDir: string;
  let flow: Flow;

  beforeAll(async () => {
    const opened = await postgres!.open();
    dispose = opened.dispose;
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
    disk = await mountTmpfs(4 * MiB, { owner: { uid, gid } });
    tablespace = `sluice_full_${path.basename(disk.dir).replace(/\W/g, '').toLowerCase()}`;
    await opened.db.query(`CREATE TABLESPACE ${tablespace} LOCATION '${disk.dir}'`);
    await opened.db.query(`ALTER TABLE logs SET TABLESPACE ${tablespace}`);
    // a short window, so that recovery is seen within the test
    db = createPostgresDatabase({ connectionString: opened.url!, diskFullWindowMs: 5000 });
    storageDir = await mkdtemp(path.join(tmpdir(), 'sluice-full-disk-pg-'));
    const storage = new LocalStorage(storageDir);
    instance = await new Instance({
      db,
      storage,
      pollMs: 100,
      scheduler: false,
      cipher: TEST_CIPHER,
    }).start();
    app = buildServer({ db, storage, cipher: TEST_CIPHER });
    await app.ready();
    flow = await saveFlow(db, loadFlow(FLOW, 'chatty.yaml').flow!);
  });

  afterAll(async () => {
    await app?.close();
    await instance?.stop();
    await db?.close();
    await dispose?.();
    if (tablespace) {
      const admin = createPostgresDatabase({ connectionString: process.env.SLUICE_TEST_DATABASE_URL! });
      await admin.query(`DROP TABLESPACE IF EXISTS ${tablespace}`).finally(() => admin.close());
    }
    await disk?.unmount();
    if (storageDir) await rm(storageDir, { recursive: true, force: true });
  });

  const run = async () => waitForExecutionEnd(db, (await startExecution(db, flow, {})).id, 100);

  test('a task run whose log lines could not be written ends WARNING saying so, /health answers 503, and both recover with space', async () => {
    await disk.fill(16 * 1024);
    const full = await run();
    expect(full.state.current).toBe('WARNING');
    expect(runOf(full, 'lines').error).toMatch(
      /^3000 log line\(s\) of this task run could not be stored: could not extend file .*No space left on device/,
    );
    const health = await app.inject({ method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(503);
    expect(health.json<{ message: string }>().message).toMatch(/out of disk space: could not extend file/);

    await disk.unfill();
    const ok = await run();
    expect(ok.state.current).toBe('SUCCESS');
    expect((await selectLogs(db, ok.id)).filter((l) => l.taskId === 'lines')).toHaveLength(3000);
    await until(
      '/health 200 again',
      async () => (await app.inject({ method: 'GET', url: '/health' })).statusCode === 200,
    );
  }, 60_000);
});
