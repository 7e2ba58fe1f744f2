import { describe, expect, test } from 'vitest';
import type { Source } from '../../../src/cdk/connector.js';
import type { AirbyteMessage, ConfiguredAirbyteCatalog } from '../../../src/protocol/messages.js';
import { streamKey } from '../../../src/protocol/state.js';
import type { StreamRoute } from '../../../src/tasks/sync/catalog.js';
import { readIntoInput } from '../../../src/tasks/sync/in-process.js';
import { MessageQueue } from '../../../src/tasks/sync/message-queue.js';
import { SyncPipe } from '../../../src/tasks/sync/pipe.js';
import type { TaskLogger } from '../../../src/tasks/types.js';

// A source run in the platform's process (a built-in) goes through the same refusal as a process's
// output: a record whose data is not an object fails its read, naming the stream, and never reaches
// the destination's input.

const quiet: TaskLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

const catalog: ConfiguredAirbyteCatalog = {
  streams: [
    {
      stream: { name: 'things', json_schema: {}, supported_sync_modes: ['full_refresh'] },
      sync_mode: 'full_refresh',
      destination_sync_mode: 'append',
    },
  ],
};

function source(emitBad: (out: Parameters<Source['read']>[3]) => Promise<void> | void): Source {
  return {
    spec: () => ({ connectionSpecification: { type: 'object' } }),
    check: async () => ({ status: 'SUCCEEDED' }),
    discover: async () => ({ streams: [] }),
    async read(_config, _catalog, _state, out) {
      await out.record('things', { id: 1 });
      await emitBad(out);
      await out.record('things', { id: 2 });
    },
  };
}

async function readAll(impl: Source) {
  const route: StreamRoute = {
    outputName: 'things',
    source: { name: 'things' },
    destination: { name: 'things' },
  };
  const pipe = new SyncPipe(new Map([[streamKey({ name: 'things' }), route]]), {
    logger: quiet,
    onAck: async () => undefined,
    onControl: async () => undefined,
  });
  const input = new MessageQueue();
  const received: AirbyteMessage[] = [];
  const draining = (async () => {
    for await (const message of input) if (message.type !== 'ROWS') received.push(message);
  })();
  const exit = await readIntoInput(
    { connector: impl, config: {}, catalog, state: undefined },
    pipe,
    input,
    new AbortController().signal,
  );
  await draining;
  const records = received.filter((m) => m.type === 'RECORD').map((m) => m.record.data);
  return { exit, records };
}

describe('a source in process', () => {
  test('has a record whose data is JSON text of a number refused, naming the stream', async () => {
    const { exit, records } = await readAll(source((out) => out.recordJson('things', '5')));
    expect(exit.failure?.message).toBe('a RECORD of stream "things" whose data is not an object');
    expect(records).toEqual([{ id: 1 }]);
  });

  test('has a RECORD message whose data is an array refused, naming the stream', async () => {
    const { exit, records } = await readAll(
      source((out) =>
        out.message({ type: 'RECORD', record: { stream: 'things', emitted_at: 1, data: [1] as never } }),
      ),
    );
    expect(exit.failure?.message).toBe('a RECORD of stream "things" whose data is an array, not an object');
    expect(records).toEqual([{ id: 1 }]);
  });

  test('still passes objects, whatever whitespace leads their text', async () => {
    const { exit, records } = await readAll(source((out) => out.recordJson('things', ' {"id":9}')));
    expect(exit.failure).toBeUndefined();
    expect(records).toEqual([{ id: 1 }, { id: 9 }, { id: 2 }]);
  });
});
