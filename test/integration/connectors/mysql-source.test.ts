import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MessageOutput } from '../../../src/cdk/output.js';
import { readInProcess } from '../../../src/cdk/run.js';
import { mysqlSource } from '../../../src/connectors/mysql/source.js';
import { builtInConnector, runBuiltIn } from '../../../src/connectors/registry.js';
import type { ConnectorIo } from '../../../src/cdk/run.js';
import type { AirbyteStream, JsonObject } from '../../../src/protocol/messages.js';
import { ensureCliBuilt, runCli } from '../../support/cli.js';
import { SKIP_MYSQL, type TestMysql, createTestMysql } from '../../support/mysql.js';
import {
  Files,
  configured,
  discoverStreams,
  readStreams,
  parseMessages,
  recordsOf,
  runConnector,
  statesOf,
  suiteTitle,
} from './sql-helpers.js';

const connector = builtInConnector('source-mysql')!;
const run = (argv: readonly string[], io?: ConnectorIo) => runBuiltIn(connector, argv, io);

describe.skipIf(SKIP_MYSQL)(suiteTitle('source-mysql', SKIP_MYSQL), () => {
  let db: TestMysql;
  const files = new Files();

  beforeAll(async () => {
    await ensureCliBuilt();
    db = await createTestMysql();
    await db.query(`
      CREATE TABLE kinds (
        id BIGINT PRIMARY KEY, small SMALLINT NOT NULL, big BIGINT UNSIGNED, price DECIMAL(10, 2),
        exact DECIMAL(40, 10), ratio DOUBLE, flag TINYINT(1), label TEXT, code VARCHAR(8), day DATE,
        at_time TIME(3), stamp DATETIME(6), stamptz TIMESTAMP(3) NULL, doc JSON, blob_col VARBINARY(16),
        mood ENUM('happy', 'sad'), yr YEAR);
      INSERT INTO kinds VALUES
        (1, 2, 18446744073709551615, 12.34, 123456789012345678901234.5, 1.5, 1, 'a "quoted"\\ttab', 'c',
         '2024-02-29', '12:34:56.789', '2024-01-01 10:00:00.123456', '2024-01-01 08:00:00.5',
         '{\\n"a": [1, 2]}', X'DEADBEEF', 'happy', 2024),
        (2, 3, 42, NULL, 0.1, NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
      CREATE TABLE composite_key (a INT, b VARCHAR(10), PRIMARY KEY (b, a));
      CREATE VIEW cheap AS SELECT id, price FROM kinds WHERE price < 100;
      CREATE TABLE events (id INT AUTO_INCREMENT PRIMARY KEY, day DATE NOT NULL, note TEXT);
      CREATE TABLE digits (i INT);
      INSERT INTO digits VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9);
      INSERT INTO events (day, note)
        SELECT DATE_ADD('2024-01-01', INTERVAL n DIV 500 DAY), CONCAT('n', n)
          FROM (SELECT a.i + 10 * b.i + 100 * c.i + 1000 * d.i AS n FROM digits a, digits b, digits c, digits d) seq
         WHERE n < 3000 ORDER BY n;
      DROP TABLE digits;
    `);
  });

  afterAll(async () => {
    await db?.drop();
    await files.remove();
  });

  const discover = (): Promise<AirbyteStream[]> => discoverStreams(run, files, db.config());

  const read = (streams: ReturnType<typeof configured>[], state?: unknown, checkpointRows?: number) =>
    readStreams(mysqlSource({ checkpointRows }), files, db.config(), streams, state);

  test('check of a good config succeeds, through the sluice process', async () => {
    const { code, stdout } = await runCli([
      'connector',
      'source-mysql',
      'check',
      '--config',
      await files.file('c.json', db.config()),
    ]);
    expect([code, parseMessages(stdout)]).toEqual([
      0,
      [{ type: 'CONNECTION_STATUS', connectionStatus: { status: 'SUCCEEDED' } }],
    ]);
  });

  test('check against a port nobody listens on fails saying it could not connect', async () => {
    const { messages } = await runConnector(run, [
      'check',
      '--config',
      await files.file('c1.json', db.config({ port: 1 })),
    ]);
    expect(messages[0]).toMatchObject({
      connectionStatus: {
        status: 'FAILED',
        message: expect.stringMatching(/^could not connect to MySQL at .*:1 .*ECONNREFUSED/),
      },
    });
  });

  test('check of a wrongly typed field names it', async () => {
    const { messages } = await runConnector(run, [
      'check',
      '--config',
      await files.file('c2.json', db.config({ port: 'five' })),
    ]);
    expect(messages[0]).toMatchObject({
      connectionStatus: { status: 'FAILED', message: 'invalid configuration: config.port: must be integer' },
    });
  });

  test('ssl_mode required fails clearly against a server without SSL, preferred falls back', async () => {
    const check = async (mode: string) => {
      const file = await files.file(`ssl-${mode}.json`, db.config({ ssl_mode: { mode } }));
      return (await runConnector(run, ['check', '--config', file])).messages[0];
    };
    expect(await check('required')).toMatchObject({
      connectionStatus: {
        status: 'FAILED',
        message: expect.stringMatching(/ssl_mode required.*secure connection/),
      },
    });
    expect(await check('preferred')).toMatchObject({ connectionStatus: { status: 'SUCCEEDED' } });
  });

  test('discover maps column types, primary keys in key order, and views', async () => {
    const streams = await discover();
    expect(streams.map((s) => s.name).sort()).toEqual(['cheap', 'composite_key', 'events', 'kinds']);
    const kinds = streams.find((s) => s.name === 'kinds')!;
    expect(kinds.namespace).toBe(db.name);
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
      stamp: { type: ['null', 'string'], format: 'date-time', airbyte_type: 'timestamp_without_timezone' },
      stamptz: { type: ['null', 'string'], format: 'date-time', airbyte_type: 'timestamp_with_timezone' },
      doc: {},
      blob_col: { type: ['null', 'string'], contentEncoding: 'base64' },
      mood: { type: ['null', 'string'] },
      yr: { type: ['null', 'integer'] },
    });
    expect(kinds.source_defined_primary_key).toEqual([['id']]);
    expect(streams.find((s) => s.name === 'composite_key')!.source_defined_primary_key).toEqual([
      ['b'],
      ['a'],
    ]);
    expect(streams.find((s) => s.name === 'cheap')!.source_defined_primary_key).toEqual([]);
  });

  test('full refresh emits values exactly: big numbers as strings, binary as base64, JSON as JSON', async () => {
    const kinds = (await discover()).find((s) => s.name === 'kinds')!;
    const { code, messages, text } = await read([configured(kinds, 'overwrite')]);
    expect(code).toBe(0);
    expect(text.split('\n').filter(Boolean)).toHaveLength(3);
    expect(recordsOf(messages)).toEqual([
      {
        id: 1,
        small: 2,
        big: '18446744073709551615',
        price: 12.34,
        exact: '123456789012345678901234.5000000000',
        ratio: 1.5,
        flag: true,
        label: 'a "quoted"\ttab',
        code: 'c',
        day: '2024-02-29',
        at_time: '12:34:56.789',
        stamp: '2024-01-01T10:00:00.123456',
        stamptz: '2024-01-01T08:00:00.500000Z',
        doc: { a: [1, 2] },
        blob_col: '3q2+7w==',
        mood: 'happy',
        yr: 2024,
      },
      expect.objectContaining({ id: 2, big: 42, exact: 0.1, flag: false, price: null, doc: null }),
    ]);
  });

  test('incremental resumes after the checkpointed value, and re-reads it when rows with it were added', async () => {
    const events = (await discover()).find((s) => s.name === 'events')!;
    const stream = configured(events, 'append', { syncMode: 'incremental', cursor: 'day' });
    const first = await read([stream], undefined, 700);
    const states = statesOf(first.messages).map((s) => s.state.stream!.stream_state as JsonObject);
    expect(recordsOf(first.messages)).toHaveLength(3000);
    expect(states.map((s) => [s.cursor, s.cursor_record_count])).toEqual([
      ['2024-01-02', 500],
      ['2024-01-04', 500],
      ['2024-01-06', 500],
    ]);
    const resumed = await read([stream], [statesOf(first.messages)[0].state]);
    expect(recordsOf(resumed.messages).map((r) => r.day)[0]).toBe('2024-01-03');
    expect(recordsOf(resumed.messages)).toHaveLength(2000);

    await db.query(`INSERT INTO events (day, note) VALUES ('2024-01-06', 'late')`);
    const later = await read([stream], [statesOf(first.messages).at(-1)!.state]);
    expect(recordsOf(later.messages)).toHaveLength(501);
    expect(statesOf(later.messages).at(-1)!.state.stream!.stream_state).toMatchObject({
      cursor: '2024-01-06',
      cursor_record_count: 501,
    });
  });

  test('run in process, a stopped read ends its query at once', async () => {
    await db.query('CREATE VIEW slow AS SELECT SLEEP(30) AS s');
    const slow = (await discover()).find((s) => s.name === 'slow')!;
    const stop = new AbortController();
    const out = new (class extends MessageOutput {
      override get signal() {
        return stop.signal;
      }
      message() {}
      recordJson() {}
      async flush() {}
    })();
    const started = Date.now();
    const reading = readInProcess(
      mysqlSource(),
      db.config(),
      { streams: [configured(slow, 'overwrite')] },
      undefined,
      out,
    );
    await new Promise((r) => setTimeout(r, 300));
    stop.abort();
    expect(await reading).toBe(1);
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
