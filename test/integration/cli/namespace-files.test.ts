import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureCliBuilt, runCli } from '../../support/cli.js';
import { testDialects } from '../../support/databases.js';
import { startTestServer, type TestServer } from '../../support/server.js';

// `sluice namespace files update NAMESPACE FOLDER [TO]` against a real server, as CI/CD runs it.

beforeAll(() => ensureCliBuilt(), 120_000);

describe('sluice namespace files update', () => {
  let server: TestServer;
  let folder: string;
  let outside: string;
  const read = async (file: string) =>
    server.app.inject({
      method: 'GET',
      url: `/api/v1/namespaces/ci.deploy/files?path=${encodeURIComponent(file)}`,
    });

  beforeAll(async () => {
    server = await startTestServer(testDialects()[0], { listen: true });
    folder = await mkdtemp(path.join(tmpdir(), 'sluice-nsfiles-'));
    outside = await mkdtemp(path.join(tmpdir(), 'sluice-outside-'));
    await mkdir(path.join(folder, 'sql/nested'), { recursive: true });
    await writeFile(path.join(folder, 'sql/daily.sql'), 'SELECT 1;');
    await writeFile(path.join(folder, 'sql/nested/deep.sql'), 'SELECT 2;');
    await writeFile(path.join(outside, 'passwd'), 'root:x:0:0');
    // links out of the folder, to a file and to a folder: never followed
    await symlink(path.join(outside, 'passwd'), path.join(folder, 'leak.txt'));
    await symlink(outside, path.join(folder, 'leakdir'));
  });
  afterAll(async () => {
    await server?.stop();
    await rm(folder, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  test('uploads every regular file at its path under TO, and skips symbolic links', async () => {
    const result = await runCli([
      'namespace',
      'files',
      'update',
      'ci.deploy',
      folder,
      '/app',
      '--server',
      server.base,
    ]);
    expect(result.stderr).toContain('skipped leak.txt: a symbolic link');
    expect(result.stderr).toContain('skipped leakdir: a symbolic link');
    expect(result.code).toBe(0);
    expect((await read('/app/sql/daily.sql')).body).toBe('SELECT 1;');
    expect((await read('/app/sql/nested/deep.sql')).body).toBe('SELECT 2;');
    expect((await read('/app/leak.txt')).statusCode).toBe(404);
    expect((await read('/app/leakdir/passwd')).statusCode).toBe(404);
  });

  test('--delete leaves only the folder’s files under TO', async () => {
    await server.app.inject({
      method: 'POST',
      url: '/api/v1/namespaces/ci.deploy/files?path=/app/stale.txt',
      headers: { 'content-type': 'multipart/form-data; boundary=b' },
      payload:
        '--b\r\nContent-Disposition: form-data; name="fileContent"; filename="s"\r\n\r\nold\r\n--b--\r\n',
    });
    expect((await read('/app/stale.txt')).statusCode).toBe(200);
    const result = await runCli([
      'namespace',
      'files',
      'update',
      'ci.deploy',
      folder,
      'app',
      '--delete',
      '--server',
      server.base,
    ]);
    expect(result.code).toBe(0);
    expect((await read('/app/stale.txt')).statusCode).toBe(404);
    expect((await read('/app/sql/daily.sql')).body).toBe('SELECT 1;');
  });

  test('a refused request ends the command with exit 1 and the server’s reason', async () => {
    const result = await runCli([
      'namespace',
      'files',
      'update',
      'Not A Namespace',
      folder,
      '--server',
      server.base,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/400/);
  });
});
