// Where a connector's messages go. As a process, to stdout as lines (MessageWriter); run by the
// platform inside its own process, straight to the sync as objects (see src/tasks/sync/in-process.ts).
// A connector writes to either alike.
import type {
  AirbyteMessage,
  AirbyteStateStats,
  FailureType,
  JsonObject,
  LogLevel,
  StreamDescriptor,
} from '../protocol/messages.js';
import type { RowFormat, RowBatch } from './rows.js';

/** Calls `stop` once `out.signal` aborts (at once if it has); returns what stops listening. For a
 * connector's connections: ending one makes the query under way fail at once. */
export function whenStopped(out: MessageOutput, stop: () => void): () => void {
  const { signal } = out;
  if (!signal) return () => {};
  if (signal.aborted) stop();
  else signal.addEventListener('abort', stop, { once: true });
  return () => signal.removeEventListener('abort', stop);
}

export abstract class MessageOutput {
  /** A message; returns a promise only when the reader pushes back, so a tight loop pays for no promise
   * per record. */
  abstract message(message: AirbyteMessage): Promise<void> | void;

  /** A RECORD whose `data` is JSON text already (a database's own JSON, a generator's output), as a
   * string or as UTF-8 bytes, passed on without parsing it. */
  abstract recordJson(
    stream: string,
    dataJson: string | Uint8Array,
    namespace?: string,
  ): Promise<void> | void;

  /** Waits until the reader has taken everything written. */
  abstract flush(): Promise<void>;

  /** The bulk-load format the reader takes rows in instead of records, when it takes any: only ever set
   * in process, for a destination that declared it (Destination.rowFormat). */
  get rowFormat(): RowFormat | undefined {
    return undefined;
  }

  /** Set when the platform runs the connector in its own process: aborted when the sync is stopped.
   * A connector then drops what it is doing, as a killed process would (closing its connections
   * stops a query under way). A process is stopped by its signals instead. */
  get signal(): AbortSignal | undefined {
    return undefined;
  }

  /** Rows in `rowFormat`; only to be called when it is set. */
  rows(batch: RowBatch): Promise<void> | void {
    throw new Error(`this output takes no rows (stream ${JSON.stringify(batch.stream)})`);
  }

  record(stream: string, data: JsonObject, namespace?: string): Promise<void> | void {
    return this.recordJson(stream, JSON.stringify(data), namespace);
  }

  streamState(
    descriptor: StreamDescriptor,
    state: JsonObject | null,
    sourceStats?: AirbyteStateStats,
  ): Promise<void> | void {
    return this.message({
      type: 'STATE',
      state: {
        type: 'STREAM',
        stream: { stream_descriptor: descriptor, stream_state: state },
        ...(sourceStats ? { sourceStats } : {}),
      },
    });
  }

  log(level: LogLevel, message: string): Promise<void> | void {
    return this.message({ type: 'LOG', log: { level, message } });
  }

  traceError(failureType: FailureType, message: string, error?: Error): Promise<void> | void {
    return this.message({
      type: 'TRACE',
      trace: {
        type: 'ERROR',
        emitted_at: Date.now(),
        error: {
          message,
          failure_type: failureType,
          ...(error?.message && error.message !== message ? { internal_message: error.message } : {}),
          ...(error?.stack ? { stack_trace: error.stack } : {}),
        },
      },
    });
  }
}
