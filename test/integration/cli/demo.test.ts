import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEMO_CONNECTION_NAME } from '../../../src/app/demo-connection.js';
import { ensureCliBuilt, freePort, startCli, type StartedCli } from '../../support/cli.js';
import { until } from '../../support/until.js';

// What a new user finds after `npm start`: `sluice server local` with the example flows and a demo
// connection whose sync works at the first press.
describe('sluice server local, the first start', () => {
  let server: StartedCli;
  let base: string;
  beforeAll(async () => {
    await ensureCliBuilt();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    server = await startCli(['server', 'local', '--port', String(port)]);
  });
  afterAll(async () => {
    await server.stop();
    await server.cleanup();
  });

  const get = async (url: string) =>
    (await fetch(`${base}${url}`)).json() as Promise<Record<string, unknown>>;

  test('has a demo connection whose sync moves the faker records into JSONL files', async () => {
    const connection = await until(
      'the demo connection',
      async () => {
        const list = await fetch(`${base}/api/v1/connections`).catch(() => undefined);
        if (!list?.ok) return undefined;
        const { data } = (await list.json()) as { data: { name: string; connectionId: string }[] };
        return data.find((c) => c.name === DEMO_CONNECTION_NAME);
      },
      30_000,
    );
    const job = (await (
      await fetch(`${base}/api/v1/jobs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ connectionId: connection.connectionId, jobType: 'sync' }),
      })
    ).json()) as { jobId: string };
    const done = await until(
      'the demo sync',
      async () => {
        const j = await get(`/api/v1/jobs/${job.jobId}`);
        return ['succeeded', 'failed'].includes(j.status as string) ? j : undefined;
      },
      60_000,
    );
    expect([done.status, done.rowsSynced]).toEqual(['succeeded', 3000]);
    expect(readdirSync(path.join(server.dataDir, 'demo-output')).sort()).toEqual([
      'products',
      'purchases',
      'users',
    ]);
    // its own waits (the connection, then the sync) are bounded above; the test as a whole must outlast them
  }, 120_000);
});
