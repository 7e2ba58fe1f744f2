import { describe, expect, test } from 'vitest';
import { MessageOutput } from '../../../src/cdk/output.js';
import type { DestinationDatabase } from '../../../src/connectors/sql/destination-database.js';
import { writeSql } from '../../../src/connectors/sql/destination-writer.js';
import type { AirbyteMessage, ConfiguredAirbyteCatalog } from '../../../src/protocol/messages.js';

// The order of what a SQL destination does, against a database that only records it: which commits
// wait for the disk, and when states go out. The SQL itself is tested against real databases in
// test/integration/connectors.

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

function recordingDatabase(events: string[]): DestinationDatabase {
  const text = (value: unknown) => String(value);
  return {
    rules: { maxLength: 63, lengthUnit: 'bytes', caseInsensitive: false, invalid: /\u0000/g },
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
    metaTypes: { rawId: 'uuid', extractedAt: 'timestamptz', meta: 'jsonb', sequence: 'bigint' },
    quote: (name) => `"${name}"`,
    execute: async () => {},
    createSchema: async () => {},
    columns: async () => undefined,
    createKeyIndex: async () => {},
    createTempTable: async () => {},
    tempName: (table) => table,
    load: async () => {},
    deleteMatching: () => '',
    swap: async () => {},
    async transaction(work, durable = true) {
      await work();
      events.push(durable ? 'commit' : 'commit without waiting for the disk');
    },
    makeDurable: async () => {
      events.push('make durable');
    },
    close: async () => {},
  };
}

const catalog: ConfiguredAirbyteCatalog = {
  streams: [
    {
      stream: {
        name: 's',
        json_schema: { type: 'object', properties: { id: { type: 'integer' } } },
        supported_sync_modes: ['full_refresh'],
      },
      sync_mode: 'full_refresh',
      destination_sync_mode: 'append',
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

async function eventsOf(input: AirbyteMessage[]): Promise<string[]> {
  const events: string[] = [];
  // a batch of about two records
  await writeSql(recordingDatabase(events), catalog, messages(input), new Recorded(events), {
    defaultSchema: 'public',
    batchChars: 100,
  });
  return events;
}

describe('SQL destination durability', () => {
  test('batches no state follows commit without waiting for the disk; the one a state follows waits', async () => {
    const events = await eventsOf([record(1), record(2), record(3), state, record(4), record(5)]);
    expect(events.slice(0, 3)).toEqual(['commit without waiting for the disk', 'commit', 'state']);
  });

  test('a state with nothing left to commit goes out only once every commit before it is durable', async () => {
    const events = await eventsOf([record(1), record(2), record(3), state]);
    expect(events.slice(-2)).toEqual(['make durable', 'state']);
    expect(events.filter((e) => e.startsWith('commit'))).not.toContain('commit');
  });
});
