// The middle of a sync: the source's stdout into the destination's stdin, and the destination's
// acknowledgements back. Records of the catalog's streams go through as the bytes the source wrote
// (re-encoded only when the connection renames their stream); every other message is the platform's.
// A source STATE is forwarded in its place among the records; when the destination re-emits it, every
// record before it is committed, and only then does the state count (Airbyte's protocol). Each
// forwarded STATE carries an `id`, as Airbyte's platform adds one, so that a re-emitted state names
// which of several identical ones it is.
import type { RowBatch } from '../../cdk/rows.js';
import { TextRecord, recordDataJson, type DecodedMessage } from '../../protocol/codec.js';
import type {
  AirbyteMessage,
  AirbyteRecordMessage,
  AirbyteStateMessage,
  AirbyteStreamStatusTraceMessage,
  AirbyteTraceMessage,
  JsonObject,
} from '../../protocol/messages.js';
import { streamKey } from '../../protocol/state.js';
import type { TaskLogger } from '../types.js';
import type { StreamRoute } from './catalog.js';
import type { DestinationInput } from './destination-input.js';
import type { ConnectorSide } from './state-store.js';

export interface StreamCounts {
  recordsEmitted: number;
  bytesEmitted: number;
}

export type CountsByStream = Map<string, StreamCounts>;

export interface Acknowledgement {
  /** the states committed now, oldest first, as the source emitted them: the one the destination
   * re-emitted and every earlier one it had not acknowledged yet */
  states: AirbyteStateMessage[];
  /** what had been forwarded before the last of them: all of it is committed now */
  committed: CountsByStream;
}

export interface PipeHandlers {
  logger: TaskLogger;
  onAck(ack: Acknowledgement): Promise<void>;
  /** called once, when onAck failed: the sync should stop */
  onAckFailure?(error: Error): void;
  onControl(side: ConnectorSide, config: JsonObject): Promise<void>;
}

export interface PipeResult {
  emitted: CountsByStream;
  /** counts at the last acknowledged state */
  committed: CountsByStream;
  /** records of streams outside the catalog, by stream */
  dropped: Map<string, number>;
}

/** A message as the pipe gets it: decoded from a line (which `raw` holds), or handed over in process. */
export interface SourceOutput {
  message: AirbyteMessage | RowBatch;
  raw?: Buffer;
  /** true when the line was not a protocol message and `message` is a LOG holding its text */
  wrapped?: boolean;
}

interface Pending {
  id: number;
  key: string;
  state: AirbyteStateMessage;
  counts: CountsByStream;
}

export class SyncPipe {
  private readonly emitted: CountsByStream = new Map();
  private committed: CountsByStream = new Map();
  private readonly dropped = new Map<string, number>();
  private readonly pending: Pending[] = [];
  private lastStateId = 0;
  private lastRoute: { stream: string; namespace: string | null | undefined; route: StreamRoute } | undefined;
  /** acknowledgements are handled one at a time, in order */
  private ackChain: Promise<void> = Promise.resolve();
  /** why handling an acknowledgement failed, once one did */
  ackFailure: Error | undefined;
  /** routes (by streamKey of the source descriptor) the source itself said COMPLETE or INCOMPLETE */
  private readonly ended = new Set<string>();

  constructor(
    private readonly routes: Map<string, StreamRoute>,
    private readonly handlers: PipeHandlers,
  ) {
    for (const route of routes.values())
      this.emitted.set(route.outputName, { recordsEmitted: 0, bytesEmitted: 0 });
  }

  /** Moves the source's output to the destination until the source's stdout ends (see finish). */
  async forward(source: AsyncIterable<DecodedMessage>, input: DestinationInput): Promise<void> {
    for await (const decoded of source) {
      if (input.failed) break;
      const pending = this.fromSource(decoded, input);
      if (pending) await pending;
    }
  }

  /** One message of the source's; returns a promise only when the destination pushes back. */
  fromSource(decoded: SourceOutput, input: DestinationInput): Promise<void> | void {
    const { message } = decoded;
    if (message.type === 'RECORD') return this.record(message.record, decoded.raw, input);
    if (message.type === 'ROWS') return this.rows(message, input);
    if (message.type === 'STATE') {
      const id = ++this.lastStateId;
      const forwarded = this.forDestination(message.state);
      this.pending.push({
        id,
        key: stateKey(forwarded),
        state: message.state,
        counts: snapshot(this.emitted),
      });
      return input.message({ ...message, state: { ...forwarded, id } });
    }
    if (message.type === 'TRACE' && message.trace.type === 'STREAM_STATUS') {
      return this.streamStatus(message.trace, input);
    }
    return this.platformMessage('source', message, decoded.wrapped);
  }

  /**
   * Ends the destination's input, after a terminal status for every stream the source left without
   * one (Airbyte's platform does the same, StreamStatusCompletionTracker): COMPLETE when the source
   * finished, INCOMPLETE when it did not. A destination replaces a table only on COMPLETE, so an input
   * that ends without one (its platform died) is never taken for a whole one.
   */
  async finish(input: DestinationInput, sourceCompleted: boolean): Promise<void> {
    if (!input.failed) {
      for (const [key, route] of this.routes) {
        if (this.ended.has(key)) continue;
        const pending = input.message(
          statusMessage(route.destination, sourceCompleted ? 'COMPLETE' : 'INCOMPLETE'),
        );
        if (pending) await pending;
      }
    }
    await input.end();
  }

  /** A source's stream status goes on to the destination under the stream's destination name. */
  private streamStatus(trace: AirbyteTraceMessage, input: DestinationInput): Promise<void> | void {
    const status = trace.stream_status!;
    const descriptor = status.stream_descriptor;
    this.handlers.logger.debug(`source: ${descriptor.name} ${status.status}`);
    const key = streamKey({ name: descriptor.name, namespace: descriptor.namespace ?? undefined });
    const route = this.routes.get(key);
    if (!route) return;
    if (status.status === 'COMPLETE' || status.status === 'INCOMPLETE') this.ended.add(key);
    return input.message(statusMessage(route.destination, status.status));
  }

  /** Reads the destination's output: acknowledgements, logs, config updates. */
  async acknowledgements(destination: AsyncIterable<DecodedMessage>): Promise<void> {
    for await (const decoded of destination) await this.fromDestination(decoded);
    await this.settled();
  }

  /** One message of the destination's. */
  fromDestination(decoded: SourceOutput): Promise<void> | void {
    const { message } = decoded;
    if (message.type === 'STATE') return this.acknowledge(message.state);
    if (message.type === 'ROWS') throw new Error('a destination sent rows');
    return this.platformMessage('destination', message, decoded.wrapped);
  }

  /** Resolves once every acknowledgement so far has been handled. */
  settled(): Promise<void> {
    return this.ackChain;
  }

  result(): PipeResult {
    return { emitted: this.emitted, committed: this.committed, dropped: this.dropped };
  }

  private record(
    record: AirbyteRecordMessage,
    raw: Buffer | undefined,
    input: DestinationInput,
  ): Promise<void> | void {
    const route = this.route(record.stream, record.namespace);
    if (!route) return;
    const counts = this.emitted.get(route.outputName)!;
    counts.recordsEmitted += 1;
    counts.bytesEmitted += raw?.length ?? dataLength(record);
    const { destination } = route;
    if (destination.name === record.stream && destination.namespace === (record.namespace ?? undefined)) {
      return input.record(record, raw);
    }
    return input.record(renamed(record, destination), undefined);
  }

  private rows(batch: RowBatch, input: DestinationInput): Promise<void> | void {
    const route = this.route(batch.stream, batch.namespace, batch.count);
    if (!route) return;
    const counts = this.emitted.get(route.outputName)!;
    counts.recordsEmitted += batch.count;
    counts.bytesEmitted += batch.text.length;
    const { name, namespace } = route.destination;
    const { namespace: _source, ...rest } = batch;
    return input.message(
      namespace === undefined ? { ...rest, stream: name } : { ...rest, stream: name, namespace },
    );
  }

  /** A STREAM state under its stream's destination name, as its records go (Airbyte's platform maps
   * it so too): the destination knows which of its tables the state covers. Acknowledgements give the
   * source's own state back (by id). */
  private forDestination(state: AirbyteStateMessage): AirbyteStateMessage {
    const descriptor = state.stream?.stream_descriptor;
    if (state.type !== 'STREAM' || !descriptor) return state;
    const route = this.routes.get(
      streamKey({ name: descriptor.name, namespace: descriptor.namespace ?? undefined }),
    );
    if (!route) return state;
    return { ...state, stream: { ...state.stream!, stream_descriptor: route.destination } };
  }

  /** The route of a catalog stream; undefined (the records counted as dropped) for any other. */
  private route(stream: string, namespace: string | null | undefined, records = 1): StreamRoute | undefined {
    // records come in runs of one stream: its route is found again without building its key
    const last = this.lastRoute;
    if (last && last.stream === stream && last.namespace === namespace) return last.route;
    const route = this.routes.get(streamKey({ name: stream, namespace: namespace ?? undefined }));
    if (route) {
      this.lastRoute = { stream, namespace, route };
      return route;
    }
    const name = namespace == null ? stream : `${namespace}.${stream}`;
    const seen = this.dropped.get(name) ?? 0;
    if (seen === 0) {
      this.handlers.logger.warn(
        `source: dropping records of stream ${JSON.stringify(name)}, which is not in the catalog`,
      );
    }
    this.dropped.set(name, seen + records);
    return undefined;
  }

  private acknowledge(state: AirbyteStateMessage): void {
    // by the id it was given; by its content when the destination dropped the id
    const at =
      state.id === undefined
        ? this.pending.findIndex((p) => p.key === stateKey(state))
        : this.pending.findIndex((p) => p.id === state.id);
    if (at === -1) {
      this.handlers.logger.warn('destination: acknowledged a state the source never sent; ignored');
      return;
    }
    // a destination may acknowledge only the latest of several states: the earlier ones are implied,
    // and with STREAM states each one may be the only checkpoint of its stream
    const acked = this.pending.splice(0, at + 1);
    const { counts } = acked[acked.length - 1];
    this.committed = counts;
    // A failed handler (the state could not be saved) is kept, never left as a rejection nobody
    // awaits yet, which would end the whole process; the acknowledgements after it are not handled.
    this.ackChain = this.ackChain.then(async () => {
      if (this.ackFailure) return;
      try {
        await this.handlers.onAck({ states: acked.map((p) => p.state), committed: counts });
      } catch (error) {
        this.ackFailure = error as Error;
        this.handlers.onAckFailure?.(this.ackFailure);
      }
    });
  }

  private async platformMessage(
    side: ConnectorSide,
    message: AirbyteMessage,
    wrapped: boolean | undefined,
  ): Promise<void> {
    const { logger } = this.handlers;
    switch (message.type) {
      case 'LOG':
        logger.log(wrapped ? 'INFO' : logLevel(message.log.level), `${side}: ${message.log.message}`);
        return;
      case 'TRACE': {
        const { trace } = message;
        if (trace.type === 'ERROR' && trace.error) {
          logger.error(`${side}: ${trace.error.failure_type ?? 'error'}: ${trace.error.message}`);
        } else if (trace.type === 'ESTIMATE' && trace.estimate) {
          logger.debug(`${side}: estimate for ${trace.estimate.name}: ${JSON.stringify(trace.estimate)}`);
        } else if (trace.type === 'STREAM_STATUS' && trace.stream_status) {
          logger.debug(`${side}: ${JSON.stringify(trace.stream_status)}`);
        }
        return;
      }
      case 'CONTROL':
        if (message.control.type === 'CONNECTOR_CONFIG' && message.control.connectorConfig?.config) {
          await this.handlers.onControl(side, message.control.connectorConfig.config);
        }
        return;
      default:
        logger.debug(`${side}: ignored a ${message.type} message during the sync`);
    }
  }
}

function statusMessage(
  descriptor: StreamRoute['destination'],
  status: AirbyteStreamStatusTraceMessage['status'],
): AirbyteMessage {
  return {
    type: 'TRACE',
    trace: {
      type: 'STREAM_STATUS',
      emitted_at: Date.now(),
      stream_status: { stream_descriptor: descriptor, status },
    },
  };
}

/** The record under the stream name the connection maps it to; data given as text stays text. */
function renamed(
  record: AirbyteRecordMessage,
  destination: StreamRoute['destination'],
): AirbyteRecordMessage {
  const json = recordDataJson(record);
  if (json !== undefined)
    return new TextRecord(destination.namespace, destination.name, record.emitted_at, json);
  const { namespace: _source, ...rest } = record;
  const mapped: AirbyteRecordMessage = { ...rest, stream: destination.name };
  if (destination.namespace !== undefined) mapped.namespace = destination.namespace;
  return mapped;
}

/** A record's size when it came as an object rather than a line: its data's JSON text. */
function dataLength(record: AirbyteRecordMessage): number {
  return (recordDataJson(record) ?? JSON.stringify(record.data)).length;
}

/** What identifies a state whatever fields either side adds (sourceStats, destinationStats…). */
function stateKey(state: AirbyteStateMessage): string {
  return JSON.stringify([
    state.type ?? 'LEGACY',
    state.stream?.stream_descriptor?.namespace ?? null,
    state.stream?.stream_descriptor?.name ?? null,
    canonical(state.stream?.stream_state),
    canonical(state.global),
    canonical(state.data),
  ]);
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value ?? null;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
  );
}

function snapshot(counts: CountsByStream): CountsByStream {
  return new Map([...counts].map(([name, c]) => [name, { ...c }]));
}

function logLevel(level: string): 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' {
  switch (level) {
    case 'FATAL':
    case 'ERROR':
      return 'ERROR';
    case 'WARN':
      return 'WARN';
    case 'DEBUG':
      return 'DEBUG';
    case 'TRACE':
      return 'TRACE';
    default:
      return 'INFO';
  }
}
