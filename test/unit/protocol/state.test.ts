import { describe, expect, test } from 'vitest';
import type { AirbyteStateMessage } from '../../../src/protocol/messages.js';
import { nextReadState, readStateFrom, stateType } from '../../../src/protocol/state.js';

const stream = (name: string, cursor: unknown, namespace?: string): AirbyteStateMessage => ({
  type: 'STREAM',
  stream: { stream_descriptor: { name, ...(namespace ? { namespace } : {}) }, stream_state: { cursor } },
});

describe('stateType', () => {
  test('a state without type is LEGACY', () => {
    expect(stateType({ data: { cursor: 1 } })).toBe('LEGACY');
  });
});

describe('the next read’s --state', () => {
  test('LEGACY gives the data blob itself', () => {
    expect(readStateFrom([{ data: { cursor: 1 } }, { type: 'LEGACY', data: { cursor: 2 } }])).toEqual({
      cursor: 2,
    });
  });

  test('STREAM gives the latest state of each stream', () => {
    const states = [stream('users', 1), stream('products', 1), stream('users', 2)];
    expect(readStateFrom(states)).toEqual([stream('products', 1), stream('users', 2)]);
  });

  test('STREAM tells streams apart by namespace too', () => {
    const states = [stream('users', 1, 'a'), stream('users', 2, 'b')];
    expect(readStateFrom(states)).toEqual(states);
  });

  test('STREAM keeps a reset stream’s null state', () => {
    const reset: AirbyteStateMessage = {
      type: 'STREAM',
      stream: { stream_descriptor: { name: 'users' }, stream_state: null },
    };
    expect(readStateFrom([stream('users', 1), reset])).toEqual([reset]);
  });

  test('STREAM keeps unknown fields of the message', () => {
    const state = { ...stream('users', 1), sourceStats: { recordCount: 3 }, origin: 'faros' };
    expect(nextReadState(undefined, state)).toEqual([state]);
  });

  test('GLOBAL gives a one-element list of the latest', () => {
    const global = (n: number): AirbyteStateMessage => ({
      type: 'GLOBAL',
      global: { shared_state: { lsn: n }, stream_states: [] },
    });
    expect(readStateFrom([global(1), global(2)])).toEqual([global(2)]);
  });

  test('a state of another type replaces the previous input', () => {
    expect(nextReadState({ cursor: 1 }, stream('users', 1))).toEqual([stream('users', 1)]);
  });
});
