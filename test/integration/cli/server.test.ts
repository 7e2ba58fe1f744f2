import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  type CliResult,
  ensureCliBuilt,
  freePort,
  lines,
  REPO_ROOT,
  runCli,
  type StartedCli,
  startCli,
  waitForHealth,
} from '../../support/cli.js';
import { adminUrl, databaseUrl, testDatabaseName } from '../../support/postgres-urls.js';

// `sluice server …` and `sluice db migrate` as a user runs them: real processes, real ports.

const PG_URL = process.env.SLUICE_TEST_DATABASE_URL;

/** A new empty database on the test server, named as test/support/databases.ts names its own so that
 * the global setup sweeps it up if a run dies before dropping it. */
async function createDatabase(url: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = testDatabaseName('server');
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: adminUrl(url) });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  return {
    url: databaseUrl(url, name),
    drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

beforeAll(() => ensureCliBuilt(), 120_000);

describe('sluice server local', () => {
  let port: number;
  let server: StartedCli;

  beforeAll(async () => {
    port = await freePort();
    server = await startCli(['server', 'local', '--port', String(port)]);
    await waitForHealth(server, port);
  }, 60_000);

  afterAll(async () => {
    await server?.stop('SIGKILL');
    await server?.cleanup();
  });

  test('GET /health reports the server and its database up, and every component alive', async () => {
    const health = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as {
      status: string;
      database: string;
      components: { role: string }[];
    };
    expect([health.status, health.database]).toEqual(['UP', 'UP']);
    expect(health.components.map((c) => c.role).sort()).toEqual([
      'executor',
      'scheduler',
      'webserver',
      'worker',
    ]);
  });

  test('keeps its embedded database under SLUICE_DATA_DIR', () => {
    expect(existsSync(path.join(server.dataDir, 'db', 'PG_VERSION'))).toBe(true);
  });

  test('the example flows are deployed: examples.hello runs through the API to SUCCESS with its greeting', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/api/v1/executions/examples/hello?wait=true`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'api' }),
    });
    const execution = (await response.json()) as { state: { current: string }; outputs: unknown };
    expect([response.status, execution.state.current, execution.outputs]).toEqual([
      200,
      'SUCCESS',
      { greeting: 'Hello, api!' },
    ]);
  });

  // last: it stops the server the tests above use
  test('SIGTERM stops it with exit code 0', async () => {
    const result = await server.stop('SIGTERM');
    expect([result.code, result.signal]).toEqual([0, null]);
  });
});

describe('server modes that need PostgreSQL refuse to start without SLUICE_DATABASE_URL', () => {
  test.each(['standalone', 'webserver', 'executor', 'worker', 'scheduler'])(
    'sluice server %s exits 1 saying SLUICE_DATABASE_URL is needed',
    async (mode) => {
      const result = await runCli(['server', mode, '--port', String(await freePort())]);
      expect([result.code, lines(result.stderr)]).toEqual([
        1,
        [`sluice: 'server ${mode}' needs PostgreSQL: set SLUICE_DATABASE_URL (or use 'server local')`],
      ]);
    },
  );
});

describe.skipIf(!PG_URL)('sluice db migrate against PostgreSQL (SLUICE_TEST_DATABASE_URL)', () => {
  let database: { url: string; drop(): Promise<void> };
  let first: CliResult;

  beforeAll(async () => {
    database = await createDatabase(PG_URL!);
    first = await runCli(['db', 'migrate'], { env: { SLUICE_DATABASE_URL: database.url } });
  }, 60_000);

  afterAll(() => database?.drop());

  test('on a fresh database it prints every migration it applied, and exits 0', async () => {
    const names = (await readdir(path.join(REPO_ROOT, 'migrations')))
      .filter((f) => f.endsWith('.sql'))
      .sort()
      .map((f) => f.replace(/\.sql$/, ''));
    expect([first.code, first.stdout]).toEqual([0, `applied ${names.join(', ')}\n`]);
  });

  test('a second run says the schema is up to date', async () => {
    const second = await runCli(['db', 'migrate'], { env: { SLUICE_DATABASE_URL: database.url } });
    expect([second.code, second.stdout]).toEqual([0, 'schema is up to date\n']);
  });

  test('a database that does not exist: exit 1 with the server’s message', async () => {
    const missing = databaseUrl(PG_URL!, testDatabaseName('missing'));
    const result = await runCli(['db', 'migrate'], { env: { SLUICE_DATABASE_URL: missing } });
    expect([result.code, result.stderr]).toEqual([1, expect.stringMatching(/does not exist/)]);
  });
});

describe.skipIf(!PG_URL)('sluice server standalone against PostgreSQL', () => {
  let database: { url: string; drop(): Promise<void> };
  let port: number;
  let server: StartedCli;

  beforeAll(async () => {
    database = await createDatabase(PG_URL!);
    port = await freePort();
    // an empty database: the bootloader migrates it at start
    // authentication has its own tests (auth.test.ts): this one is about migrating and running
    server = await startCli(['server', 'standalone', '--port', String(port)], {
      env: { SLUICE_DATABASE_URL: database.url, SLUICE_AUTH_ENABLED: 'false' },
    });
    await waitForHealth(server, port);
    // standalone deploys no examples: the test brings its flow
    const deployed = await fetch(`http://127.0.0.1:${port}/api/v1/flows`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-yaml' },
      body: await readFile(path.join(REPO_ROOT, 'examples', 'hello.yaml'), 'utf8'),
    });
    if (deployed.status !== 200)
      throw new Error(`deploying hello: ${deployed.status} ${await deployed.text()}`);
  }, 60_000);

  afterAll(async () => {
    await server?.stop('SIGKILL');
    await server?.cleanup();
    await database?.drop();
  });

  test('migrates an empty database at start and runs a deployed flow to SUCCESS', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/api/v1/executions/examples/hello?wait=true`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"name":"postgres"}',
    });
    const execution = (await response.json()) as { state: { current: string }; outputs: unknown };
    expect([execution.state.current, execution.outputs]).toEqual([
      'SUCCESS',
      { greeting: 'Hello, postgres!' },
    ]);
  });

  test('SIGTERM stops it with exit code 0', async () => {
    const result = await server.stop('SIGTERM');
    expect([result.code, result.signal]).toEqual([0, null]);
  });
});
