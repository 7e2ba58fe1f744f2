import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runDestination } from '../../../src/cdk/run.js';
import { postgresDestination } from '../../../src/connectors/postgres/destination.js';
import { javaHashCode } from '../../../src/connectors/sql/identifiers.js';
import { builtInConnector, runBuiltIn } from '../../../src/connectors/registry.js';
import type { ConnectorIo } from '../../../src/cdk/run.js';
import type { AirbyteMessage, ConfiguredAirbyteCatalog, JsonObject } from '../../../src/protocol/messages.js';
import { ensureCliBuilt, runCli } from '../../support/cli.js';
import {
  Files,
  SKIP_POSTGRES,
  type TestPostgres,
  complete,
  configured,
  ended,
  writeThroughCli,
  createTestPostgres,
  parseMessages,
  record,
  runConnector,
  statesOf,
  stream,
  streamState,
  suiteTitle,
} from './sql-helpers.js';

const connector = builtInConnector('destination-postgres')!;
const run = (argv: readonly string[], io?: ConnectorIo) => runBuiltIn(connector, argv, io);

/** Airbyte's four columns, NOT NULL, then the stream's */
const DIRECT_LOAD_COLUMNS = (data: string[]) => [
  '_airbyte_raw_id:character varying not null',
  '_airbyte_extracted_at:timestamp with time zone not null',
  '_airbyte_meta:jsonb not null',
  '_airbyte_generation_id:bigint not null',
  ...data,
];

const users = stream('users', {
  id: { type: 'integer' },
  name: { type: ['null', 'string'] },
  updated: { type: 'string', format: 'date-time', airbyte_type: 'timestamp_with_timezone' },
});

describe.skipIf(SKIP_POSTGRES)(suiteTitle('destination-postgres', SKIP_POSTGRES), () => {
  let db: TestPostgres;
  const files = new Files();
  let counter = 0;

  beforeAll(async () => {
    await ensureCliBuilt();
    db = await createTestPostgres();
    await db.client.query(`CREATE TABLE public.canary (id int); INSERT INTO public.canary VALUES (1)`);
  });

  afterAll(async () => {
    await db?.drop();
    await files.remove();
  });

  const write = async (
    catalog: ConfiguredAirbyteCatalog,
    input: (AirbyteMessage | string)[],
    { config = {}, batchChars }: { config?: JsonObject; batchChars?: number } = {},
  ) => {
    const n = ++counter;
    const argv = [
      'write',
      '--config',
      await files.file(`config-${n}.json`, db.config(config)),
      '--catalog',
      await files.file(`catalog-${n}.json`, catalog),
    ];
    const runner =
      batchChars === undefined
        ? run
        : (a: readonly string[], io = {}) => runDestination(postgresDestination({ batchChars }), a, io);
    return runConnector(runner, argv, ended(catalog, input));
  };

  const rows = async (sql: string) => (await db.client.query(sql)).rows as JsonObject[];
  /** name:type and NOT NULL of each column, in the table's order */
  const columnsOf = async (schema: string, table: string) =>
    (
      await db.client.query<{ c: string }>(
        `SELECT column_name || ':' || data_type || CASE WHEN is_nullable = 'NO' THEN ' not null' ELSE '' END AS c
           FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,
        [schema, table],
      )
    ).rows.map((r) => r.c);
  /** each index of the table with its columns, by name */
  const indexesOf = async (schema: string, table: string) =>
    (
      await db.client.query<{ i: string }>(
        `SELECT indexname || ' (' || substring(indexdef from '[(](.*)[)]$') || ')' AS i FROM pg_indexes
          WHERE schemaname = $1 AND tablename = $2 ORDER BY indexname`,
        [schema, table],
      )
    ).rows.map((r) => r.i);

  test('spec offers the three modes and marks password and certificates secret', async () => {
    const { messages } = await runConnector(run, ['spec']);
    const spec = messages[0].type === 'SPEC' ? messages[0].spec : undefined;
    expect(spec?.supported_destination_sync_modes).toEqual(['overwrite', 'append', 'append_dedup']);
    const properties = spec!.connectionSpecification.properties as Record<string, JsonObject>;
    expect(properties.password.airbyte_secret).toBe(true);
    const verifyFull = (properties.ssl_mode.oneOf as JsonObject[]).find(
      (o) => (o.properties as JsonObject & { mode: JsonObject }).mode.const === 'verify-full',
    )!;
    expect((verifyFull.properties as Record<string, JsonObject>).client_key.airbyte_secret).toBe(true);
  });

  test('check with an empty password succeeds against trust authentication', async () => {
    const { messages } = await runConnector(run, [
      'check',
      '--config',
      await files.file('check.json', db.config({ password: '' })),
    ]);
    expect(messages).toEqual([{ type: 'CONNECTION_STATUS', connectionStatus: { status: 'SUCCEEDED' } }]);
  });

  test('check of a host that does not resolve fails naming the host', async () => {
    const config = db.config({ host: 'no-such-host.invalid' });
    const { messages } = await runConnector(run, [
      'check',
      '--config',
      await files.file('bad-host.json', config),
    ]);
    expect(messages[0]).toMatchObject({
      connectionStatus: {
        status: 'FAILED',
        message: expect.stringMatching(/^could not connect to PostgreSQL at no-such-host\.invalid:/),
      },
    });
  });

  test('check of a wrongly typed schema names the field, through the sluice process', async () => {
    const config = await files.file('bad-field.json', db.config({ schema: 5 }));
    const { code, stdout } = await runCli(['connector', 'destination-postgres', 'check', '--config', config]);
    expect([code, parseMessages(stdout)]).toEqual([
      0,
      [
        {
          type: 'CONNECTION_STATUS',
          connectionStatus: {
            status: 'FAILED',
            message: 'invalid configuration: config.schema: must be string',
          },
        },
      ],
    ]);
  });

  test("overwrite twice leaves each row once, in typed columns after Airbyte's four, with Airbyte's indexes", async () => {
    const catalog = {
      streams: [
        {
          ...configured(stream('ow', users.json_schema.properties as JsonObject), 'overwrite'),
          sync_id: 42,
          generation_id: 3,
          minimum_generation_id: 3,
        },
      ],
    };
    const input = [
      record('ow', { id: 1, name: 'a', updated: '2024-01-01T00:00:00Z' }),
      record('ow', { id: 2, name: null, updated: '2024-01-02T00:00:00+02:00' }),
      streamState('ow', { n: 1 }),
      complete('ow'),
    ];
    await write(catalog, input);
    const { code, messages } = await write(catalog, input);
    expect(code).toBe(0);
    expect(statesOf(messages)).toEqual([
      {
        type: 'STATE',
        state: { ...streamState('ow', { n: 1 }).state, destinationStats: { recordCount: 2 } },
      },
    ]);
    expect(
      await rows(
        `SELECT id, name, updated::text, _airbyte_extracted_at::text, _airbyte_meta, _airbyte_generation_id ` +
          `FROM public.ow ORDER BY id`,
      ),
    ).toEqual([
      {
        id: '1',
        name: 'a',
        updated: '2024-01-01 00:00:00+00',
        _airbyte_extracted_at: '2023-11-14 22:13:20+00',
        _airbyte_meta: { sync_id: 42, changes: [] },
        _airbyte_generation_id: '3',
      },
      {
        id: '2',
        name: null,
        updated: '2024-01-01 22:00:00+00',
        _airbyte_extracted_at: '2023-11-14 22:13:20+00',
        _airbyte_meta: { sync_id: 42, changes: [] },
        _airbyte_generation_id: '3',
      },
    ]);
    expect(await columnsOf('public', 'ow')).toEqual(
      DIRECT_LOAD_COLUMNS(['id:bigint', 'name:character varying', 'updated:timestamp with time zone']),
    );
    expect(await indexesOf('public', 'ow')).toEqual(['idx_extracted_at_ow (_airbyte_extracted_at)']);
  });

  test('overwrite of a stream whose records never come leaves its table empty', async () => {
    const catalog = { streams: [configured(stream('ow_empty', { id: { type: 'integer' } }), 'overwrite')] };
    await write(catalog, [record('ow_empty', { id: 1 }), complete('ow_empty')]);
    const { code } = await write(catalog, [complete('ow_empty')]);
    expect(code).toBe(0);
    expect(await rows('SELECT count(*)::int AS n FROM public.ow_empty')).toEqual([{ n: 0 }]);
  });

  test('an overwrite whose input ends without COMPLETE keeps the old table and fails, as a process', async () => {
    const streams = [configured(stream('ow_eof', { id: { type: 'integer' } }), 'overwrite')];
    const whole = [1, 2, 3].map((id) => record('ow_eof', { id }));
    await writeThroughCli('destination-postgres', files, db.config(), streams, [
      ...whole,
      complete('ow_eof'),
    ]);
    // what an orphaned destination sees when its platform dies: part of the records, then end of input
    const { code, messages } = await writeThroughCli('destination-postgres', files, db.config(), streams, [
      record('ow_eof', { id: 9 }),
      streamState('ow_eof', { n: 1 }),
    ]);
    expect(await rows('SELECT id::int FROM public.ow_eof ORDER BY id')).toEqual([
      { id: 1 },
      { id: 2 },
      { id: 3 },
    ]);
    expect(code).toBe(1);
    expect(messages.find((m) => m.type === 'TRACE')).toMatchObject({
      trace: {
        error: {
          failure_type: 'transient_error',
          message: expect.stringMatching(/without a terminal stream status/),
        },
      },
    });
  });

  test('append twice doubles the rows', async () => {
    const catalog = { streams: [configured(stream('ap', { id: { type: 'integer' } }), 'append')] };
    const input = [record('ap', { id: 1 }), record('ap', { id: 2 })];
    await write(catalog, input);
    await write(catalog, input);
    expect(await rows('SELECT id::int FROM public.ap ORDER BY id')).toEqual([
      { id: 1 },
      { id: 1 },
      { id: 2 },
      { id: 2 },
    ]);
  });

  test('append_dedup keeps the latest row per key: highest cursor, then the later record, and a newer existing row wins', async () => {
    const dd = stream('dd', { id: { type: 'integer' }, v: { type: 'string' }, c: { type: 'integer' } });
    const catalog = {
      streams: [configured(dd, 'append_dedup', { syncMode: 'incremental', cursor: 'c', primaryKey: ['id'] })],
    };
    await write(catalog, [
      record('dd', { id: 1, v: 'old', c: 1 }),
      record('dd', { id: 1, v: 'new', c: 2 }),
      record('dd', { id: 2, v: 'first tie', c: 5 }),
      record('dd', { id: 2, v: 'second tie', c: 5 }),
      record('dd', { id: 3, v: 'newer in table', c: 9 }),
    ]);
    await write(catalog, [
      record('dd', { id: 3, v: 'older arrival', c: 4 }),
      record('dd', { id: 1, v: 'same cursor later', c: 2 }),
      record('dd', { id: 4, v: 'fresh', c: 0 }),
    ]);
    expect(await rows('SELECT id::int, v, c::int FROM public.dd ORDER BY id')).toEqual([
      { id: 1, v: 'same cursor later', c: 2 },
      { id: 2, v: 'second tie', c: 5 },
      { id: 3, v: 'newer in table', c: 9 },
      { id: 4, v: 'fresh', c: 0 },
    ]);
  });

  test('a value the column cannot hold becomes NULL and _airbyte_meta says why', async () => {
    const catalog = {
      streams: [
        configured(
          stream('typed', { n: { type: 'integer' }, d: { type: 'string', format: 'date' } }),
          'append',
        ),
      ],
    };
    await write(catalog, [record('typed', { n: 'twelve', d: '2024-13-01' })]);
    expect(await rows('SELECT n, d, _airbyte_meta FROM public.typed')).toEqual([
      {
        n: null,
        d: null,
        _airbyte_meta: {
          sync_id: 0,
          changes: [
            { field: 'n', change: 'NULLED', reason: 'DESTINATION_TYPECAST_ERROR' },
            { field: 'd', change: 'NULLED', reason: 'DESTINATION_TYPECAST_ERROR' },
          ],
        },
      },
    ]);
  });

  test('a record field outside the schema is reported once, not stored', async () => {
    const catalog = { streams: [configured(stream('extra', { id: { type: 'integer' } }), 'append')] };
    const { messages } = await write(catalog, [
      record('extra', { id: 1, surprise: 1 }),
      record('extra', { id: 2, surprise: 2 }),
    ]);
    expect(messages.filter((m) => m.type === 'LOG')).toEqual([
      {
        type: 'LOG',
        log: {
          level: 'WARN',
          message: `stream "extra": field "surprise" is not in the stream's json_schema; it is not stored`,
        },
      },
    ]);
  });

  test('a failing write emits no state for records not yet committed, and commits none of them', async () => {
    const catalog = { streams: [configured(stream('fail', { id: { type: 'integer' } }), 'append')] };
    const { code, messages } = await write(catalog, [
      record('fail', { id: 1 }),
      record('fail', { id: 2 }),
      streamState('fail', { at: 2 }),
      record('fail', { id: 3 }),
      record('elsewhere', { id: 4 }),
    ]);
    expect(code).toBe(1);
    expect(statesOf(messages)).toEqual([]);
    expect(messages.at(-1)).toMatchObject({
      trace: {
        error: {
          message: expect.stringContaining(
            'a record of stream "elsewhere", which the configured catalog does not have',
          ),
        },
      },
    });
    expect(await rows('SELECT count(*)::int AS n FROM public.fail')).toEqual([{ n: 0 }]);
  });

  test('a state is emitted once the records before it are committed; a batch no state covers never commits', async () => {
    // incremental: a full refresh appended that cannot resume commits nothing before COMPLETE
    const batches = configured(stream('batches', { id: { type: 'integer' } }), 'append', {
      syncMode: 'incremental',
      cursor: 'id',
    });
    const { code, messages } = await write(
      { streams: [batches] },
      [
        record('batches', { id: 1 }),
        record('batches', { id: 2 }),
        streamState('batches', { at: 2 }),
        record('batches', { id: 3 }),
        record('nowhere', {}),
      ],
      { batchChars: 1 },
    );
    expect(code).toBe(1);
    expect(statesOf(messages).map((s) => s.state.destinationStats)).toEqual([{ recordCount: 2 }]);
    // 3 was loaded in a batch of its own, in a transaction that no state closed
    expect(await rows('SELECT id::int FROM public.batches ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }]);
  });

  test('committed-state answers the last state each table committed in the sync, and COMPLETE for a stream committed whole; nothing for another sync', async () => {
    const ofSync = (syncId: number): ConfiguredAirbyteCatalog => ({
      streams: [
        {
          ...configured(stream('ledger', { id: { type: 'integer' } }), 'append', {
            syncMode: 'incremental',
            cursor: 'id',
          }),
          sync_id: syncId,
        },
        { ...configured(stream('whole', { id: { type: 'integer' } }), 'append'), sync_id: syncId },
      ],
    });
    const cut = complete('ledger');
    if (cut.type === 'TRACE') cut.trace.stream_status!.status = 'INCOMPLETE';
    await write(ofSync(41), [
      record('ledger', { id: 1 }),
      streamState('ledger', { at: 1 }),
      record('ledger', { id: 2 }),
      record('whole', { id: 1 }),
      cut,
    ]);
    expect(await rows('SELECT id::int FROM public.ledger')).toEqual([{ id: 1 }]);
    const committed = async (catalog: ConfiguredAirbyteCatalog) => {
      const argv = [
        'committed-state',
        '--config',
        await files.file(`committed-config-${catalog.streams[0].sync_id}.json`, db.config()),
        '--catalog',
        await files.file(`committed-catalog-${catalog.streams[0].sync_id}.json`, catalog),
      ];
      return (await runConnector(run, argv)).messages;
    };
    const answer = await committed(ofSync(41));
    expect(statesOf(answer).map((s) => s.state.stream?.stream_state)).toEqual([{ at: 1 }]);
    expect(
      answer.flatMap((m) => (m.type === 'TRACE' ? [m.trace.stream_status?.stream_descriptor.name] : [])),
    ).toEqual(['whole']);
    expect(await committed(ofSync(42))).toEqual([]);
  });

  test('a later sync with new fields adds their columns', async () => {
    const v1 = stream('evolve', { id: { type: 'integer' } });
    const v2 = stream('evolve', { id: { type: 'integer' }, extra: { type: 'boolean' } });
    await write({ streams: [configured(v1, 'append')] }, [record('evolve', { id: 1 })]);
    const { messages } = await write({ streams: [configured(v2, 'append')] }, [
      record('evolve', { id: 2, extra: true }),
    ]);
    expect(messages).toContainEqual({
      type: 'LOG',
      log: { level: 'INFO', message: 'stream "evolve": added column "extra"' },
    });
    expect(await rows('SELECT id::int, extra FROM public.evolve ORDER BY id')).toEqual([
      { id: 1, extra: null },
      { id: 2, extra: true },
    ]);
  });

  test('a namespace is the schema; the configured schema takes the rest; other tables stay untouched', async () => {
    const catalog = {
      streams: [
        configured(stream('ns', { id: { type: 'integer' } }, 'Other Schema'), 'overwrite'),
        configured(stream('ns', { id: { type: 'integer' } }), 'overwrite'),
      ],
    };
    const { code } = await write(
      catalog,
      [
        record('ns', { id: 1 }, 'Other Schema'),
        record('ns', { id: 2 }),
        complete('ns', 'Other Schema'),
        complete('ns'),
      ],
      {
        config: { schema: 'fallback' },
      },
    );
    expect(code).toBe(0);
    // the namespace cleaned as Airbyte cleans it
    expect(await rows('SELECT id::int FROM "Other_Schema".ns')).toEqual([{ id: 1 }]);
    expect(await rows('SELECT id::int FROM fallback.ns')).toEqual([{ id: 2 }]);
    expect(await rows('SELECT id FROM public.canary')).toEqual([{ id: 1 }]);
  });

  test('hostile stream and field names are cleaned as Airbyte cleans them, quoted, and long ones cut distinctly', async () => {
    const long = (end: string) => `long_${'x'.repeat(70)}_${end}`;
    const hostile: [string, string][] = [
      ['with "quotes"', 'with__quotes_'],
      ["it's", 'it_s'],
      ['has  space', 'has_space'],
      ['semi;colon', 'semi_colon'],
      ['select', 'select'],
      ['UPPER', 'UPPER'],
      ['upper', 'upper'],
      ['1leading', '_1leading'],
      ['da-sh', 'da_sh'],
      ['da_sh', 'da_sh_1'],
      ['do.t', 'do_t'],
      ['ünïcødé ✓', 'unic_de__'],
      ["col'); DROP TABLE canary; --", 'col____DROP_TABLE_canary____'],
      [long('a'), `long_${'x'.repeat(49)}_${String(javaHashCode(long('a'))).slice(-8)}`],
      [long('b'), `long_${'x'.repeat(49)}_${String(javaHashCode(long('b'))).slice(-8)}`],
    ];
    const properties = Object.fromEntries(hostile.map(([name]) => [name, { type: 'string' }]));
    const name = `"; DROP TABLE public.canary; -- ${'é'.repeat(40)}`;
    const catalog = { streams: [configured(stream(name, properties), 'append')] };
    const data = Object.fromEntries(hostile.map(([h]) => [h, `value of ${h}`]));
    const { code } = await write(catalog, [record(name, data)]);
    expect(code).toBe(0);
    const cleaned = `___DROP_TABLE_public_canary_____${'e'.repeat(40)}`;
    const table = `${cleaned.slice(0, 54)}_${String(javaHashCode(cleaned)).slice(-8)}`;
    const columns = (await columnsOf('public', table)).map((c) => c.split(':')[0]);
    expect(columns.slice(4)).toEqual(hostile.map(([, column]) => column));
    const [stored] = await rows(`SELECT * FROM public.${db.client.escapeIdentifier(table)}`);
    for (const [field, column] of hostile) expect(stored[column]).toBe(`value of ${field}`);
    expect(await rows('SELECT id FROM public.canary')).toEqual([{ id: 1 }]);
  });

  test("a table an earlier Sluice wrote is migrated in place to Airbyte's layout, its rows kept", async () => {
    await db.client.query(`
      CREATE TABLE public.old_layout (id bigint, name text, updated timestamptz,
        _airbyte_raw_id uuid, _airbyte_extracted_at timestamptz, _airbyte_meta jsonb);
      CREATE INDEX old_layout_sluice_pk ON public.old_layout (id);
      INSERT INTO public.old_layout VALUES
        (1, 'old', '2024-01-01Z', '6f1c8a62-3a43-4d5e-9a8e-1f2b3c4d5e6f', '2024-01-01Z', '{"changes":[]}'),
        (2, 'kept', '2024-01-01Z', NULL, NULL, NULL);`);
    const catalog = {
      streams: [
        {
          ...configured(stream('old_layout', users.json_schema.properties as JsonObject), 'append_dedup', {
            syncMode: 'incremental',
            cursor: 'updated',
            primaryKey: ['id'],
          }),
          sync_id: 9,
          generation_id: 1,
        },
      ],
    };
    const { code } = await write(catalog, [
      record('old_layout', { id: 1, name: 'new', updated: '2024-02-01T00:00:00Z' }),
    ]);
    expect(code).toBe(0);
    expect(await columnsOf('public', 'old_layout')).toEqual([
      'id:bigint',
      'name:text',
      'updated:timestamp with time zone',
      '_airbyte_raw_id:character varying not null',
      '_airbyte_extracted_at:timestamp with time zone not null',
      '_airbyte_meta:jsonb not null',
      '_airbyte_generation_id:bigint not null',
    ]);
    expect(
      await rows(
        `SELECT id::int, name, _airbyte_raw_id, _airbyte_meta, _airbyte_generation_id::int AS generation
           FROM public.old_layout ORDER BY id`,
      ),
    ).toEqual([
      {
        id: 1,
        name: 'new',
        _airbyte_raw_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        _airbyte_meta: { sync_id: 9, changes: [] },
        generation: 1,
      },
      {
        id: 2,
        name: 'kept',
        _airbyte_raw_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        _airbyte_meta: { changes: [] },
        generation: 0,
      },
    ]);
    expect(await indexesOf('public', 'old_layout')).toEqual([
      'idx_cursor_old_layout (updated)',
      'idx_extracted_at_old_layout (_airbyte_extracted_at)',
      'idx_pk_old_layout (id)',
    ]);
    // a second sync finds nothing left to change
    const again = await write(catalog, [
      record('old_layout', { id: 3, name: 'x', updated: '2024-02-01T00:00:00Z' }),
    ]);
    expect(again.messages.some((m) => m.type === 'LOG' && m.log.message.includes("Airbyte's layout"))).toBe(
      false,
    );
  });

  test('data read from its JSON text is stored as the same data parsed is', async () => {
    const properties = {
      id: { type: 'integer' },
      n: { type: 'number' },
      s: { type: ['null', 'string'] },
      b: { type: 'boolean' },
      at: { type: 'string', format: 'date-time' },
      j: {},
      o: { type: 'object' },
    };
    const catalog = {
      streams: ['as_text', 'as_object'].map((name) => configured(stream(name, properties), 'append')),
    };
    const data = [
      '{"id":1,"n":2.5,"s":"tab\\there \\"quoted\\" \\u00e9\\u0000","b":true,"at":"2024-02-29T23:59:59.123456+05:30","j":{"x": [1, "y", null]},"o":[]}',
      '{"o":{"deep":{"a":[{}]}},"j":"a string","s":[1,{"k":true}],"id":-0,"n":1e21,"at":"2024-01-01 00:00","b":false}',
      '{"id":"12","n":"7","s":5,"b":"yes","at":"not a time","j":null,"o":3,"extra":1,"s":"the last one"}',
      '{"\\u0069d":3,"n":-1.5e-7}',
    ];
    // the same data in two spellings: as a source writes it (data last), read from its text, and with
    // data first, which the cdk parses
    const lines = data.flatMap((json) => [
      `{"type":"RECORD","record":{"stream":"as_text","emitted_at":1700000000000,"data":${json}}}`,
      `{"type":"RECORD","record":{"data":${json},"stream":"as_object","emitted_at":1700000000000}}`,
    ]);
    const { code, messages } = await runConnector(
      run,
      [
        'write',
        '--config',
        await files.file('text-config.json', db.config()),
        '--catalog',
        await files.file('text-catalog.json', catalog),
      ],
      ended(catalog, lines),
    );
    expect(code).toBe(0);
    const table = (name: string) =>
      rows(`SELECT id, n::text, s, b, at::text, j, o, _airbyte_meta FROM public.${name} ORDER BY id`);
    const asText = await table('as_text');
    expect(asText).toEqual(await table('as_object'));
    expect(asText).toHaveLength(4);
    expect(messages.filter((m) => m.type === 'LOG').map((m) => m.type === 'LOG' && m.log.message)).toEqual([
      expect.stringContaining('field "extra"'),
      expect.stringContaining('field "extra"'),
    ]);
  });

  test('numbers read from JSON text keep every digit', async () => {
    const catalog = {
      streams: [configured(stream('digits', { i: { type: 'integer' }, n: { type: 'number' } }), 'append')],
    };
    await write(catalog, [
      record('digits', { i: 1, n: 1 }),
      `{"type":"RECORD","record":{"stream":"digits","emitted_at":1,"data":{"i":9007199254740993,"n":12345678901234567890.123456789}}}`,
    ]);
    expect(await rows('SELECT i::text, n::text FROM public.digits WHERE i > 1')).toEqual([
      { i: '9007199254740993', n: '12345678901234567890.123456789' },
    ]);
  });

  test('a record whose data is not JSON fails the write, naming its stream', async () => {
    const catalog = { streams: [configured(stream('broken', { id: { type: 'integer' } }), 'append')] };
    const { code, messages } = await write(catalog, [
      `{"type":"RECORD","record":{"stream":"broken","emitted_at":1,"data":{"id":1,}}}`,
    ]);
    expect(code).toBe(1);
    expect(messages.at(-1)).toMatchObject({
      type: 'TRACE',
      trace: {
        error: { message: expect.stringMatching(/^a record of stream "broken" whose data is not JSON/) },
      },
    });
  });

  test('write runs as a process through sluice connector destination-postgres', async () => {
    const { code, messages } = await writeThroughCli(
      'destination-postgres',
      files,
      db.config(),
      [configured(stream('proc', { id: { type: 'integer' } }), 'append')],
      [
        record('proc', { id: 1 }),
        record('proc', { id: 2 }),
        streamState('proc', { done: true }),
        complete('proc'),
      ],
    );
    expect(code).toBe(0);
    expect(statesOf(messages).map((s) => s.state.stream?.stream_state)).toEqual([{ done: true }]);
    expect(await rows('SELECT id::int FROM public.proc ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }]);
  });
});
