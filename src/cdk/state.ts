// A source's view of its `--state` input: the per-stream states of a STREAM (or GLOBAL) list, or a
// LEGACY blob handed over as it is.
import type { AirbyteStateMessage, JsonObject, StreamDescriptor } from '../protocol/messages.js';
import { streamKey } from '../protocol/state.js';

export class InputState {
  private readonly streams = new Map<string, JsonObject | null>();
  /** the `--state` content when it was a LEGACY blob rather than a list of typed states */
  readonly legacy: unknown;
  /** the GLOBAL state's shared part, when the input was GLOBAL */
  readonly shared: JsonObject | null | undefined;

  constructor(input: unknown) {
    let shared: JsonObject | null | undefined;
    if (Array.isArray(input)) {
      for (const state of input as AirbyteStateMessage[]) {
        if (state?.type === 'STREAM' && state.stream) this.put(state.stream);
        if (state?.type === 'GLOBAL' && state.global) {
          shared = state.global.shared_state;
          for (const stream of state.global.stream_states ?? []) this.put(stream);
        }
      }
    } else {
      this.legacy = input;
    }
    this.shared = shared;
  }

  /** The stream's last state; undefined when it has none or was reset (a null state). */
  stream(descriptor: StreamDescriptor): JsonObject | undefined {
    return this.streams.get(streamKey(descriptor)) ?? undefined;
  }

  private put({ stream_descriptor, stream_state }: NonNullable<AirbyteStateMessage['stream']>): void {
    if (stream_descriptor) this.streams.set(streamKey(stream_descriptor), stream_state ?? null);
  }
}
