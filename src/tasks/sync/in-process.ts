// The in-process path (DESIGN.md, "Sync task"): when both connectors are built in, the source's `read`
// and the destination's `write` run in the platform's own process, and messages go from one to the
// other as objects. No stdio, no line encoding or decoding, no second copy of the Node runtime; a record
// stays the JSON text its source made until the destination reads it, and a source and destination
// that share a bulk-load format (cdk/rows.ts) hand rows over without any JSON at all. Everything else
// (routing, state acknowledgement, counts, logs, failures) is the pipe's, as for processes.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { MessageOutput } from '../../cdk/output.js';
import type { RowBatch, RowFormat } from '../../cdk/rows.js';
import { callInProcess, committedStateInProcess, readInProcess, writeInProcess } from '../../cdk/run.js';
import type { Destination, Source } from '../../cdk/connector.js';
import { ProtocolError, TextRecord } from '../../protocol/codec.js';
import type {
  AirbyteErrorTraceMessage,
  AirbyteMessage,
  ConfiguredAirbyteCatalog,
  JsonObject,
} from '../../protocol/messages.js';
import { recordProblem } from '../../protocol/messages.js';
import { type ConnectorExit, failureOf } from './launcher.js';
import type { DestinationInput } from './destination-input.js';
import { MessageQueue } from './message-queue.js';
import type { SyncPipe } from './pipe.js';

/** How long a connector in process may keep the event loop to itself: its messages are handed over
 * as promises that resolve at once, so without a turn now and then no timer or I/O of the process
 * runs (log batches, live progress, heartbeats) until the whole sync has ended. */
const TURN_EVERY_MS = 50;
const MESSAGES_BETWEEN_CLOCK_READS = 256;

const OPEN_BRACE = 0x7b;

/** A connector's output handed to `deliver` as objects. */
class ObjectOutput extends MessageOutput {
  /** the last TRACE error, which fails the command as it does a process's */
  lastError: AirbyteErrorTraceMessage | undefined;
  private sinceClockRead = 0;
  private lastTurn = Date.now();

  constructor(
    private readonly deliver: (message: AirbyteMessage | RowBatch) => Promise<void> | void,
    private readonly format?: RowFormat,
    private readonly stop?: AbortSignal,
  ) {
    super();
  }

  override get rowFormat(): RowFormat | undefined {
    return this.format;
  }

  override get signal(): AbortSignal | undefined {
    return this.stop;
  }

  message(message: AirbyteMessage): Promise<void> | void {
    if (message.type === 'TRACE' && message.trace.type === 'ERROR' && message.trace.error) {
      this.lastError = message.trace.error;
      // a connector reports its failure after it stopped: that report still goes through
      return this.deliver(message);
    }
    this.stopIfAborted();
    // the same refusal as for a process's line (codec.ts): in process, the connector's code is ours,
    // but what it reads (a declarative manifest's selector, a table's JSON) is not
    const problem = message.type === 'RECORD' ? recordProblem(message.record) : undefined;
    if (problem !== undefined) throw new ProtocolError(problem);
    return this.pass(message);
  }

  recordJson(stream: string, dataJson: string | Uint8Array, namespace?: string): Promise<void> | void {
    this.stopIfAborted();
    // decoded where the bytes are: Buffer.from(a Uint8Array) would copy them first
    const json =
      typeof dataJson === 'string'
        ? dataJson
        : Buffer.from(dataJson.buffer, dataJson.byteOffset, dataJson.byteLength).toString('utf8');
    // an object's text starts with `{`: anything else (`5`, `[1]`, `null`) is not a record's data
    let first = 0;
    while (first < json.length && json.charCodeAt(first) <= 0x20) first++;
    if (json.charCodeAt(first) !== OPEN_BRACE) {
      throw new ProtocolError(`a RECORD of stream ${JSON.stringify(stream)} whose data is not an object`);
    }
    return this.pass({ type: 'RECORD', record: new TextRecord(namespace, stream, Date.now(), json) });
  }

  override rows(batch: RowBatch): Promise<void> | void {
    if (batch.type !== 'ROWS' || this.format === undefined) return super.rows(batch);
    this.stopIfAborted();
    return this.pass(batch);
  }

  /** Delivers, after letting the event loop turn once if the connector has kept it long enough. */
  private pass(message: AirbyteMessage | RowBatch): Promise<void> | void {
    if (++this.sinceClockRead < MESSAGES_BETWEEN_CLOCK_READS) return this.deliver(message);
    this.sinceClockRead = 0;
    const now = Date.now();
    if (now - this.lastTurn < TURN_EVERY_MS) return this.deliver(message);
    this.lastTurn = now;
    return nextTurn().then(() => this.deliver(message));
  }

  /** A stopped sync takes nothing more: the connector's next message throws, which ends it. */
  private stopIfAborted(): void {
    if (this.stop?.aborted) throw new Error('Sync killed');
  }

  async flush(): Promise<void> {}
}

export interface InProcessSide<Impl> {
  connector: Impl;
  config: JsonObject;
  catalog: ConfiguredAirbyteCatalog;
}

export interface InProcessTransfer {
  source: InProcessSide<Source> & { state: unknown };
  destination: InProcessSide<Destination>;
  pipe: SyncPipe;
  signal: AbortSignal;
}

/** Runs the read into the write; resolves once both have ended, with how each ended. */
export async function transferInProcess({
  source,
  destination,
  pipe,
  signal,
}: InProcessTransfer): Promise<{ read: ConnectorExit; write: ConnectorExit }> {
  const input = new MessageQueue();
  const destinationOut = new ObjectOutput((message) => pipe.fromDestination({ message }), undefined, signal);
  // a kill stops both sides: the source's next message and the destination's next read throw
  const onAbort = () => input.close(new Error('Sync killed'));
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  try {
    const writing = writeInProcess(
      destination.connector,
      destination.config,
      destination.catalog,
      input,
      destinationOut,
    ).finally(() => input.close(new Error('the destination stopped reading its input')));
    const reading = readIntoInput(source, pipe, input, signal, destination.connector.rowFormat);
    const [read, writeCode] = await Promise.all([reading, writing]);
    await pipe.settled();
    return { read, write: exitOf(writeCode, destinationOut, signal) };
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/**
 * A built-in source's `read` in this process, its messages going through the pipe to `input` (a
 * destination in process, or a destination process's stdin), and its input ended after it; resolves
 * to how the read ended. Rows instead of records only when `rowFormat` says the destination takes
 * them.
 */
export async function readIntoInput(
  source: InProcessSide<Source> & { state: unknown },
  pipe: SyncPipe,
  input: DestinationInput,
  signal: AbortSignal,
  rowFormat?: RowFormat,
): Promise<ConnectorExit> {
  const out = new ObjectOutput(
    (message) => {
      // the data stops once the destination took no more; what the source says about it does not
      if (input.failed && message.type !== 'TRACE' && message.type !== 'LOG') throw input.failed;
      return pipe.fromSource({ message }, input);
    },
    rowFormat,
    signal,
  );
  const code = await readInProcess(source.connector, source.config, source.catalog, source.state, out);
  await pipe.finish(input, code === 0 && !out.lastError && !signal.aborted);
  return exitOf(code, out, signal);
}

/** A short command (spec, check, discover, or a destination's committed-state for `catalog`) of a
 * built-in connector, run in this process: its messages and how it ended, as runConnector gives them
 * for a process. */
export async function runInProcess(
  connector: Source | Destination,
  verb: 'spec' | 'check' | 'discover' | 'committed-state',
  config: JsonObject | undefined,
  catalog?: ConfiguredAirbyteCatalog,
): Promise<{ messages: { message: AirbyteMessage }[]; exit: ConnectorExit }> {
  const messages: { message: AirbyteMessage }[] = [];
  const out = new ObjectOutput((message) => {
    if (message.type !== 'ROWS') messages.push({ message });
  });
  const code =
    verb === 'committed-state'
      ? await committedStateInProcess(connector as Destination, config!, catalog!, out)
      : await callInProcess(connector, verb, config, out);
  return { messages, exit: exitOf(code, out) };
}

function exitOf(code: number, out: ObjectOutput, signal?: AbortSignal): ConnectorExit {
  const cancelled = signal?.aborted ?? false;
  return {
    exitCode: code,
    signal: null,
    cancelled,
    failure: cancelled ? undefined : failureOf(code, null, out.lastError, undefined, []),
  };
}
