// destination-file over real folders: round trips through source-file in each format, the layout,
// append and overwrite, when states are acknowledged, and what a failed write leaves behind.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { AirbyteStream, ConfiguredAirbyteCatalog, JsonObject } from '../../../src/protocol/messages.js';
import {
  Workspace,
  configured,
  errorOf,
  recordsOf,
  statesOf,
  streamOf,
} from '../../unit/connectors/file/harness.js';

let ws: Workspace;
beforeAll(async () => {
  ws = await Workspace.create('file-destination');
});
afterAll(() => ws.remove());

const USERS: AirbyteStream = {
  name: 'users',
  namespace: 'app',
  json_schema: {
    type: 'object',
    properties: {
      id: { type: 'integer' },
      name: { type: ['null', 'string'] },
      score: { type: 'number' },
      active: { type: 'boolean' },
      address: { type: ['null', 'object'], properties: { city: { type: 'string' } } },
      tags: { type: 'array', items: { type: 'string' } },
    },
  },
  supported_sync_modes: ['full_refresh'],
};

const ROWS: JsonObject[] = [
  { id: 1, name: 'Ada, "the first"', score: 1.5, active: true, address: { city: 'Paris' }, tags: ['a', 'b'] },
  { id: 2, name: 'multi\nline', score: 2, active: false, address: null, tags: [] },
  { id: 3, name: '', score: -0.25, active: true, address: { city: 'Zürich' }, tags: ['ü'] },
  { id: 4, name: null, score: 1e21, active: false, address: null, tags: ['x'] },
];

const record = (data: JsonObject, stream = USERS) => ({
  type: 'RECORD',
  record: { namespace: stream.namespace, stream: stream.name, emitted_at: 1, data },
});
const state = (n: number) => ({
  type: 'STATE',
  state: {
    type: 'STREAM',
    stream: { stream_descriptor: { name: 'users', namespace: 'app' }, stream_state: { n } },
  },
});

let destinations = 0;
const newDestination = () => ws.path(`out-${destinations++}`);

function filesIn(folder: string): string[] {
  try {
    return readdirSync(folder).sort();
  } catch {
    return [];
  }
}

/** reads the destination's files of a stream back with source-file */
async function readBack(folder: string, format: string): Promise<JsonObject[]> {
  const extension = format === 'parquet' ? 'parquet' : format;
  const config = { dataset_name: 'users', format, url: `${folder}/*.${extension}` };
  const discovered = await ws.source('discover', config);
  const run = await ws.source('read', config, configured(streamOf(discovered)));
  expect(errorOf(run)).toBeUndefined();
  return recordsOf(run);
}

const catalog = (mode: 'append' | 'overwrite' = 'append', stream = USERS): ConfiguredAirbyteCatalog =>
  configured(stream, 'full_refresh', mode);

describe('round trips through source-file', () => {
  test('JSONL gives back the records as they were', async () => {
    const root = newDestination();
    const run = await ws.write({ destination_path: root, format: { format_type: 'JSONL' } }, catalog(), [
      ...ROWS.map((r) => record(r)),
      state(1),
    ]);
    expect(run.code).toBe(0);
    expect(await readBack(`${root}/app/users`, 'jsonl')).toEqual(ROWS);
  });

  test('CSV gives back typed columns, nested values as JSON text, nulls and empty strings apart', async () => {
    const root = newDestination();
    await ws.write(
      { destination_path: root, format: { format_type: 'CSV' } },
      catalog(),
      ROWS.map((r) => record(r)),
    );
    expect(await readBack(`${root}/app/users`, 'csv')).toEqual(
      ROWS.map((r) => ({
        ...r,
        address: r.address === null ? null : JSON.stringify(r.address),
        tags: JSON.stringify(r.tags),
      })),
    );
  });

  test('CSV with another delimiter and no flattening: one _airbyte_data column of JSON', async () => {
    const root = newDestination();
    await ws.write(
      { destination_path: root, format: { format_type: 'CSV', delimiter: ';', flattening: 'No flattening' } },
      catalog(),
      ROWS.slice(0, 2).map((r) => record(r)),
    );
    const [file] = filesIn(`${root}/app/users`);
    expect(readFileSync(`${root}/app/users/${file}`, 'utf8')).toBe(
      `_airbyte_data\r\n${ROWS.slice(0, 2)
        .map((r) => `"${JSON.stringify(r).replaceAll('"', '""')}"\r\n`)
        .join('')}`,
    );
  });

  test('Parquet gives back the records, nested values included', async () => {
    const root = newDestination();
    const run = await ws.write(
      { destination_path: root, format: { format_type: 'Parquet', compression_codec: 'GZIP' } },
      catalog(),
      ROWS.map((r) => record(r)),
    );
    expect(run.code).toBe(0);
    expect(await readBack(`${root}/app/users`, 'parquet')).toEqual(ROWS);
  });

  test('Parquet of a stream without declared properties keeps each record whole in _airbyte_data', async () => {
    const root = newDestination();
    const loose: AirbyteStream = { ...USERS, json_schema: { type: 'object' } };
    await ws.write(
      { destination_path: root, format: { format_type: 'Parquet' } },
      catalog('append', loose),
      ROWS.slice(0, 2).map((r) => record(r, loose)),
    );
    expect(await readBack(`${root}/app/users`, 'parquet')).toEqual(
      ROWS.slice(0, 2).map((r) => ({ _airbyte_data: r })),
    );
  });
});

describe('layout and modes', () => {
  test('one file per stream and sync, <root>/<namespace>/<stream>/<sync start>_<n>.<ext>', async () => {
    const root = newDestination();
    await ws.write({ destination_path: root, format: { format_type: 'JSONL' } }, catalog(), [
      record(ROWS[0]),
    ]);
    expect(filesIn(`${root}/app/users`)).toEqual([expect.stringMatching(/^\d{8}T\d{9}Z_0\.jsonl$/)]);
  });

  test('append adds a file per sync and keeps the earlier ones', async () => {
    const root = newDestination();
    const config = { destination_path: root, format: { format_type: 'JSONL' } };
    await ws.write(config, catalog('append'), [record(ROWS[0])]);
    await ws.write(config, catalog('append'), [record(ROWS[1])]);
    expect(filesIn(`${root}/app/users`)).toHaveLength(2);
    expect((await readBack(`${root}/app/users`, 'jsonl')).map((r) => r.id).sort()).toEqual([1, 2]);
  });

  test('overwrite replaces the earlier files with this sync’s one', async () => {
    const root = newDestination();
    const config = { destination_path: root, format: { format_type: 'CSV' } };
    await ws.write(config, catalog('overwrite'), [record(ROWS[0])]);
    await ws.write(config, catalog('overwrite'), [record(ROWS[1]), record(ROWS[2])]);
    expect(filesIn(`${root}/app/users`)).toHaveLength(1);
    expect((await readBack(`${root}/app/users`, 'csv')).map((r) => r.id)).toEqual([2, 3]);
  });

  test('overwrite leaves files it did not write alone', async () => {
    const root = newDestination();
    const config = { destination_path: root, format: { format_type: 'JSONL' } };
    await ws.write(config, catalog('overwrite'), [record(ROWS[0])]);
    const folder = `${root}/app/users`;
    writeFileSync(`${folder}/notes.txt`, 'mine');
    await ws.write(config, catalog('overwrite'), [record(ROWS[1])]);
    expect(filesIn(folder)).toEqual([expect.stringMatching(/_0\.jsonl$/), 'notes.txt']);
  });

  test('a failed overwrite leaves the earlier files and no temporary one', async () => {
    const root = newDestination();
    const config = { destination_path: root, format: { format_type: 'JSONL' } };
    await ws.write(config, catalog('overwrite'), [record(ROWS[0])]);
    const before = filesIn(`${root}/app/users`);
    const failed = await ws.write(config, catalog('overwrite'), [
      record(ROWS[1]),
      record({ id: 9 }, { ...USERS, name: 'unknown' }),
    ]);
    expect(failed.code).toBe(1);
    expect(filesIn(`${root}/app/users`)).toEqual(before);
  });

  test('append_dedup is refused as a config_error naming the stream', async () => {
    const run = await ws.write(
      { destination_path: newDestination(), format: { format_type: 'JSONL' } },
      { streams: [{ stream: USERS, sync_mode: 'incremental', destination_sync_mode: 'append_dedup' }] },
      [],
    );
    expect(errorOf(run)).toEqual({
      message:
        'stream users: destination_sync_mode append_dedup is not supported by destination-file (append or overwrite)',
      failure_type: 'config_error',
    });
  });

  test('a CSV record with a field its schema does not declare fails naming stream, record and field', async () => {
    const root = newDestination();
    const run = await ws.write({ destination_path: root, format: { format_type: 'CSV' } }, catalog(), [
      record(ROWS[0]),
      record({ ...ROWS[1], extra: 1 }),
    ]);
    expect(errorOf(run)).toMatchObject({
      message: expect.stringMatching(
        /^stream users: record 2: field "extra" is not in the stream's catalog schema/,
      ),
      failure_type: 'system_error',
    });
    expect(filesIn(`${root}/app/users`)).toEqual([]);
  });

  test('check creates the folder and succeeds, or fails with the reason', async () => {
    const good = await ws.checkDestination({ destination_path: ws.path('new', 'folder') });
    const bad = await ws.checkDestination({
      destination_path: `${ws.path('destination-config.json')}/below`,
    });
    expect([good, bad]).toEqual([
      { status: 'SUCCEEDED' },
      { status: 'FAILED', message: expect.stringContaining('cannot write to') },
    ]);
  });
});

describe('states', () => {
  const until = async (condition: () => boolean): Promise<void> => {
    for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(condition()).toBe(true);
  };
  const linesOf = (folder: string) =>
    filesIn(folder).flatMap((f) => readFileSync(`${folder}/${f}`, 'utf8').split('\n').filter(Boolean));

  test('appending JSONL, a state comes out once the records before it are on disk', async () => {
    const root = newDestination();
    const writing = await ws.startWrite(
      { destination_path: root, format: { format_type: 'JSONL' } },
      catalog(),
    );
    writing.send(record(ROWS[0]));
    writing.send(record(ROWS[1]));
    writing.send(state(1));
    await until(() => writing.stdout.includes('"STATE"'));
    expect(linesOf(`${root}/app/users`)).toHaveLength(2);
    writing.stdin.end();
    const run = await writing.done;
    expect(statesOf(run)).toEqual([expect.objectContaining({ destinationStats: { recordCount: 2 } })]);
  });

  test('a failed append keeps exactly the records its acknowledged states cover', async () => {
    const root = newDestination();
    const run = await ws.write({ destination_path: root, format: { format_type: 'JSONL' } }, catalog(), [
      record(ROWS[0]),
      state(1),
      record(ROWS[1]),
      record({ id: 9 }, { ...USERS, name: 'unknown' }),
    ]);
    expect([run.code, statesOf(run).length]).toEqual([1, 1]);
    expect(linesOf(`${root}/app/users`).map((line) => JSON.parse(line).id)).toEqual([1]);
  });

  test('Parquet states wait for the complete file, then all come out', async () => {
    const root = newDestination();
    const writing = await ws.startWrite(
      { destination_path: root, format: { format_type: 'Parquet' } },
      catalog(),
    );
    writing.send(record(ROWS[0]));
    writing.send(state(1));
    writing.send(record(ROWS[1]));
    writing.send(state(2));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect([writing.stdout, filesIn(`${root}/app/users`)]).toEqual([
      '',
      [expect.stringMatching(/^\..*\.tmp$/)],
    ]);
    writing.stdin.end();
    const run = await writing.done;
    expect(statesOf(run).map((s) => (s.stream as JsonObject).stream_state)).toEqual([{ n: 1 }, { n: 2 }]);
    expect(filesIn(`${root}/app/users`)).toEqual([expect.stringMatching(/^\d{8}T\d{9}Z_0\.parquet$/)]);
  });
});
