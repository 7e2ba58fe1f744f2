import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Execution } from '../../../src/engine/execution.js';
import { MIN_FREE_BYTES } from '../../../src/db/disk-space.js';
import { ensureCliBuilt, freePort, runCli, startCli, waitForHealth } from '../../support/cli.js';
import { mountTmpfs, type Tmpfs } from '../../support/tmpfs.js';
import { until } from '../../support/until.js';

// `server local` with its data directory on a small file system of its own (finding 11 of the
// adversarial review): it says how much space it lacks instead of failing obscurely, a full disk
// makes it unhealthy rather than deaf, a task run whose log lines were lost does not end SUCCESS,
// and it recovers once there is space again.

const MiB = 1024 * 1024;
/** what a new embedded database takes (the template's files), and some */
const DATABASE_FILES = 48 * MiB;

/** Deploys a flow through the API of a server on this port. */
async function deploy(port: number, yaml: string): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${port}/api/v1/flows`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-yaml' },
    body: yaml,
  });
  expect(response.status, await response.text()).toBe(200);
}

describe('server local on a small disk, and stopping', () => {
  let control: string;
  beforeAll(async () => {
    await ensureCliBuilt();
    control = await mkdtemp(path.join(tmpdir(), 'sluice-full-disk-control-'));
  });
  afterAll(async () => rm(control, { recursive: true, force: true }));

  test('refuses to start with too little free space, saying how much there is and how much it needs', async () => {
    const disk = await mountTmpfs(MIN_FREE_BYTES - 8 * MiB);
    try {
      const result = await runCli(['server', 'local', '--port', String(await freePort())], {
        dataDir: disk.dir,
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        /no space left for the embedded database in .*: 56\.0 MiB free, it needs at least 64\.0 MiB/,
      );
    } finally {
      await disk.unmount();
    }
  });

  describe('when its disk fills while it runs', () => {
    let disk: Tmpfs;
    beforeAll(async () => {
      disk = await mountTmpfs(MIN_FREE_BYTES + DATABASE_FILES + 32 * MiB);
    });
    afterAll(async () => disk?.unmount());

    test('it answers 503 on /health with the numbers, the task run that lost its log lines ends WARNING, it recovers with space, and SIGTERM ends it', async () => {
      const port = await freePort();
      const server = await startCli(['server', 'local', '--port', String(port)], { dataDir: disk.dir });
      const go = path.join(control, 'go');
      try {
        await waitForHealth(server, port);
        const api = `http://127.0.0.1:${port}/api/v1`;
        await deploy(
          port,
          `
id: chatty
namespace: test.disk
tasks:
  - id: lines
    type: io.kestra.plugin.scripts.shell.Commands
    commands:
      - while [ ! -f ${go} ]; do sleep 0.1; done
      - seq 1 3000
`,
        );
        const started = (await (
          await fetch(`${api}/executions/test.disk/chatty`, { method: 'POST' })
        ).json()) as Execution;
        const get = async () => (await (await fetch(`${api}/executions/${started.id}`)).json()) as Execution;
        await until(
          'the task running',
          async () => (await get()).taskRunList[0]?.state.current === 'RUNNING',
          30_000,
        );

        await disk.fill(MIN_FREE_BYTES / 2);
        const unhealthy = await waitForHealth(server, port, 10_000, 503);
        expect(unhealthy.message).toMatch(/MiB free, it needs at least 64\.0 MiB/);
        await writeFile(go, '');
        // the lines are printed and the task ends; its result waits for space
        await until('the result refused', () => server.stdout.includes('reporting a result failed'), 30_000);
        expect((await get()).state.current).toBe('RUNNING');

        await disk.unfill();
        await waitForHealth(server, port, 10_000);
        const ended = await until(
          'the execution ended',
          async () => {
            const e = await get();
            return ['SUCCESS', 'WARNING', 'FAILED'].includes(e.state.current) && e;
          },
          30_000,
        );
        expect(ended.state.current).toBe('WARNING');
        expect(ended.taskRunList[0].error).toMatch(
          /^3000 log line\(s\) of this task run could not be stored: no space left/,
        );

        const stopped = await server.stop('SIGTERM', 60_000);
        expect(stopped.code).toBe(0);
      } finally {
        if (existsSync(go)) await rm(go);
        await server.stop('SIGKILL');
      }
    }, 120_000);
  });

  // SIGTERM is always answered within a bounded time: a request waiting for an execution to end
  // (wait=true) once held `server local` open for as long as the execution ran.
  test('SIGTERM ends it within the worker grace and a margin, although a request waits for a long task', async () => {
    const config = path.join(control, 'sluice.yaml');
    await writeFile(config, 'worker: { shutdownGrace: PT1S }\n');
    const port = await freePort();
    const server = await startCli(['server', 'local', '--port', String(port), '--config', config]);
    try {
      await waitForHealth(server, port);
      const api = `http://127.0.0.1:${port}/api/v1`;
      await deploy(
        port,
        `
id: long
namespace: test.shutdown
tasks:
  - id: sleep
    type: io.kestra.plugin.scripts.shell.Commands
    commands:
      - sleep 600
`,
      );
      const waiting = fetch(`${api}/executions/test.shutdown/long?wait=true`, { method: 'POST' }).catch(
        (error: unknown) => error,
      );
      await until(
        'the task running',
        async () => {
          const page = (await (await fetch(`${api}/executions/search?namespace=test.shutdown`)).json()) as {
            results: Execution[];
          };
          return page.results[0]?.taskRunList[0]?.state.current === 'RUNNING';
        },
        30_000,
      );
      const asked = Date.now();
      const stopped = await server.stop('SIGTERM', 60_000);
      expect(stopped.signal).toBeNull();
      expect(stopped.code).toBe(0);
      expect(Date.now() - asked).toBeLessThan(30_000);
      // the waiting request was cut rather than answered
      expect(await waiting).toBeInstanceOf(Error);
    } finally {
      await server.stop('SIGKILL');
      await server.cleanup();
    }
  }, 120_000);
});
