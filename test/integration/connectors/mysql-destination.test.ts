import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { builtInConnector, runBuiltIn } from '../../../src/connectors/registry.js';
import type { ConnectorIo } from '../../../src/cdk/run.js';
import type { AirbyteMessage, ConfiguredAirbyteCatalog, JsonObject } from '../../../src/protocol/messages.js';
import { ensureCliBuilt, runCli } from '../../support/cli.js';
import { SKIP_MYSQL, type TestMysql, createTestMysql } from '../../support/mysql.js';
import {
  Files,
  complete,
  configured,
  ended,
  writeThroughCli,
  parseMessages,
  record,
  runConnector,
  statesOf,
  stream,
  streamState,
  suiteTitle,
} from './sql-helpers.js';

const connector = builtInConnector('destination-mysql')!;
const run = (argv: readonly string[], io?: ConnectorIo) => runBuiltIn(connector, argv, io);

describe.skipIf(SKIP_MYSQL)(suiteTitle('destination-mysql', SKIP_MYSQL), () => {
  let db: TestMysql;
  const files = new Files();
  let counter = 0;

  beforeAll(async () => {
    await ensureCliBuilt();
    db = await createTestMysql();
    await db.query('CREATE TABLE canary (id INT); INSERT INTO canary VALUES (1)');
  });

  afterAll(async () => {
    await db?.drop();
    await files.remove();
  });

  const write = async (
    catalog: ConfiguredAirbyteCatalog,
    input: AirbyteMessage[],
    config: JsonObject = {},
  ) => {
    const n = ++counter;
    return runConnector(
      run,
      [
        'write',
        '--config',
        await files.file(`config-${n}.json`, db.config(config)),
        '--catalog',
        await files.file(`catalog-${n}.json`, catalog),
      ],
      ended(catalog, input),
    );
  };

  const rows = (sql: string) => db.query<JsonObject[]>(sql);

  test('check of a good config succeeds, through the sluice process', async () => {
    const config = await files.file('check.json', db.config());
    const { code, stdout } = await runCli(['connector', 'destination-mysql', 'check', '--config', config]);
    expect([code, parseMessages(stdout)]).toEqual([
      0,
      [{ type: 'CONNECTION_STATUS', connectionStatus: { status: 'SUCCEEDED' } }],
    ]);
  });

  test('check of a host that does not resolve fails naming the host', async () => {
    const config = await files.file('bad-host.json', db.config({ host: 'no-such-host.invalid' }));
    const { messages } = await runConnector(run, ['check', '--config', config]);
    expect(messages[0]).toMatchObject({
      connectionStatus: {
        status: 'FAILED',
        message: expect.stringMatching(/^could not connect to MySQL at no-such-host\.invalid:/),
      },
    });
  });

  test('check of a wrongly typed field names it', async () => {
    const config = await files.file('bad-field.json', db.config({ ssl: 'yes' }));
    const { messages } = await runConnector(run, ['check', '--config', config]);
    expect(messages[0]).toMatchObject({
      connectionStatus: { status: 'FAILED', message: 'invalid configuration: config.ssl: must be boolean' },
    });
  });

  test('overwrite twice leaves each row once, typed, timestamps in UTC', async () => {
    const ow = stream('ow', {
      id: { type: 'integer' },
      name: { type: ['null', 'string'] },
      at: { type: 'string', format: 'date-time', airbyte_type: 'timestamp_with_timezone' },
      price: { type: 'number' },
      doc: { type: 'object' },
    });
    const input = [
      record('ow', { id: 1, name: 'a', at: '2024-01-01T01:30:00+02:00', price: 1.5e-7, doc: { k: [1] } }),
      record('ow', {
        id: 2,
        name: null,
        at: '2024-01-02T00:00:00.123456Z',
        price: '12345678901234567890.5',
        doc: {},
      }),
      streamState('ow', { n: 1 }),
      complete('ow'),
    ];
    await write({ streams: [configured(ow, 'overwrite')] }, input);
    const { code, messages } = await write({ streams: [configured(ow, 'overwrite')] }, input);
    expect(code).toBe(0);
    expect(statesOf(messages).map((s) => s.state.destinationStats)).toEqual([{ recordCount: 2 }]);
    expect(
      await rows(
        'SELECT id, name, CAST(`at` AS CHAR) AS `at`, CAST(price AS CHAR) AS price, doc, _airbyte_meta FROM ow ORDER BY id',
      ),
    ).toEqual([
      {
        id: '1',
        name: 'a',
        at: '2023-12-31 23:30:00.000000',
        price: '0.000000150000000000000000000000',
        doc: { k: [1] },
        _airbyte_meta: { sync_id: 0, changes: [] },
      },
      {
        id: '2',
        name: null,
        at: '2024-01-02 00:00:00.123456',
        price: '12345678901234567890.500000000000000000000000000000',
        doc: {},
        _airbyte_meta: { sync_id: 0, changes: [] },
      },
    ]);
  });

  test('append twice doubles the rows', async () => {
    const catalog = { streams: [configured(stream('ap', { id: { type: 'integer' } }), 'append')] };
    await write(catalog, [record('ap', { id: 1 })]);
    await write(catalog, [record('ap', { id: 1 })]);
    expect(await rows('SELECT id FROM ap')).toEqual([{ id: '1' }, { id: '1' }]);
  });

  test('append_dedup keeps the latest row per key: highest cursor, then the later record, and a newer existing row wins', async () => {
    const dd = stream('dd', { id: { type: 'string' }, v: { type: 'string' }, c: { type: 'integer' } });
    const catalog = {
      streams: [configured(dd, 'append_dedup', { syncMode: 'incremental', cursor: 'c', primaryKey: ['id'] })],
    };
    await write(catalog, [
      record('dd', { id: 'a', v: 'old', c: 1 }),
      record('dd', { id: 'a', v: 'new', c: 2 }),
      record('dd', { id: 'b', v: 'first tie', c: 5 }),
      record('dd', { id: 'b', v: 'second tie', c: 5 }),
      record('dd', { id: 'c', v: 'newer in table', c: 9 }),
    ]);
    await write(catalog, [
      record('dd', { id: 'c', v: 'older arrival', c: 4 }),
      record('dd', { id: 'a', v: 'same cursor later', c: 2 }),
    ]);
    expect(await rows('SELECT id, v, c FROM dd ORDER BY id')).toEqual([
      { id: 'a', v: 'same cursor later', c: '2' },
      { id: 'b', v: 'second tie', c: '5' },
      { id: 'c', v: 'newer in table', c: '9' },
    ]);
  });

  test('a failing write emits no state for records not yet committed, and commits none of them', async () => {
    const catalog = { streams: [configured(stream('fail', { id: { type: 'integer' } }), 'append')] };
    const { code, messages } = await write(catalog, [
      record('fail', { id: 1 }),
      streamState('fail', {}),
      record('other', {}),
    ]);
    expect(code).toBe(1);
    expect(statesOf(messages)).toEqual([]);
    expect(await rows('SELECT CAST(COUNT(*) AS CHAR) AS n FROM fail')).toEqual([{ n: '0' }]);
  });

  test('a later sync with new fields adds their columns; a bad value is NULLED and recorded', async () => {
    await write({ streams: [configured(stream('evolve', { id: { type: 'integer' } }), 'append')] }, [
      record('evolve', { id: 1 }),
    ]);
    const v2 = stream('evolve', { id: { type: 'integer' }, day: { type: 'string', format: 'date' } });
    await write({ streams: [configured(v2, 'append')] }, [record('evolve', { id: 2, day: 'soon' })]);
    expect(await rows('SELECT id, day, _airbyte_meta FROM evolve ORDER BY id')).toEqual([
      { id: '1', day: null, _airbyte_meta: { sync_id: 0, changes: [] } },
      {
        id: '2',
        day: null,
        _airbyte_meta: {
          sync_id: 0,
          changes: [{ field: 'day', change: 'NULLED', reason: 'DESTINATION_TYPECAST_ERROR' }],
        },
      },
    ]);
  });

  test("hostile names are cleaned and lower-cased as Airbyte's destination-mysql does; twins get _1", async () => {
    const hostile: [string, string][] = [
      ['with `backticks`', 'with__backticks_'],
      ["it's", 'it_s'],
      ['has space', 'has_space'],
      ['semi;colon', 'semi_colon'],
      ['select', 'select'],
      ['ünïcødé', 'unic_de'],
      ["col'); DROP TABLE canary; --", 'col____drop_table_canary____'],
      ['ID', 'id'],
      ['id', 'id_1'],
      ['1st', '1st'],
      [`long_${'x'.repeat(70)}_a`, `long_${'x'.repeat(16)}__${'x'.repeat(19)}_a`],
      [`long_${'x'.repeat(70)}_b`, `long_${'x'.repeat(16)}__${'x'.repeat(19)}_b`],
      ['emoji 😀', 'emoji__'],
    ];
    const properties = Object.fromEntries(hostile.map(([h]) => [h, { type: 'string' }]));
    const name = '`; DROP TABLE canary; --';
    const data = Object.fromEntries(hostile.map(([h]) => [h, `value of ${h}`]));
    const { code } = await write({ streams: [configured(stream(name, properties), 'append')] }, [
      record(name, data),
    ]);
    expect(code).toBe(0);
    const table = '___drop_table_canary____';
    const columns = (
      await rows(
        `SELECT COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '${db.name}' AND TABLE_NAME = '${table}' ORDER BY ORDINAL_POSITION`,
      )
    ).map((r) => r.c as string);
    expect(columns).toEqual([
      ...hostile.map(([, column]) => column),
      '_airbyte_raw_id',
      '_airbyte_extracted_at',
      '_airbyte_meta',
      '_airbyte_generation_id',
    ]);
    const [stored] = await rows(`SELECT * FROM ${table}`);
    for (const [field, column] of hostile) expect(stored[column]).toBe(`value of ${field}`);
    expect(await rows('SELECT id FROM canary')).toEqual([{ id: 1 }]);
  });

  test("a table an earlier Sluice wrote is migrated in place to Airbyte's layout, its rows kept", async () => {
    await db.query(
      'CREATE TABLE old_layout (id BIGINT, v LONGTEXT, _airbyte_raw_id VARCHAR(36), ' +
        '_airbyte_extracted_at DATETIME(6), _airbyte_meta JSON)',
    );
    await db.query('CREATE INDEX `_sluice_pk` ON old_layout (id)');
    await db.query(
      `INSERT INTO old_layout VALUES (1, 'old', 'b6b1c0de-0000-4000-8000-000000000001', '2024-01-01 00:00:00', '{"changes":[]}'),
        (2, 'kept', NULL, NULL, NULL)`,
    );
    const dedup = configured(
      stream('old_layout', { id: { type: 'integer' }, v: { type: 'string' } }),
      'append_dedup',
      {
        syncMode: 'incremental',
        primaryKey: ['id'],
      },
    );
    const { code } = await write({ streams: [{ ...dedup, sync_id: 5, generation_id: 2 }] }, [
      record('old_layout', { id: 1, v: 'new' }),
    ]);
    expect(code).toBe(0);
    expect(
      await rows(
        `SELECT COLUMN_NAME AS c, COLUMN_TYPE AS t, IS_NULLABLE AS n FROM information_schema.COLUMNS
          WHERE TABLE_SCHEMA = '${db.name}' AND TABLE_NAME = 'old_layout' AND COLUMN_NAME LIKE '\\_airbyte%' ORDER BY ORDINAL_POSITION`,
      ),
    ).toEqual([
      { c: '_airbyte_raw_id', t: 'varchar(36)', n: 'NO' },
      { c: '_airbyte_extracted_at', t: 'timestamp(6)', n: 'NO' },
      { c: '_airbyte_meta', t: 'longtext', n: 'NO' },
      { c: '_airbyte_generation_id', t: 'bigint(20)', n: 'NO' },
    ]);
    expect(
      await rows(
        'SELECT id, v, _airbyte_meta, CAST(_airbyte_generation_id AS CHAR) AS g FROM old_layout ORDER BY id',
      ),
    ).toEqual([
      { id: '1', v: 'new', _airbyte_meta: { sync_id: 5, changes: [] }, g: '2' },
      { id: '2', v: 'kept', _airbyte_meta: { changes: [] }, g: '0' },
    ]);
    expect(
      await rows(
        `SELECT DISTINCT INDEX_NAME AS i FROM information_schema.STATISTICS
          WHERE TABLE_SCHEMA = '${db.name}' AND TABLE_NAME = 'old_layout' ORDER BY INDEX_NAME`,
      ),
    ).toEqual([{ i: 'dedup_idx' }, { i: 'extracted_at_idx' }, { i: 'raw_id_idx' }]);
  });

  test('write runs as a process through sluice connector destination-mysql', async () => {
    const { code, messages } = await writeThroughCli(
      'destination-mysql',
      files,
      db.config(),
      [configured(stream('proc', { id: { type: 'integer' } }), 'overwrite')],
      [record('proc', { id: 1 }), streamState('proc', { done: true }), complete('proc')],
    );
    expect(code).toBe(0);
    expect(statesOf(messages).map((s) => s.state.stream?.stream_state)).toEqual([{ done: true }]);
    expect(await rows('SELECT id FROM proc')).toEqual([{ id: '1' }]);
  });
});
