import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testDialects } from '../../support/databases.js';
import { runOf, type TestEngine } from '../../support/engine.js';
import { startTestServer, type TestServer } from '../../support/server.js';

const FILES = '/api/v1/namespaces/company.data/files';

function multipart(content: string, name = 'f.txt'): { payload: Buffer; headers: Record<string, string> } {
  const boundary = 'sluiceboundary';
  const payload = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="fileContent"; filename="${name}"\r\n` +
      `Content-Type: application/octet-stream\r\n\r\n${content}\r\n--${boundary}--\r\n`,
  );
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

describe.each(testDialects())('namespace files on $name', (dialect) => {
  let server: TestServer;
  let app: FastifyInstance;
  let engine: TestEngine;
  const upload = (path: string, content: string, base = FILES) =>
    app.inject({ method: 'POST', url: `${base}?path=${encodeURIComponent(path)}`, ...multipart(content) });
  const content = (path: string, base = FILES) =>
    app.inject({ method: 'GET', url: `${base}?path=${encodeURIComponent(path)}` });
  const list = async (path?: string) =>
    (
      await app.inject({
        method: 'GET',
        url: `${FILES}/directory${path === undefined ? '' : `?path=${encodeURIComponent(path)}`}`,
      })
    ).json();

  beforeAll(async () => {
    server = await startTestServer(dialect);
    ({ app, engine } = server);
    await upload('/queries/daily.sql', 'SELECT 1;');
    await upload('queries/weekly.sql', 'SELECT 7;');
    await upload('/scripts/hello.sh', 'echo "hello from the namespace"');
    await upload('/ignore/secret.txt', 'not for scripts');
  });
  afterAll(async () => server?.stop());

  test('an uploaded file reads back whole, and lists in its directory with its size', async () => {
    const response = await content('/queries/daily.sql');
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('SELECT 1;');
    const root = await list();
    expect(root.map((e: { fileName: string; type: string }) => `${e.type}:${e.fileName}`)).toEqual([
      'Directory:ignore',
      'Directory:queries',
      'Directory:scripts',
    ]);
    const queries = await list('/queries');
    expect(queries).toEqual([
      expect.objectContaining({ fileName: 'daily.sql', type: 'File', size: 9 }),
      expect.objectContaining({ fileName: 'weekly.sql', type: 'File', size: 9 }),
    ]);
    const stats = await app.inject({ method: 'GET', url: `${FILES}/stats?path=/queries/daily.sql` });
    expect(stats.json()).toMatchObject({ fileName: 'daily.sql', type: 'File', size: 9 });
  });

  test('the content is in internal storage, under a tree no execution can share', async () => {
    expect(await engine.storage.exists('sluice:///_namespaces/company.data/_files/queries/daily.sql')).toBe(
      true,
    );
  });

  test('another namespace sees none of these files', async () => {
    const other = await app.inject({
      method: 'GET',
      url: '/api/v1/namespaces/company.other/files/directory',
    });
    expect(other.json()).toEqual([]);
    expect((await content('/queries/daily.sql', '/api/v1/namespaces/company.other/files')).statusCode).toBe(
      404,
    );
  });

  test('a path cannot leave the namespace: .., NUL, backslashes are 400, an absolute path is inside it', async () => {
    for (const path of ['../company.other/x', '/queries/../../x', '/a\0b', '\\etc\\passwd', 'a/\u0001']) {
      expect((await upload(path, 'x')).statusCode, JSON.stringify(path)).toBe(400);
      expect((await content(path)).statusCode, JSON.stringify(path)).toBe(400);
    }
    // `/etc/passwd` names a file of the namespace, which does not exist, never the host's
    const absolute = await content('/etc/passwd');
    expect(absolute.statusCode).toBe(404);
    expect(absolute.body).not.toContain('root:');
    const bad = await app.inject({ method: 'PUT', url: `${FILES}?from=/queries&to=../escape` });
    expect(bad.statusCode).toBe(400);
  });

  test('a directory is made, moved with its files, searched, and deleted with them', async () => {
    expect((await app.inject({ method: 'POST', url: `${FILES}/directory?path=/tmp/empty` })).statusCode).toBe(
      204,
    );
    expect((await list('/tmp')).map((e: { fileName: string }) => e.fileName)).toEqual(['empty']);
    await upload('/old/a.txt', 'A');
    await upload('/old/sub/b.txt', 'B');
    const moved = await app.inject({ method: 'PUT', url: `${FILES}?from=/old&to=/new/place` });
    expect(moved.statusCode).toBe(204);
    expect((await content('/new/place/sub/b.txt')).body).toBe('B');
    expect((await content('/old/a.txt')).statusCode).toBe(404);
    const found = await app.inject({ method: 'GET', url: `${FILES}/search?q=place` });
    expect(found.json()).toEqual(['/new/place/a.txt', '/new/place/sub/b.txt']);
    expect((await app.inject({ method: 'DELETE', url: `${FILES}?path=/new` })).statusCode).toBe(204);
    expect((await content('/new/place/a.txt')).statusCode).toBe(404);
    expect(await engine.storage.exists('sluice:///_namespaces/company.data/_files/new/place/a.txt')).toBe(
      false,
    );
    expect((await app.inject({ method: 'DELETE', url: `${FILES}?path=/new` })).statusCode).toBe(404);
  });

  test('a file cannot sit where a directory is, nor under a file', async () => {
    expect((await upload('/queries', 'x')).statusCode).toBe(409);
    expect((await upload('/queries/daily.sql/inner', 'x')).statusCode).toBe(409);
  });

  test('read() gives a namespace file to a template; a missing one fails the task naming it', async () => {
    const exec = await engine.run(`
id: reads
namespace: company.data
tasks:
  - id: sql
    type: return
    format: "{{ read('queries/daily.sql') }}|{{ read('/queries/weekly.sql') }}"
  - id: missing
    type: return
    format: "{{ read('queries/none.sql') }}"
    allowFailure: true
  - id: escape
    type: return
    format: "{{ read('../company.other/x') }}"
    allowFailure: true
`);
    expect(runOf(exec, 'sql').outputs).toEqual({ value: 'SELECT 1;|SELECT 7;' });
    expect(runOf(exec, 'missing').error).toMatch(
      /no file or directory \/queries\/none\.sql in namespace company\.data/,
    );
    expect(runOf(exec, 'escape').error).toMatch(/'\.\.' segments are not allowed/);
  });

  test('namespaceFiles copies the included files, less the excluded, into a script’s working directory', async () => {
    const exec = await engine.run(`
id: scripted
namespace: company.data
tasks:
  - id: run
    type: io.kestra.plugin.scripts.shell.Commands
    namespaceFiles:
      enabled: true
      exclude:
        - /ignore/**
    commands:
      - sh scripts/hello.sh
      - cat queries/daily.sql && echo
      - test ! -e ignore/secret.txt && echo "excluded"
  - id: only
    type: io.kestra.plugin.scripts.shell.Commands
    namespaceFiles:
      include: ["queries/*.sql"]
    commands:
      - ls -R . | grep -c '\\.sql$'
      - test ! -e scripts && echo "no scripts"
  - id: off
    type: io.kestra.plugin.scripts.shell.Commands
    namespaceFiles:
      enabled: false
    commands:
      - test ! -e queries && echo "nothing copied"
`);
    expect(exec.state.current).toBe('SUCCESS');
    const lines = (await engine.logs(exec.id)).map((l) => l.message);
    expect(lines).toEqual(
      expect.arrayContaining([
        'hello from the namespace',
        'SELECT 1;',
        'excluded',
        '2',
        'no scripts',
        'nothing copied',
      ]),
    );
  });

  test('UploadFiles stores output files, DownloadFiles gives them back as files, DeleteFiles removes them', async () => {
    const exec = await engine.run(`
id: roundtrip
namespace: company.data
tasks:
  - id: make
    type: shell
    outputFiles: [report.csv]
    commands:
      - printf 'a,b\\n1,2\\n' > report.csv
  - id: upload
    type: io.kestra.plugin.core.namespace.UploadFiles
    namespace: company.data
    destination: /reports
    filesMap:
      today.csv: "{{ outputs.make.outputFiles['report.csv'] }}"
  - id: download
    type: io.kestra.plugin.core.namespace.DownloadFiles
    namespace: company.data
    files: ["reports/**"]
  - id: check
    type: return
    format: "{{ read(outputs.download.files['/reports/today.csv']) }}"
  - id: delete
    type: io.kestra.plugin.core.namespace.DeleteFiles
    namespace: company.data
    files: "reports/*.csv"
`);
    expect(exec.state.current).toBe('SUCCESS');
    expect(runOf(exec, 'check').outputs).toEqual({ value: 'a,b\n1,2\n' });
    expect(runOf(exec, 'delete').outputs).toEqual({ files: ['/reports/today.csv'] });
    expect((await content('/reports/today.csv')).statusCode).toBe(404);
  });

  test('fileURI() names a namespace file that a task of the namespace may read', async () => {
    const exec = await engine.run(`
id: by-uri
namespace: company.data
tasks:
  - id: uri
    type: return
    format: "{{ read(fileURI('queries/daily.sql')) }}"
`);
    expect(runOf(exec, 'uri').outputs).toEqual({ value: 'SELECT 1;' });
  });
});
