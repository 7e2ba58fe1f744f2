import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { builtInConnector, runBuiltIn } from '../../../src/connectors/registry.js';
import type { ConnectorIo } from '../../../src/cdk/run.js';
import { postgresSource } from '../../../src/connectors/postgres/source.js';
import type { AirbyteStream, JsonObject } from '../../../src/protocol/messages.js';
import { runCli } from '../../support/cli.js';
import {
  Files,
  SKIP_POSTGRES,
  type TestPostgres,
  configured,
  discoverStreams,
  readStreams,
  createTestPostgres,
  parseMessages,
  recordsOf,
  runConnector,
  statesOf,
  suiteTitle,
} from './sql-helpers.js';

const connector = builtInConnector('source-postgres')!;
const run = (argv: readonly string[], io?: ConnectorIo) => runBuiltIn(connector, argv, io);

describe.skipIf(SKIP_POSTGRES)(suiteTitle('source-postgres', SKIP_POSTGRES), () => {
  let db: TestPostgres;
  const files = new Files();

  beforeAll(async () => {
    db = await createTestPostgres();
    await db.client.query(`
      CREATE SCHEMA shop;
      CREATE TYPE shop.mood AS ENUM ('happy', 'sad');
      CREATE TABLE shop.kinds (
        id bigint PRIMARY KEY, small smallint NOT NULL, big bigint, price numeric(10, 2), exact numeric,
        ratio double precision, flag boolean, label text, code varchar(8), day date, at_time time,
        at_timetz timetz, stamp timestamp, stamptz timestamptz, doc jsonb, raw json, tags text[],
        counts int[], blob bytea, uid uuid, mood shop.mood, span interval);
      INSERT INTO shop.kinds VALUES
        (1, 2, 9007199254740993, 12.34, 123456789012345678901234.5, 1.5, true, 'a "quoted"\ttab', 'c',
         '2024-02-29', '12:34:56.789', '12:00:00+02', '2024-01-01 10:00:00.123456', '2024-01-01 10:00:00+02',
         '{"a": [1, 2], "b": {"c": null}}', E'{\\n "multi": "line"\\n}', '{x,y}', '{1,2}', '\\xdeadbeef',
         'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'happy', '1 day'),
        (2, 3, 42, NULL, 0.1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
         NULL, NULL, NULL, NULL);
      CREATE TABLE shop.composite_key (a int, b text, PRIMARY KEY (b, a));
      CREATE VIEW shop.cheap AS SELECT id, price FROM shop.kinds WHERE price < 100;
      CREATE TABLE public.events (id serial PRIMARY KEY, day date NOT NULL, note text);
      INSERT INTO public.events (day, note)
        SELECT DATE '2024-01-01' + (i / 1000), 'n' || i FROM generate_series(0, 9999) i;
      CREATE TABLE public.many AS SELECT i AS id, md5(i::text) AS v FROM generate_series(1, 200000) i;
    `);
  });

  afterAll(async () => {
    await db?.drop();
    await files.remove();
  });

  const discover = (extra: JsonObject = {}): Promise<AirbyteStream[]> =>
    discoverStreams(run, files, db.config(extra));

  const read = (streams: ReturnType<typeof configured>[], state?: unknown, checkpointRows?: number) =>
    readStreams(postgresSource({ checkpointRows }), files, db.config(), streams, state);

  test('spec names the Airbyte fields and marks the password secret', async () => {
    const { messages } = await runConnector(run, ['spec']);
    const spec = messages[0].type === 'SPEC' ? messages[0].spec.connectionSpecification : {};
    const properties = spec.properties as Record<string, JsonObject>;
    expect(Object.keys(properties).sort()).toEqual(
      ['database', 'host', 'password', 'port', 'schemas', 'ssl_mode', 'username'].sort(),
    );
    expect(properties.password.airbyte_secret).toBe(true);
  });

  test('check of a good config succeeds', async () => {
    const { messages } = await runConnector(run, [
      'check',
      '--config',
      await files.file('c.json', db.config()),
    ]);
    expect(messages).toEqual([{ type: 'CONNECTION_STATUS', connectionStatus: { status: 'SUCCEEDED' } }]);
  });

  test('check against a port nobody listens on fails saying it could not connect', async () => {
    const config = db.config({ port: 1 });
    const { code, messages } = await runConnector(run, [
      'check',
      '--config',
      await files.file('c1.json', config),
    ]);
    expect(code).toBe(0);
    expect(messages[0]).toMatchObject({
      connectionStatus: {
        status: 'FAILED',
        message: expect.stringMatching(/could not connect to PostgreSQL at .*:1 .*ECONNREFUSED/),
      },
    });
  });

  test('check of a wrongly typed field names it', async () => {
    const config = db.config({ port: 'five' });
    const { messages } = await runConnector(run, ['check', '--config', await files.file('c2.json', config)]);
    expect(messages[0]).toMatchObject({
      connectionStatus: { status: 'FAILED', message: 'invalid configuration: config.port: must be integer' },
    });
  });

  test('check of a schema that does not exist names it', async () => {
    const config = db.config({ schemas: ['nope'] });
    const { messages } = await runConnector(run, ['check', '--config', await files.file('c3.json', config)]);
    expect(messages[0]).toMatchObject({
      connectionStatus: { status: 'FAILED', message: 'config.schemas: no schema "nope"' },
    });
  });

  test('ssl_mode require fails clearly against a server without SSL, prefer falls back', async () => {
    const check = async (mode: string) => {
      const file = await files.file(`ssl-${mode}.json`, db.config({ ssl_mode: { mode } }));
      return (await runConnector(run, ['check', '--config', file])).messages[0];
    };
    expect(await check('require')).toMatchObject({
      connectionStatus: {
        status: 'FAILED',
        message: expect.stringMatching(/ssl_mode require.*does not support SSL/),
      },
    });
    expect(await check('prefer')).toMatchObject({ connectionStatus: { status: 'SUCCEEDED' } });
  });

  test('discover maps column types to JSON schema and names the namespace', async () => {
    const kinds = (await discover({ schemas: ['shop'] })).find((s) => s.name === 'kinds')!;
    expect(kinds.namespace).toBe('shop');
    expect(kinds.json_schema.properties).toEqual({
      id: { type: 'integer' },
      small: { type: 'integer' },
      big: { type: ['null', 'integer'] },
      price: { type: ['null', 'number'] },
      exact: { type: ['null', 'number'] },
      ratio: { type: ['null', 'number'] },
      flag: { type: ['null', 'boolean'] },
      label: { type: ['null', 'string'] },
      code: { type: ['null', 'string'] },
      day: { type: ['null', 'string'], format: 'date' },
      at_time: { type: ['null', 'string'], format: 'time', airbyte_type: 'time_without_timezone' },
      at_timetz: { type: ['null', 'string'], format: 'time', airbyte_type: 'time_with_timezone' },
      stamp: { type: ['null', 'string'], format: 'date-time', airbyte_type: 'timestamp_without_timezone' },
      stamptz: { type: ['null', 'string'], format: 'date-time', airbyte_type: 'timestamp_with_timezone' },
      doc: {},
      raw: {},
      tags: { type: ['null', 'array'], items: { type: 'string' } },
      counts: { type: ['null', 'array'], items: { type: 'integer' } },
      blob: { type: ['null', 'string'], contentEncoding: 'base64' },
      uid: { type: ['null', 'string'] },
      mood: { type: ['null', 'string'] },
      span: { type: ['null', 'string'] },
    });
    expect(kinds).toMatchObject({
      supported_sync_modes: ['full_refresh', 'incremental'],
      source_defined_cursor: false,
      default_cursor_field: [],
      source_defined_primary_key: [['id']],
    });
  });

  test('discover finds views and composite primary keys in key order', async () => {
    const streams = await discover({ schemas: ['shop'] });
    expect(streams.map((s) => s.name).sort()).toEqual(['cheap', 'composite_key', 'kinds']);
    expect(streams.find((s) => s.name === 'composite_key')!.source_defined_primary_key).toEqual([
      ['b'],
      ['a'],
    ]);
    expect(streams.find((s) => s.name === 'cheap')!.source_defined_primary_key).toEqual([]);
  });

  test('discover without schemas covers every non-system schema', async () => {
    const names = (await discover()).map((s) => `${s.namespace}.${s.name}`);
    expect(names).toEqual(expect.arrayContaining(['shop.kinds', 'public.events', 'public.many']));
    expect(names.some((n) => n.startsWith('pg_catalog.') || n.startsWith('information_schema.'))).toBe(false);
  });

  test('full refresh emits values exactly: big numbers as strings, bytea as base64, json as JSON', async () => {
    const kinds = (await discover({ schemas: ['shop'] })).find((s) => s.name === 'kinds')!;
    const { code, messages, text } = await read([configured(kinds, 'overwrite')]);
    expect(code).toBe(0);
    expect(text.split('\n').filter(Boolean)).toHaveLength(3);
    expect(recordsOf(messages)).toEqual([
      {
        id: 1,
        small: 2,
        big: '9007199254740993',
        price: 12.34,
        exact: '123456789012345678901234.5',
        ratio: 1.5,
        flag: true,
        label: 'a "quoted"\ttab',
        code: 'c',
        day: '2024-02-29',
        at_time: '12:34:56.789',
        at_timetz: '12:00:00+02',
        stamp: '2024-01-01T10:00:00.123456',
        stamptz: '2024-01-01T08:00:00+00:00',
        doc: { a: [1, 2], b: { c: null } },
        raw: { multi: 'line' },
        tags: ['x', 'y'],
        counts: [1, 2],
        blob: '3q2+7w==',
        uid: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
        mood: 'happy',
        span: 'P1D',
      },
      expect.objectContaining({ id: 2, big: 42, exact: 0.1, price: null, doc: null }),
    ]);
    expect(messages[0]).toMatchObject({ type: 'RECORD', record: { namespace: 'shop', stream: 'kinds' } });
  });

  test('full refresh streams 200,000 rows with one final state', async () => {
    const many = (await discover({ schemas: ['public'] })).find((s) => s.name === 'many')!;
    const { code, messages } = await read([configured(many, 'overwrite')]);
    const records = recordsOf(messages);
    expect(code).toBe(0);
    expect(records).toHaveLength(200_000);
    expect(records[199_999]).toEqual({ id: 200_000, v: expect.any(String) });
    expect(statesOf(messages)).toHaveLength(1);
  });

  test('incremental checkpoints only where the cursor changes and resumes after the last value', async () => {
    const events = (await discover({ schemas: ['public'] })).find((s) => s.name === 'events')!;
    const stream = configured(events, 'append', { syncMode: 'incremental', cursor: 'day' });
    // 1,000 rows share each day; a checkpoint every 1,500 rows lands on a change of day
    const first = await read([stream], undefined, 1500);
    const states = statesOf(first.messages).map((s) => s.state.stream!.stream_state);
    expect(recordsOf(first.messages)).toHaveLength(10_000);
    expect(states.map((s) => [s!.cursor, s!.cursor_record_count])).toEqual([
      ['2024-01-02', 1000],
      ['2024-01-04', 1000],
      ['2024-01-06', 1000],
      ['2024-01-08', 1000],
      ['2024-01-10', 1000],
    ]);
    // resume from the middle checkpoint: the rows of 2024-01-04 are not read again
    const resumed = await read([stream], [statesOf(first.messages)[1].state]);
    const days = recordsOf(resumed.messages).map((r) => r.day);
    expect(days).toHaveLength(6000);
    expect(days[0]).toBe('2024-01-05');
  });

  test('incremental re-reads the checkpointed value when rows with it were added since', async () => {
    const events = (await discover({ schemas: ['public'] })).find((s) => s.name === 'events')!;
    const stream = configured(events, 'append', { syncMode: 'incremental', cursor: 'day' });
    const first = await read([stream]);
    const last = statesOf(first.messages).at(-1)!.state;
    expect(last.stream!.stream_state).toMatchObject({ cursor: '2024-01-10', cursor_record_count: 1000 });

    const unchanged = await read([stream], [last]);
    expect(recordsOf(unchanged.messages)).toHaveLength(0);
    expect(statesOf(unchanged.messages)[0].state.stream!.stream_state).toEqual(last.stream!.stream_state);

    await db.client.query(
      `INSERT INTO public.events (day, note) VALUES ('2024-01-10', 'late'), ('2024-01-11', 'new')`,
    );
    const later = await read([stream], [last]);
    const notes = recordsOf(later.messages).map((r) => r.note);
    expect(notes).toHaveLength(1002);
    expect(notes).toEqual(expect.arrayContaining(['late', 'new']));
    expect(statesOf(later.messages).at(-1)!.state.stream!.stream_state).toMatchObject({
      cursor: '2024-01-11',
      cursor_record_count: 1,
    });
    await db.client.query(`DELETE FROM public.events WHERE note IN ('late', 'new')`);
  });

  test('incremental without a cursor field is a config error naming the stream', async () => {
    const events = (await discover({ schemas: ['public'] })).find((s) => s.name === 'events')!;
    const { code, messages } = await read([configured(events, 'append', { syncMode: 'incremental' })]);
    expect(code).toBe(1);
    expect(messages.at(-1)).toMatchObject({
      trace: {
        error: {
          failure_type: 'config_error',
          message: expect.stringContaining('"events": incremental needs cursor_field'),
        },
      },
    });
  });

  test('read runs as a process through sluice connector source-postgres', async () => {
    const composite = (await discover({ schemas: ['shop'] })).find((s) => s.name === 'composite_key')!;
    await db.client.query(`INSERT INTO shop.composite_key VALUES (1, 'x')`);
    const { code, stdout } = await runCli([
      'connector',
      'source-postgres',
      'read',
      '--config',
      await files.file('cli.json', db.config()),
      '--catalog',
      await files.file('cli-catalog.json', { streams: [configured(composite, 'append')] }),
    ]);
    expect(code).toBe(0);
    expect(recordsOf(parseMessages(stdout))).toEqual([{ a: 1, b: 'x' }]);
  });
});
