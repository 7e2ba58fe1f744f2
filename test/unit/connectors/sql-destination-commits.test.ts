import { describe, expect, test } from 'vitest';
import { MessageOutput } from '../../../src/cdk/output.js';
import type { DestinationDatabase } from '../../../src/connectors/sql/destination-database.js';
import { writeSql } from '../../../src/connectors/sql/destination-writer.js';
import type { RowBatch } from '../../../src/cdk/rows.js';
import type { AirbyteMessage, ConfiguredAirbyteCatalog } from '../../../src/protocol/messages.js';

// The order of what a SQL destination does, against a database that only records it: what is loaded,
// when the write's transaction commits or rolls back, and when states go out. The SQL itself is tested
// against real databases in test/integration/connectors.

class Recorded extends MessageOutput {
  constructor(private readonly events: string[]) {
    super();
  }
  message(message: AirbyteMessage): void {
    if (message.type === 'STATE') this.events.push('state');
  }
  recordJson(): void {}
  async flush(): Promise<void> {}
}

/** what each load got: its table and its lines */
interface Load {
  table: string;
  lines: string[];
}

function recordingDatabase(events: string[], loads: Load[] = []): DestinationDatabase {
  const text = (value: unknown) => String(value);
  return {
    rules: { clean: (name) => name, caseInsensitive: false },
    formats: {
      boolean: text,
      timestamptz: (p) => `${p.date}T${p.time}Z`,
      timestamp: (p) => `${p.date}T${p.time}`,
      time: (p) => `${p.time}`,
      timetz: (p) => `${p.time}`,
      number: (t) => t,
      stripsNul: true,
    },
    storage: {},
    sqlType: (type) => type,
    metaTypes: {
      rawId: 'varchar',
      extractedAt: 'timestamptz',
      meta: 'jsonb',
      generationId: 'bigint',
      sequence: 'bigint',
    },
    metaFirst: true,
    quote: (name) => `"${name}"`,
    literal: (value) => `'${value}'`,
    async execute(sql) {
      if (/^(BEGIN|COMMIT|ROLLBACK)$/.test(sql)) events.push(sql.toLowerCase());
      else if (sql.startsWith('INSERT INTO "public"."_sluice_destination_state"')) events.push('save state');
    },
    rows: async () => [],
    createSchema: async () => {},
    columns: async () => undefined,
    createIndexes: async () => {},
    migrate: async () => [],
    createTempTable: async () => {},
    tempName: (table) => table,
    rowFormat: 'postgres-copy-text',
    rowDefaults: () => ({ extractedAt: 'now()', meta: "'{}'", generationId: '0' }),
    async load(table, _columns, chunks) {
      const load: Load = { table, lines: [] };
      loads.push(load);
      for await (const chunk of chunks) load.lines.push(...chunk.toString().split('\n').slice(0, -1));
      events.push(`load ${load.lines.map((line) => line.split('\t')[0]).join(',')}`);
    },
    deleteMatching: () => '',
    stagedSyncId: async () => undefined,
    swap: async () => {},
    async transaction(work) {
      await work();
    },
    close: async () => {},
  };
}

/** an incremental append of one stream, in a sync (its sync_id): states cover what came before them */
const catalog: ConfiguredAirbyteCatalog = {
  streams: [
    {
      stream: {
        name: 's',
        json_schema: { type: 'object', properties: { id: { type: 'integer' } } },
        supported_sync_modes: ['full_refresh', 'incremental'],
      },
      sync_mode: 'incremental',
      destination_sync_mode: 'append',
      cursor_field: ['id'],
      sync_id: 7,
    },
  ],
};

const record = (id: number): AirbyteMessage => ({
  type: 'RECORD',
  record: { stream: 's', emitted_at: 0, data: { id } },
});
const state: AirbyteMessage = {
  type: 'STATE',
  state: { type: 'STREAM', stream: { stream_descriptor: { name: 's' }, stream_state: {} } },
};

async function* messages(list: AirbyteMessage[]): AsyncGenerator<AirbyteMessage> {
  yield* list;
}

const status = (value: 'COMPLETE' | 'INCOMPLETE'): AirbyteMessage => ({
  type: 'TRACE',
  trace: {
    type: 'STREAM_STATUS',
    emitted_at: 0,
    stream_status: { stream_descriptor: { name: 's' }, status: value },
  },
});
/** the platform's word that the stream is whole: without it nothing past the last state is committed */
const complete = status('COMPLETE');

async function eventsOf(
  input: AirbyteMessage[],
  end: AirbyteMessage = complete,
  written: ConfiguredAirbyteCatalog = catalog,
): Promise<string[]> {
  const events: string[] = [];
  // a batch of about two records
  await writeSql(recordingDatabase(events), written, messages([...input, end]), new Recorded(events), {
    defaultSchema: 'public',
    batchChars: 100,
  });
  return events;
}

describe('SQL destination commits', () => {
  test('records load into the open transaction, which commits only with the state that covers them, before the state goes out', async () => {
    const events = await eventsOf([record(1), record(2), record(3), state, record(4), record(5)]);
    expect(events.slice(0, 6)).toEqual(['begin', 'load 1,2', 'load 3', 'save state', 'commit', 'state']);
  });

  test('a stream that ends INCOMPLETE with records no state covers in the transaction rolls it back, with the states pending in it', async () => {
    const events = await eventsOf(
      [record(1), record(2), state, record(3), record(4), state, record(5), record(6), record(7)],
      status('INCOMPLETE'),
    );
    // 3 and 4 commit with the second state; 5 and 6 went into the transaction, no state after them
    expect(events.slice(-7)).toEqual([
      'load 3,4',
      'save state',
      'commit',
      'state',
      'begin',
      'load 5,6',
      'rollback',
    ]);
    expect(events.filter((e) => e === 'state')).toHaveLength(2);
  });

  test('a stream that ends INCOMPLETE commits what its last state covers and drops what is only buffered', async () => {
    const events = await eventsOf([record(1), record(2), state, record(3)], status('INCOMPLETE'));
    expect(events).toEqual(['begin', 'load 1,2', 'save state', 'commit', 'state']);
  });

  test('a full refresh appended that cannot resume commits nothing before COMPLETE, its states held until then', async () => {
    const fullRefresh: ConfiguredAirbyteCatalog = {
      streams: [{ ...catalog.streams[0], sync_mode: 'full_refresh', cursor_field: undefined }],
    };
    const input = [record(1), record(2), state, record(3), record(4), state, record(5)];
    const whole = await eventsOf(input, complete, fullRefresh);
    expect(whole.filter((e) => !e.startsWith('load'))).toEqual([
      'begin',
      'save state',
      'commit',
      'state',
      'state',
    ]);
    const cut = await eventsOf(input, status('INCOMPLETE'), fullRefresh);
    expect(cut.filter((e) => !e.startsWith('load'))).toEqual(['begin', 'rollback']);
  });
});

describe('SQL destination rows in bulk', () => {
  const overwrite: ConfiguredAirbyteCatalog = {
    streams: [{ ...catalog.streams[0], destination_sync_mode: 'overwrite' }],
  };
  const rows = (...ids: number[]): RowBatch => ({
    type: 'ROWS',
    stream: 's',
    emitted_at: 0,
    fields: ['id'],
    text: Buffer.from(ids.map((id) => `${id}\n`).join('')),
    count: ids.length,
  });
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

  async function write(input: (AirbyteMessage | RowBatch)[]) {
    const events: string[] = [];
    const loads: Load[] = [];
    await writeSql(
      recordingDatabase(events, loads),
      overwrite,
      messages([...input, complete] as AirbyteMessage[]),
      new Recorded(events),
      {
        defaultSchema: 'public',
      },
    );
    return { events, loads };
  }

  test('a run of batches goes to the staging table in one load, each line with a new version 4 raw id', async () => {
    const { loads } = await write([rows(1, 2), rows(3), state]);
    expect(loads).toHaveLength(1);
    expect(loads[0].table).toMatch(/_sluice_stage_/);
    const fields = loads[0].lines.map((line) => line.split('\t'));
    expect(fields.map((f) => f[0])).toEqual(['1', '2', '3']);
    expect(fields.every((f) => f.length === 2 && UUID.test(f[1]))).toBe(true);
    expect(new Set(fields.map((f) => f[1])).size).toBe(3);
  });

  test('the message after a run of rows is still written: records after rows make a load of their own', async () => {
    const { loads } = await write([rows(1, 2), record(3), state]);
    expect(loads.map((l) => l.lines.map((line) => line.split('\t')[0]))).toEqual([['1', '2'], ['3']]);
  });

  test('a state after rows commits them with it, then goes out', async () => {
    const { events } = await write([rows(1), state]);
    expect(events).toEqual(['begin', 'load 1', 'save state', 'commit', 'state']);
  });
});

describe('SQL destination overlap', () => {
  test('a batch being loaded goes out while the next is encoded, even from an input never empty', async () => {
    const events: string[] = [];
    const db = recordingDatabase(events);
    // like a socket: the load's data goes out only when the event loop turns
    let pulled = 0;
    let pulledWhenLoaded: number | undefined;
    db.load = () =>
      new Promise((resolve) =>
        setImmediate(() => {
          pulledWhenLoaded ??= pulled;
          resolve();
        }),
      );
    async function* busyInput(): AsyncGenerator<AirbyteMessage> {
      for (pulled = 0; pulled < 40_000; pulled++) yield record(pulled);
      yield complete;
    }
    const batchChars = 1024 * 1024;
    await writeSql(db, catalog, busyInput(), new Recorded(events), { defaultSchema: 'public', batchChars });
    // ≈ 80 chars a line: a batch is ≈ 13,000 records; without turns the first batch's load would end
    // only once the second is full and waits for it (≈ 26,000)
    expect(pulledWhenLoaded).toBeLessThan(20_000);
  });
});
