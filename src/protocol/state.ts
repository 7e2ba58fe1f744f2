// What a source's next `read --state` gets, from the states a sync persisted. The persisted value is
// that input itself, so a run only ever loads it and hands it over.
import type { AirbyteStateMessage, StreamDescriptor } from './messages.js';

export type StateType = 'STREAM' | 'GLOBAL' | 'LEGACY';

/** A STATE without `type` predates typed states and is LEGACY. */
export function stateType(state: AirbyteStateMessage): StateType {
  return state.type ?? 'LEGACY';
}

export function streamKey(descriptor: StreamDescriptor): string {
  return JSON.stringify([descriptor.namespace ?? null, descriptor.name]);
}

/**
 * Folds one more acknowledged state into the input of the next read: LEGACY → its `data` blob;
 * STREAM → a list of the latest STREAM state of each stream (streams the catalog does not name
 * included: a source may need them back); GLOBAL → a one-element list. A state of another type than
 * the previous input replaces it: a connector that changed its kind of state starts over from it.
 */
export function nextReadState(previous: unknown, state: AirbyteStateMessage): unknown {
  switch (stateType(state)) {
    case 'LEGACY':
      return state.data;
    case 'GLOBAL':
      return [state];
    case 'STREAM': {
      const descriptor = state.stream?.stream_descriptor;
      if (!descriptor) throw new Error('a STREAM state without stream.stream_descriptor');
      const key = streamKey(descriptor);
      const kept = streamStates(previous).filter((s) => streamKey(s.stream!.stream_descriptor) !== key);
      return [...kept, state];
    }
  }
}

/** Folds a sequence of acknowledged states, oldest first. */
export function readStateFrom(states: Iterable<AirbyteStateMessage>, previous?: unknown): unknown {
  let input = previous;
  for (const state of states) input = nextReadState(input, state);
  return input;
}

function streamStates(input: unknown): AirbyteStateMessage[] {
  if (!Array.isArray(input)) return [];
  return input.filter(
    (s): s is AirbyteStateMessage =>
      typeof s === 'object' && s !== null && s.type === 'STREAM' && s.stream?.stream_descriptor !== undefined,
  );
}

/** The next read's input without the given streams' states: a STREAM list loses their entries, a
 * GLOBAL state its stream_states for them; a LEGACY blob cannot be split, so it goes whole. Undefined
 * when nothing is left. */
export function withoutStreams(input: unknown, streams: readonly StreamDescriptor[]): unknown {
  const keys = new Set(streams.map(streamKey));
  if (!Array.isArray(input)) return undefined;
  const kept = input.flatMap((s: AirbyteStateMessage) => {
    if (s.type === 'STREAM') return keys.has(streamKey(s.stream!.stream_descriptor)) ? [] : [s];
    if (s.type === 'GLOBAL' && s.global) {
      const streamStates = (s.global.stream_states ?? []).filter(
        (ss) => !keys.has(streamKey(ss.stream_descriptor)),
      );
      return [{ ...s, global: { ...s.global, stream_states: streamStates } }];
    }
    return [s];
  });
  return kept.length > 0 ? kept : undefined;
}
