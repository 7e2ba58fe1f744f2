import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureCliBuilt, freePort, lines, runCli, type StartedCli, startCli } from '../../support/cli.js';
import { testDialects } from '../../support/databases.js';
import { until } from '../../support/until.js';

// `sluice user` and `sluice token` as an administrator runs them, and real servers that ask for
// what they create.

const PASSWORD = 'correct horse battery';
const basic = (name: string, password: string) =>
  `Basic ${Buffer.from(`${name}:${password}`).toString('base64')}`;
const postgres = testDialects().find((d) => d.name === 'postgres');

async function statusOf(port: number, url: string, authorization?: string): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${port}${url}`, {
    headers: authorization ? { authorization } : {},
  });
  return response.status;
}

/** Waits until /health answers; fails with the server's output if it exits first. */
async function healthy(server: StartedCli, port: number): Promise<void> {
  await until(
    'a healthy /health',
    async () => {
      if (server.child.exitCode !== null)
        throw new Error(`the server exited:\n${server.stdout}\n${server.stderr}`);
      return (await statusOf(port, '/health').catch(() => 0)) === 200;
    },
    45_000,
  );
}

beforeAll(() => ensureCliBuilt(), 120_000);

describe.skipIf(!postgres)('user add and token create, then a standalone server on 127.0.0.1', () => {
  let database: Awaited<ReturnType<NonNullable<typeof postgres>['open']>>;
  let env: Record<string, string>;
  let token: string;
  let port: number;
  let server: StartedCli;
  let added: Awaited<ReturnType<typeof runCli>>;
  let created: Awaited<ReturnType<typeof runCli>>;

  beforeAll(async () => {
    database = await postgres!.open();
    env = { SLUICE_DATABASE_URL: database.url! };
    added = await runCli(['user', 'add', 'ada'], { env, input: `${PASSWORD}\n` });
    created = await runCli(['token', 'create', '--name', 'ci'], { env });
    token = created.stdout.trim();
    port = await freePort();
    server = await startCli(['server', 'standalone', '--host', '127.0.0.1', '--port', String(port)], { env });
    await healthy(server, port);
  }, 90_000);

  afterAll(async () => {
    await server?.stop('SIGKILL');
    await server?.cleanup();
    await database?.dispose();
  });

  test('user add reads the password from stdin and says it added the user', () => {
    expect([added.code, added.stdout]).toEqual([0, 'user ada added\n']);
  });

  test('token create prints the token alone on stdout', () => {
    expect([created.code, created.stdout]).toEqual([
      0,
      expect.stringMatching(/^sluice_[A-Za-z0-9_-]{43}\n$/),
    ]);
  });

  test('the database keeps neither the password nor the token in clear', async () => {
    const { rows } = await database.db.query<{ row: string }>(
      'SELECT row_to_json(u)::text AS row FROM users u UNION ALL SELECT row_to_json(t)::text FROM api_tokens t',
    );
    const text = rows.map((r) => r.row).join('\n');
    expect([text.includes(PASSWORD), text.includes(token), rows.length]).toEqual([false, false, 2]);
  });

  test('the server asks for credentials by default: none gives 401', async () => {
    expect(await statusOf(port, '/api/v1/flows/search')).toBe(401);
  });

  test('the user added with the CLI logs in with HTTP basic', async () => {
    expect(await statusOf(port, '/api/v1/flows/search', basic('ada', PASSWORD))).toBe(200);
  });

  test('the token created with the CLI works as a bearer token', async () => {
    expect(await statusOf(port, '/api/v1/flows/search', `Bearer ${token}`)).toBe(200);
  });

  test('a wrong password and a wrong token give 401', async () => {
    const statuses = [
      await statusOf(port, '/api/v1/flows/search', basic('ada', 'not the password')),
      await statusOf(port, '/api/v1/flows/search', `Bearer ${token.slice(0, -2)}xx`),
    ];
    expect(statuses).toEqual([401, 401]);
  });

  test('the server log shows neither the password nor the token', () => {
    const log = server.stdout + server.stderr;
    expect([log.includes(PASSWORD), log.includes(token)]).toEqual([false, false]);
  });

  test('token list shows the token by id and name, never the token itself', async () => {
    const listed = await runCli(['token', 'list'], { env });
    expect([listed.code, lines(listed.stdout).length, listed.stdout.includes(token)]).toEqual([0, 1, false]);
    expect(lines(listed.stdout)[0].split('\t').slice(1, 2)).toEqual(['ci']);
  });

  test('a revoked token and a deleted user get 401 from then on', async () => {
    await runCli(['user', 'add', 'leaver'], { env, input: PASSWORD });
    const second = (await runCli(['token', 'create', '--name', 'old'], { env })).stdout.trim();
    const listed = lines((await runCli(['token', 'list'], { env })).stdout).map((l) => l.split('\t'));
    const id = listed.find(([, name]) => name === 'old')![0];
    const before = [
      await statusOf(port, '/api/v1/flows/search', `Bearer ${second}`),
      await statusOf(port, '/api/v1/flows/search', basic('leaver', PASSWORD)),
    ];
    const revoked = await runCli(['token', 'revoke', id], { env });
    const deleted = await runCli(['user', 'delete', 'leaver'], { env });
    const after = [
      await statusOf(port, '/api/v1/flows/search', `Bearer ${second}`),
      await statusOf(port, '/api/v1/flows/search', basic('leaver', PASSWORD)),
    ];
    expect([before, revoked.code, deleted.code, after]).toEqual([[200, 200], 0, 0, [401, 401]]);
  });
});

describe('user add on the embedded database', () => {
  test('a password shorter than 8 characters is refused with exit 1, saying why', async () => {
    const result = await runCli(['user', 'add', 'ada'], { input: 'short\n' });
    expect([result.code, lines(result.stderr)]).toEqual([
      1,
      ['sluice: the password must have at least 8 characters'],
    ]);
  });

  test('adding an existing user is refused; --replace sets the new password', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'sluice-cli-test-'));
    try {
      const outcomes = [];
      for (const args of [['ada'], ['ada'], ['ada', '--replace']]) {
        const result = await runCli(['user', 'add', ...args], { dataDir, input: PASSWORD });
        outcomes.push([result.code, result.stdout || result.stderr]);
      }
      expect(outcomes).toEqual([
        [0, 'user ada added\n'],
        [1, 'sluice: user ada already exists (--replace sets a new password)\n'],
        [0, 'password of ada replaced\n'],
      ]);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('server local on 0.0.0.0', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'sluice-cli-test-'));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  test('with auth.enabled: false it refuses to start, saying why', async () => {
    const config = path.join(dataDir, 'no-auth.yaml');
    await writeFile(config, 'auth:\n  enabled: false\n');
    const result = await runCli(
      ['server', 'local', '--host', '0.0.0.0', '--port', String(await freePort()), '--config', config],
      { dataDir },
    );
    expect([result.code, result.stderr]).toEqual([
      1,
      expect.stringMatching(/runs without authentication only on a loopback address/),
    ]);
  });

  test('with no user or token yet it refuses to start, saying how to create one', async () => {
    const result = await runCli(
      ['server', 'local', '--host', '0.0.0.0', '--port', String(await freePort())],
      { dataDir, timeoutMs: 60_000 },
    );
    expect([result.code, result.stderr]).toEqual([
      1,
      expect.stringMatching(/create one first with 'sluice user add NAME'/),
    ]);
  }, 60_000);

  test('with a user it starts and asks for credentials: none gives 401, the user 200', async () => {
    await runCli(['user', 'add', 'ada'], { dataDir, input: PASSWORD });
    const port = await freePort();
    const server = await startCli(['server', 'local', '--host', '0.0.0.0', '--port', String(port)], {
      dataDir,
    });
    try {
      await healthy(server, port);
      const statuses = [
        await statusOf(port, '/api/v1/flows/search'),
        await statusOf(port, '/api/v1/flows/search', basic('ada', PASSWORD)),
      ];
      expect(statuses).toEqual([401, 200]);
    } finally {
      await server.stop('SIGKILL');
    }
  }, 90_000);
});
