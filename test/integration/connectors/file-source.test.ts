// source-file over real files in a temporary folder: discover, read of each format, globs,
// incremental reads by file, and the errors a bad path or a malformed file gives.
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { parquetWriteFile } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  type Run,
  Workspace,
  configured,
  errorOf,
  recordsOf,
  statesOf,
  streamOf,
} from '../../unit/connectors/file/harness.js';

let ws: Workspace;
beforeAll(async () => {
  ws = await Workspace.create('file-source');
});
afterAll(() => ws.remove());

async function folder(name: string, files: Record<string, string>): Promise<string> {
  const dir = ws.path(name);
  await mkdir(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) await writeFile(`${dir}/${file}`, text);
  return dir;
}

/** discover, then read the stream as discovered */
async function discoverAndRead(config: Record<string, unknown>): Promise<Run> {
  const discovered = await ws.source('discover', config);
  expect(discovered.code).toBe(0);
  return ws.source('read', config, configured(streamOf(discovered)));
}

describe('discover', () => {
  test('csv: columns from the header, integer, number and boolean inferred, all nullable', async () => {
    const dir = await folder('discover-csv', {
      'a.csv': 'id,price,active,name,zip\n1,2.5,true,Ada,01234\n2,3,false,,98765\n',
    });
    const stream = streamOf(await ws.source('discover', { dataset_name: 'items', url: `${dir}/a.csv` }));
    expect(stream).toMatchObject({
      name: 'items',
      supported_sync_modes: ['full_refresh', 'incremental'],
      default_cursor_field: ['_ab_source_file_last_modified'],
    });
    expect(stream.json_schema.properties).toEqual({
      id: { type: ['null', 'integer'] },
      price: { type: ['null', 'number'] },
      active: { type: ['null', 'boolean'] },
      name: { type: ['null', 'string'] },
      zip: { type: ['null', 'string'] },
      _ab_source_file_last_modified: {
        type: 'string',
        format: 'date-time',
        airbyte_type: 'timestamp_with_timezone',
      },
      _ab_source_file_url: { type: 'string' },
    });
  });

  test('csv with infer_datatypes false: every column a string', async () => {
    const dir = await folder('discover-csv-strings', { 'a.csv': 'id,active\n1,true\n' });
    const stream = streamOf(
      await ws.source('discover', { dataset_name: 's', url: `${dir}/a.csv`, infer_datatypes: false }),
    );
    expect(stream.json_schema.properties).toMatchObject({
      id: { type: ['null', 'string'] },
      active: { type: ['null', 'string'] },
    });
  });

  test('jsonl: the union of the types seen, nested objects and arrays included', async () => {
    const dir = await folder('discover-jsonl', {
      'a.jsonl':
        '{"id":1,"score":1,"tags":["x"],"who":{"name":"a"}}\n{"id":2,"score":1.5,"who":null,"note":null}\n',
    });
    const stream = streamOf(
      await ws.source('discover', { dataset_name: 's', format: 'jsonl', url: `${dir}/a.jsonl` }),
    );
    expect(stream.json_schema.properties).toMatchObject({
      id: { type: 'integer' },
      score: { type: 'number' },
      tags: { type: 'array', items: { type: 'string' } },
      who: { type: ['null', 'object'], properties: { name: { type: 'string' } } },
      note: {},
    });
  });

  test('parquet: int64, timestamps, dates, decimals, byte arrays and JSON map to JSON schema types', async () => {
    const file = ws.path('types.parquet');
    writeTypesParquet(file);
    const stream = streamOf(await ws.source('discover', { dataset_name: 's', format: 'parquet', url: file }));
    expect(stream.json_schema.properties).toMatchObject({
      id: { type: 'integer' },
      big: { type: ['null', 'integer'] },
      at: {
        type: ['null', 'string'],
        format: 'date-time',
        airbyte_type: 'timestamp_with_timezone',
      },
      day: { type: ['null', 'string'], format: 'date' },
      amount: { type: ['null', 'number'] },
      raw: { type: ['null', 'string'], contentEncoding: 'base64' },
      name: { type: ['null', 'string'] },
      doc: {},
    });
  });
});

/** One row group of every kind of column the discover test names. */
function writeTypesParquet(file: string): void {
  parquetWriteFile({
    filename: file,
    columnData: [
      { name: 'id', data: [1n, 2n] },
      { name: 'big', data: [9007199254740993n, null] },
      { name: 'at', data: [1_700_000_000_123_456n, null] },
      { name: 'day', data: [19_000, null] },
      { name: 'amount', data: [12.34, null] },
      { name: 'raw', data: [new Uint8Array([0, 255, 1]), null] },
      { name: 'name', data: ['ü', null] },
      { name: 'doc', data: [{ a: [1, 2] }, null] },
    ],
    schema: [
      { name: 'root', num_children: 8 },
      { name: 'id', type: 'INT64', repetition_type: 'REQUIRED' },
      { name: 'big', type: 'INT64', repetition_type: 'OPTIONAL' },
      { name: 'at', type: 'INT64', converted_type: 'TIMESTAMP_MICROS', repetition_type: 'OPTIONAL' },
      { name: 'day', type: 'INT32', converted_type: 'DATE', repetition_type: 'OPTIONAL' },
      {
        name: 'amount',
        type: 'INT64',
        converted_type: 'DECIMAL',
        scale: 2,
        precision: 10,
        repetition_type: 'OPTIONAL',
      },
      { name: 'raw', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL' },
      { name: 'name', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
      { name: 'doc', type: 'BYTE_ARRAY', converted_type: 'JSON', repetition_type: 'OPTIONAL' },
    ],
  });
}

describe('read', () => {
  test('csv over a glob of several files, oldest first, each record naming its file', async () => {
    const dir = await folder('glob-csv', {
      '2024-01.csv': 'id,name\n1,"a, quoted"\n2,b\n',
      '2024-02.csv': 'id,name\r\n3,"multi\nline"\r\n',
      'other.csv': 'id,name\n99,not matched\n',
      '.2024-03.csv': 'id,name\n98,hidden\n',
    });
    await utimes(`${dir}/2024-01.csv`, new Date('2024-02-01'), new Date('2024-02-01'));
    await utimes(`${dir}/2024-02.csv`, new Date('2024-03-01'), new Date('2024-03-01'));
    const run = await discoverAndRead({ dataset_name: 'orders', url: `${dir}/2024-*.csv` });
    expect(recordsOf(run)).toEqual([
      { id: 1, name: 'a, quoted' },
      { id: 2, name: 'b' },
      { id: 3, name: 'multi\nline' },
    ]);
    const first = run.messages.find((m) => m.type === 'RECORD');
    expect(first?.type === 'RECORD' && first.record.data).toMatchObject({
      _ab_source_file_url: `${dir}/2024-01.csv`,
      _ab_source_file_last_modified: '2024-02-01T00:00:00.000Z',
    });
  });

  test('csv without a header, tab-separated through reader_options: columns f0, f1', async () => {
    const dir = await folder('no-header', { 'a.tsv': 'x\t1\ny\t2\n' });
    const run = await discoverAndRead({
      dataset_name: 's',
      url: `${dir}/a.tsv`,
      reader_options: '{"sep": "\\t", "header": null}',
    });
    expect(recordsOf(run)).toEqual([
      { f0: 'x', f1: 1 },
      { f0: 'y', f1: 2 },
    ]);
  });

  test('csv in latin1 with a semicolon delimiter, empty fields null and quoted empty ones ""', async () => {
    const dir = ws.path('latin1');
    await mkdir(dir, { recursive: true });
    await writeFile(`${dir}/a.csv`, Buffer.from('name;note\ncaf\xe9;\n"";x\n', 'latin1'));
    const run = await discoverAndRead({
      dataset_name: 's',
      url: `${dir}/a.csv`,
      delimiter: ';',
      encoding: 'latin1',
    });
    expect(recordsOf(run)).toEqual([
      { name: 'café', note: null },
      { name: '', note: 'x' },
    ]);
  });

  test('a csv value that does not fit its column type is kept as a string, with a warning', async () => {
    const dir = await folder('mistyped', { 'a.csv': 'id\n1\n2\n' });
    const stream = streamOf(await ws.source('discover', { dataset_name: 's', url: `${dir}/a.csv` }));
    await writeFile(`${dir}/a.csv`, 'id\n1\nn/a\n');
    const run = await ws.source('read', { dataset_name: 's', url: `${dir}/a.csv` }, configured(stream));
    expect(recordsOf(run)).toEqual([{ id: 1 }, { id: 'n/a' }]);
    expect(run.messages).toContainEqual({
      type: 'LOG',
      log: { level: 'WARN', message: expect.stringContaining(`${dir}/a.csv:3: column id is typed integer`) },
    });
  });

  test('jsonl lines pass through as written, 64-bit integers exact', async () => {
    const dir = await folder('jsonl', {
      'a.jsonl': '{"id":1,"big":12345678901234567890,"o":{"k":[1,"x"]}}\r\n\n{}\n',
    });
    const run = await discoverAndRead({ dataset_name: 's', format: 'jsonl', url: `${dir}/*.jsonl` });
    expect(recordsOf(run)).toEqual([{ id: 1, big: Number('12345678901234567890'), o: { k: [1, 'x'] } }, {}]);
    expect(run.stdout).toContain('"big":12345678901234567890');
  });

  test('parquet values: exact int64, ISO timestamps at the file precision, dates, decimals, base64', async () => {
    const file = ws.path('values.parquet');
    writeTypesParquet(file);
    const run = await discoverAndRead({ dataset_name: 's', format: 'parquet', url: file });
    expect(recordsOf(run)).toEqual([
      {
        id: 1,
        big: Number('9007199254740993'),
        at: '2023-11-14T22:13:20.123456Z',
        day: '2022-01-08',
        amount: 12.34,
        raw: 'AP8B',
        name: 'ü',
        doc: { a: [1, 2] },
      },
      { id: 2, big: null, at: null, day: null, amount: null, raw: null, name: null, doc: null },
    ]);
    expect(run.stdout).toContain('"big":9007199254740993,');
  });

  test('a full refresh checkpoints after each file', async () => {
    const dir = await folder('states', { 'a.jsonl': '{"n":1}\n', 'b.jsonl': '{"n":2}\n{"n":3}\n' });
    const run = await discoverAndRead({ dataset_name: 's', format: 'jsonl', url: `${dir}/*.jsonl` });
    expect(statesOf(run).map((s) => s.sourceStats)).toEqual([{ recordCount: 1 }, { recordCount: 2 }]);
  });
});

describe('incremental', () => {
  test('a second read takes only the files that are new or changed since the state', async () => {
    const dir = await folder('incremental', { 'a.jsonl': '{"n":1}\n', 'b.jsonl': '{"n":2}\n' });
    const config = { dataset_name: 's', format: 'jsonl', url: `${dir}/*.jsonl` };
    const catalog = configured(streamOf(await ws.source('discover', config)), 'incremental');
    const first = await ws.source('read', config, catalog);
    expect(recordsOf(first)).toEqual([{ n: 1 }, { n: 2 }]);

    await writeFile(`${dir}/c.jsonl`, '{"n":3}\n');
    await writeFile(`${dir}/a.jsonl`, '{"n":1}\n{"n":4}\n');
    const state = [statesOf(first).at(-1)];
    const second = await ws.source('read', config, catalog, state);
    expect(
      recordsOf(second)
        .map((r) => r.n)
        .sort(),
    ).toEqual([1, 3, 4]);

    const third = await ws.source('read', config, catalog, [statesOf(second).at(-1)]);
    expect([recordsOf(third), statesOf(third).length]).toEqual([[], 1]);
  });

  test('the state lists each file read with its modification time and size', async () => {
    const dir = await folder('history', { 'a.jsonl': '{"n":1}\n' });
    await utimes(`${dir}/a.jsonl`, new Date('2024-05-01'), new Date('2024-05-01'));
    const config = { dataset_name: 's', format: 'jsonl', url: `${dir}/a.jsonl` };
    const run = await ws.source(
      'read',
      config,
      configured(streamOf(await ws.source('discover', config)), 'incremental'),
    );
    expect(statesOf(run)).toEqual([
      {
        type: 'STREAM',
        stream: {
          stream_descriptor: { name: 's' },
          stream_state: {
            history: { [`${dir}/a.jsonl`]: { modified_at: '2024-05-01T00:00:00.000Z', size: 8 } },
          },
        },
        sourceStats: { recordCount: 1 },
      },
    ]);
  });
});

describe('errors', () => {
  test('a url that matches nothing is a config_error naming it', async () => {
    const run = await ws.source('discover', { dataset_name: 's', url: ws.path('none-*.csv') });
    expect([run.code, errorOf(run)]).toEqual([
      1,
      { message: `config.url: no file matches ${ws.path('none-*.csv')}`, failure_type: 'config_error' },
    ]);
  });

  test('check of a url that matches nothing fails with the reason', async () => {
    const run = await ws.source('check', { dataset_name: 's', url: ws.path('missing.csv') });
    expect(run.messages).toEqual([
      {
        type: 'CONNECTION_STATUS',
        connectionStatus: {
          status: 'FAILED',
          message: `config.url: no file matches ${ws.path('missing.csv')}`,
        },
      },
    ]);
  });

  test('check of a readable file succeeds', async () => {
    const dir = await folder('check', { 'a.csv': 'a\n1\n' });
    const run = await ws.source('check', { dataset_name: 's', url: `${dir}/a.csv` });
    expect(run.messages[0]).toMatchObject({ connectionStatus: { status: 'SUCCEEDED' } });
  });

  test('a malformed jsonl line names file:line', async () => {
    const dir = await folder('bad-jsonl', { 'a.jsonl': '{"n":1}\n{"n":\n' });
    const config = { dataset_name: 's', format: 'jsonl', url: `${dir}/a.jsonl` };
    const run = await ws.source(
      'read',
      config,
      configured({ name: 's', json_schema: {}, supported_sync_modes: ['full_refresh'] }),
    );
    expect(errorOf(run)).toMatchObject({
      message: expect.stringMatching(new RegExp(`^${dir}/a\\.jsonl:2: not valid JSON`)),
      failure_type: 'config_error',
    });
  });

  test('a csv row with the wrong number of fields names file:line', async () => {
    const dir = await folder('bad-csv-row', { 'a.csv': 'a,b\n1,2\n3\n' });
    const run = await ws.source('discover', { dataset_name: 's', url: `${dir}/a.csv` });
    expect(errorOf(run)?.message).toBe(`${dir}/a.csv:3: 1 fields where the header has 2 columns`);
  });

  test('an unclosed csv quote names file:line:column', async () => {
    const dir = await folder('bad-csv-quote', { 'a.csv': 'a,b\n1,x"y\n' });
    const run = await ws.source('discover', { dataset_name: 's', url: `${dir}/a.csv` });
    expect(errorOf(run)?.message).toBe(
      `${dir}/a.csv:2:4: a quote inside an unquoted field (quote the whole field)`,
    );
  });

  test('a file that is not Parquet is a config_error naming it', async () => {
    const dir = await folder('not-parquet', { 'a.parquet': 'id,name\n' });
    const run = await ws.source('discover', {
      dataset_name: 's',
      format: 'parquet',
      url: `${dir}/a.parquet`,
    });
    expect(errorOf(run)).toMatchObject({
      message: expect.stringContaining(`${dir}/a.parquet: not a readable Parquet file`),
      failure_type: 'config_error',
    });
  });

  test('unknown reader_options are refused by name', async () => {
    const dir = await folder('reader-options', { 'a.csv': 'a\n1\n' });
    const run = await ws.source('discover', {
      dataset_name: 's',
      url: `${dir}/a.csv`,
      reader_options: '{"skiprows": 1}',
    });
    expect(errorOf(run)?.message).toMatch(/^config\.reader_options: skiprows not supported/);
  });
});
