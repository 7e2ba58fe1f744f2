import { PassThrough } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { type DecodedMessage, decodeLine } from '../../../src/protocol/codec.js';
import type { AirbyteMessage, AirbyteStateMessage } from '../../../src/protocol/messages.js';
import { streamKey } from '../../../src/protocol/state.js';
import type { StreamRoute } from '../../../src/tasks/sync/catalog.js';
import { LineSink } from '../../../src/tasks/sync/line-sink.js';
import { type Acknowledgement, SyncPipe } from '../../../src/tasks/sync/pipe.js';
import type { TaskLogger } from '../../../src/tasks/types.js';

// The pipe between a source and a destination, fed with messages in process: which source states an
// acknowledgement from the destination commits.

const route = (name: string): [string, StreamRoute] => [
  streamKey({ name }),
  { outputName: name, source: { name }, destination: { name } },
];

const record = (stream: string, id: number): AirbyteMessage => ({
  type: 'RECORD',
  record: { stream, data: { id }, emitted_at: 0 },
});
const streamState = (name: string, cursor: number, extra: Record<string, unknown> = {}): AirbyteMessage => ({
  type: 'STATE',
  state: { type: 'STREAM', stream: { stream_descriptor: { name }, stream_state: { cursor } } },
  ...extra,
});

const decoded = (message: AirbyteMessage): DecodedMessage => decodeLine(Buffer.from(JSON.stringify(message)));

async function* messages(...list: AirbyteMessage[]): AsyncGenerator<DecodedMessage> {
  for (const message of list) yield decoded(message);
}

const quiet: TaskLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** Runs the source's messages through a pipe; returns the STATE lines the destination received and a
 * way to send it the destination's acknowledgements. */
async function piped(...source: AirbyteMessage[]) {
  const acks: Acknowledgement[] = [];
  const pipe = new SyncPipe(new Map([route('users'), route('orders')]), {
    logger: quiet,
    onAck: async (ack) => {
      acks.push(ack);
    },
    onControl: async () => undefined,
  });
  const stdin = new PassThrough();
  const received: string[] = [];
  stdin.on('data', (chunk: Buffer) => received.push(chunk.toString('utf8')));
  const sink = new LineSink(stdin);
  await pipe.forward(messages(...source), sink);
  await pipe.finish(sink, true);
  const states = received
    .join('')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AirbyteMessage)
    .filter((m) => m.type === 'STATE');
  return {
    states,
    acks,
    acknowledge: (...acked: AirbyteMessage[]) => pipe.acknowledgements(messages(...acked)),
  };
}

const cursors = (states: AirbyteStateMessage[]) =>
  states.map((s) => [s.stream?.stream_descriptor.name, s.stream?.stream_state?.cursor]);

describe('SyncPipe acknowledgements', () => {
  test('acknowledging only the latest state commits every earlier state too, oldest first', async () => {
    const { states, acks, acknowledge } = await piped(
      record('users', 1),
      streamState('users', 1),
      record('orders', 7),
      streamState('orders', 7),
      record('users', 2),
      streamState('users', 2),
    );
    await acknowledge(states[2]);
    expect(acks).toHaveLength(1);
    expect(cursors(acks[0].states)).toEqual([
      ['users', 1],
      ['orders', 7],
      ['users', 2],
    ]);
    expect(acks[0].committed.get('orders')).toMatchObject({ recordsEmitted: 1 });
  });

  // Faros' CDK emits the same no-op state before the records and after them
  const noop = (): AirbyteMessage => ({
    type: 'STATE',
    state: {
      type: 'STREAM',
      stream: { stream_descriptor: { name: '__noop__', namespace: '__faros__' }, stream_state: {} },
    },
  });

  test('a state identical to an earlier one is told apart by the id it carries to the destination', async () => {
    const { states, acks, acknowledge } = await piped(
      noop(),
      record('users', 1),
      streamState('users', 1),
      noop(),
    );
    await acknowledge(states[2]);
    expect(cursors(acks[0].states)).toEqual([
      ['__noop__', undefined],
      ['users', 1],
      ['__noop__', undefined],
    ]);
  });

  test('the states an acknowledgement commits are the source’s own, without the id', async () => {
    const { states, acks, acknowledge } = await piped(record('users', 1), streamState('users', 1));
    expect(states[0]).toMatchObject({ state: { id: expect.any(Number) } });
    await acknowledge(states[0]);
    expect(acks[0].states).toEqual([(streamState('users', 1) as { state: AirbyteStateMessage }).state]);
  });

  test('a destination that drops the id is matched by the state’s content', async () => {
    const { acks, acknowledge } = await piped(record('users', 1), streamState('users', 1));
    await acknowledge(streamState('users', 1, { extra: 'field' }));
    expect(cursors(acks[0].states)).toEqual([['users', 1]]);
  });

  test('an id the pipe never gave acknowledges nothing', async () => {
    const { states, acks, acknowledge } = await piped(record('users', 1), streamState('users', 1));
    const [state] = states as { type: 'STATE'; state: AirbyteStateMessage }[];
    await acknowledge({ ...state, state: { ...state.state, id: 999 } });
    expect(acks).toEqual([]);
  });
});

describe('SyncPipe state names', () => {
  test('a STREAM state reaches the destination under the stream’s destination name; its acknowledgement gives the source’s state back', async () => {
    const acks: Acknowledgement[] = [];
    const renamed: StreamRoute = {
      outputName: 'users',
      source: { name: 'users', namespace: 'public' },
      destination: { name: 'app_users' },
    };
    const pipe = new SyncPipe(new Map([[streamKey(renamed.source), renamed]]), {
      logger: quiet,
      onAck: async (ack) => {
        acks.push(ack);
      },
      onControl: async () => undefined,
    });
    const sent: AirbyteMessage[] = [];
    const input = {
      failed: undefined,
      record: () => undefined,
      message: (message: AirbyteMessage) => {
        sent.push(message);
      },
      end: async () => undefined,
    };
    const state: AirbyteStateMessage = {
      type: 'STREAM',
      stream: { stream_descriptor: { name: 'users', namespace: 'public' }, stream_state: { cursor: 3 } },
    };
    await pipe.fromSource({ message: { type: 'STATE', state } }, input);
    const forwarded = sent.find((m) => m.type === 'STATE');
    expect(forwarded?.type === 'STATE' && forwarded.state.stream?.stream_descriptor).toEqual({
      name: 'app_users',
    });
    await pipe.acknowledgements(messages(forwarded!));
    expect(acks.map((a) => a.states)).toEqual([[state]]);
  });
});
