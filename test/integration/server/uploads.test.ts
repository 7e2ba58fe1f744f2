import { readdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Execution } from '../../../src/engine/execution.js';
import { buildServer } from '../../../src/server/app.js';
import { executionStoragePrefix, uriOfPath } from '../../../src/storage/paths.js';
import { testDialects } from '../../support/databases.js';
import { runOf, startTestEngine, TEST_CIPHER, type TestEngine } from '../../support/engine.js';

// FILE inputs uploaded as multipart/form-data: stored under the execution, read by its tasks, and
// downloadable (or previewable) from the execution; everything else about the form refused clearly.

const NS = 'tests.uploads';
const UPLOAD_LIMIT = 64 * 1024;

const SHOUTER = `id: shouter
namespace: ${NS}
inputs:
  - id: data
    type: FILE
  - id: times
    type: INT
    defaults: 1
tasks:
  - id: shout
    type: io.kestra.plugin.scripts.shell.Commands
    inputFiles:
      data.txt: "{{ inputs.data }}"
    outputFiles: ["loud.txt"]
    commands:
      - tr a-z A-Z < data.txt > loud.txt
      - cat loud.txt
`;

const PLAIN = `id: plain
namespace: ${NS}
inputs:
  - id: name
    type: STRING
    defaults: nobody
tasks:
  - id: greet
    type: return
    format: "Hello, {{ inputs.name }}"
`;

/** An error answer's body. */
const errorOf = async (response: Response) =>
  (await response.json()) as { message: string; details: unknown[] };

describe.each(testDialects())('uploads and execution files on $name', (dialect) => {
  let engine: TestEngine;
  let app: FastifyInstance;
  let base: string;
  let shouted: Execution;

  const upload = (flowId: string, form: FormData, query = '') =>
    fetch(`${base}/api/v1/executions/${NS}/${flowId}${query}`, { method: 'POST', body: form });
  const form = (entries: Record<string, string | [content: string, fileName: string]>) => {
    const data = new FormData();
    for (const [name, value] of Object.entries(entries)) {
      if (typeof value === 'string') data.append(name, value);
      else data.append(name, new Blob([value[0]]), value[1]);
    }
    return data;
  };
  const file = (id: string, path: string, what = '') =>
    fetch(`${base}/api/v1/executions/${id}/file${what}?path=${encodeURIComponent(path)}`);
  const preview = (id: string, path: string, query = '') =>
    fetch(`${base}/api/v1/executions/${id}/file/preview?path=${encodeURIComponent(path)}${query}`);
  const executions = async (flowId: string) =>
    (
      await engine.db.query<{ n: number }>('SELECT count(*)::int AS n FROM executions WHERE flow_id = $1', [
        flowId,
      ])
    ).rows[0].n;
  /** how many files of this name are stored under the executions of a flow */
  const stored = async (flowId: string, name: string) => {
    const dir = engine.storage.localPath(uriOfPath(`${NS.replace('.', '/')}/${flowId}/executions`));
    const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
    return entries.filter((e) => e.isFile() && e.name.startsWith(name)).length;
  };

  beforeAll(async () => {
    engine = await startTestEngine(dialect);
    app = buildServer({
      db: engine.db,
      cipher: TEST_CIPHER,
      storage: engine.storage,
      uploadLimit: UPLOAD_LIMIT,
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    for (const yaml of [SHOUTER, PLAIN]) await engine.deploy(yaml);
    const response = await upload(
      'shouter',
      form({ data: ['quiet words\nsecond line\n', 'words.txt'], times: '2' }),
      '?wait=true',
    );
    shouted = (await response.json()) as Execution;
  });

  afterAll(async () => {
    await app?.close();
    await engine?.stop();
  });

  test('an uploaded file is stored under the execution and its input holds the URI', () => {
    const prefix = uriOfPath(executionStoragePrefix(NS, 'shouter', shouted.id));
    expect(shouted.inputs).toEqual({ data: `${prefix}/inputs/data/words.txt`, times: 2 });
  });

  test('a task reads the uploaded file', async () => {
    expect(shouted.state.current).toBe('SUCCESS');
    const lines = (await engine.logs(shouted.id)).map((l) => l.message);
    expect(lines).toEqual(expect.arrayContaining(['QUIET WORDS', 'SECOND LINE']));
  });

  test('the uploaded file downloads as it was sent, as an attachment', async () => {
    const response = await file(shouted.id, shouted.inputs.data as string);
    expect([response.status, response.headers.get('content-disposition'), await response.text()]).toEqual([
      200,
      'attachment; filename="words.txt"',
      'quiet words\nsecond line\n',
    ]);
  });

  test("a task's output file downloads too", async () => {
    const loud = (runOf(shouted, 'shout').outputs?.outputFiles as Record<string, string>)['loud.txt'];
    const response = await file(shouted.id, loud);
    expect(await response.text()).toBe('QUIET WORDS\nSECOND LINE\n');
  });

  test('a text file previews as its first lines, saying whether it goes on', async () => {
    const response = await preview(shouted.id, shouted.inputs.data as string, '&maxRows=1');
    expect(await response.json()).toEqual({
      extension: 'txt',
      type: 'TEXT',
      content: 'quiet words',
      truncated: true,
    });
  });

  test('a JSON-lines file previews as a list of records', async () => {
    const rows = Array.from({ length: 5 }, (_, i) => JSON.stringify({ n: i })).join('\n');
    const created = (await (
      await upload('shouter', form({ data: [rows, 'rows.jsonl'] }))
    ).json()) as Execution;
    const response = await preview(created.id, created.inputs.data as string, '&maxRows=3');
    expect(await response.json()).toEqual({
      extension: 'jsonl',
      type: 'LIST',
      content: [{ n: 0 }, { n: 1 }, { n: 2 }],
      truncated: true,
    });
  });

  test("another execution's file is refused with 403", async () => {
    const other = (await (await upload('plain', form({}))).json()) as Execution;
    const response = await file(other.id, shouted.inputs.data as string);
    expect([response.status, (await errorOf(response)).details]).toEqual([
      403,
      [
        {
          path: 'query.path',
          message: expect.stringMatching(/^must start with sluice:\/\/\/tests\/uploads\/plain\//),
        },
      ],
    ]);
  });

  test("a path climbing out of the execution's files is refused with 400", async () => {
    const response = await file(shouted.id, `${shouted.inputs.data as string}/../../../../other/x`);
    expect([response.status, (await errorOf(response)).details]).toEqual([
      400,
      [{ path: 'query.path', message: 'is not a sluice:/// URI' }],
    ]);
  });

  test('a file the execution does not have: 404', async () => {
    const prefix = uriOfPath(executionStoragePrefix(NS, 'shouter', shouted.id));
    expect((await file(shouted.id, `${prefix}/nothing.txt`)).status).toBe(404);
  });

  test('a binary file cannot be previewed: 422', async () => {
    const created = (await (
      await upload('shouter', form({ data: ['\0\x01\x02', 'blob.bin'] }))
    ).json()) as Execution;
    expect((await preview(created.id, created.inputs.data as string)).status).toBe(422);
  });

  test('an empty multipart form creates an execution with the defaults', async () => {
    const response = await fetch(`${base}/api/v1/executions/${NS}/plain?wait=true`, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=hc' },
      body: '--hc--\r\n',
    });
    const execution = (await response.json()) as Execution;
    expect([response.status, execution.state.current]).toEqual([200, 'SUCCESS']);
    expect(runOf(execution, 'greet').outputs).toEqual({ value: 'Hello, nobody' });
  });

  test('form fields are inputs given as text, labels come from the query', async () => {
    const response = await upload('plain', form({ name: 'form' }), '?wait=true&labels=team:data');
    const execution = (await response.json()) as Execution;
    expect([execution.inputs, execution.labels]).toEqual([
      { name: 'form' },
      expect.arrayContaining([{ key: 'team', value: 'data' }]),
    ]);
  });

  test('a file larger than the upload limit: 413, no execution and no file left behind', async () => {
    const before = await executions('shouter');
    const response = await upload('shouter', form({ data: ['x'.repeat(UPLOAD_LIMIT + 1), 'big.txt'] }));
    expect([response.status, (await errorOf(response)).details]).toEqual([
      413,
      [{ path: 'body.data', message: `is larger than ${UPLOAD_LIMIT} bytes` }],
    ]);
    expect([await executions('shouter'), await stored('shouter', 'big.txt')]).toEqual([before, 0]);
  });

  test('a file for an input that is not a FILE input: 422 naming it, and nothing stored', async () => {
    const before = await executions('plain');
    const response = await upload('plain', form({ name: ['text', 'name.txt'] }));
    expect([response.status, await response.json()]).toEqual([
      422,
      {
        message: 'invalid inputs',
        details: [{ message: "'name' is sent as a file, but the flow declares no FILE input of that id" }],
      },
    ]);
    expect([await executions('plain'), await stored('plain', 'name.txt')]).toEqual([before, 0]);
  });

  test('an invalid input beside an uploaded file: 422, and the file removed', async () => {
    const response = await upload('shouter', form({ data: ['fine', 'fine.txt'], times: 'many' }));
    expect([response.status, (await errorOf(response)).details]).toEqual([
      422,
      [{ message: "Invalid value for input 'times': expected INT, got 'many'" }],
    ]);
    expect(await stored('shouter', 'fine.txt')).toBe(0);
  });

  test('a missing FILE input: 422 naming it', async () => {
    const response = await upload('shouter', form({ times: '1' }));
    expect([response.status, (await errorOf(response)).details]).toEqual([
      422,
      [{ message: 'Missing required input: data' }],
    ]);
  });
});
