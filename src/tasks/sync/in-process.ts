// The in-process path (DESIGN.md, "Sync task"): when both connectors are built in, the source's `read`
// and the destination's `write` run in the platform's own process, and messages go from one to the
// other as objects. No stdio, no line encoding or decoding, no second copy of the Node runtime; a record
// stays the JSON text its source made until the destination reads it, and a source and destination
// that share a bulk-load format (cdk/rows.ts) hand rows over without any JSON at all. Everything else
// (routing, state acknowledgement, counts, logs, failures) is the pipe's, as for processes.
import { MessageOutput } from '../../cdk/output.js';
import type { RowBatch, RowFormat } from '../../cdk/rows.js';
import { callInProcess, readInProcess, writeInProcess } from '../../cdk/run.js';
import type { Destination, Source } from '../../cdk/connector.js';
import { TextRecord } from '../../protocol/codec.js';
import type {
  AirbyteErrorTraceMessage,
  AirbyteMessage,
  ConfiguredAirbyteCatalog,
  JsonObject,
} from '../../protocol/messages.js';
import { type ConnectorExit, failureOf } from './launcher.js';
import { MessageQueue } from './message-queue.js';
import type { SyncPipe } from './pipe.js';

/** A connector's output handed to `deliver` as objects. */
class ObjectOutput extends MessageOutput {
  /** the last TRACE error, which fails the command as it does a process's */
  lastError: AirbyteErrorTraceMessage | undefined;

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
    }
    return this.deliver(message);
  }

  recordJson(stream: string, dataJson: string | Uint8Array, namespace?: string): Promise<void> | void {
    const json = typeof dataJson === 'string' ? dataJson : Buffer.from(dataJson).toString('utf8');
    return this.deliver({ type: 'RECORD', record: new TextRecord(namespace, stream, Date.now(), json) });
  }

  override rows(batch: RowBatch): Promise<void> | void {
    if (batch.type !== 'ROWS' || this.format === undefined) return super.rows(batch);
    return this.deliver(batch);
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
  const sourceOut = new ObjectOutput(
    (message) => pipe.fromSource({ message }, input),
    destination.connector.rowFormat,
    signal,
  );
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
    const reading = readInProcess(
      source.connector,
      source.config,
      source.catalog,
      source.state,
      sourceOut,
    ).then(async (code) => {
      await pipe.finish(input, code === 0 && !sourceOut.lastError && !signal.aborted);
      return code;
    });
    const [readCode, writeCode] = await Promise.all([reading, writing]);
    await pipe.settled();
    return { read: exitOf(readCode, sourceOut, signal), write: exitOf(writeCode, destinationOut, signal) };
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** A short command (spec, check, discover) of a built-in connector, run in this process: its messages
 * and how it ended, as runConnector gives them for a process. */
export async function runInProcess(
  connector: Source | Destination,
  verb: 'spec' | 'check' | 'discover',
  config: JsonObject | undefined,
): Promise<{ messages: { message: AirbyteMessage }[]; exit: ConnectorExit }> {
  const messages: { message: AirbyteMessage }[] = [];
  const out = new ObjectOutput((message) => {
    if (message.type !== 'ROWS') messages.push({ message });
  });
  const code = await callInProcess(connector, verb, config, out);
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
