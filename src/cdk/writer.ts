// A connector's stdout. Lines are encoded straight into large buffers: one write per message costs a
// system call each, and joining strings first costs a copy of every byte that the stream then encodes.
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { encodeMessage } from '../protocol/codec.js';
import type {
  AirbyteMessage,
  AirbyteStateStats,
  FailureType,
  JsonObject,
  LogLevel,
  StreamDescriptor,
} from '../protocol/messages.js';

const CHUNK_BYTES = 256 * 1024;
/** UTF-8 takes at most three bytes per UTF-16 code unit */
const MAX_BYTES_PER_CHAR = 3;

export class MessageWriter {
  private chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  private used = 0;
  private readonly recordPrefixes = new Map<string, string>();

  constructor(private readonly out: Writable = process.stdout) {}

  record(stream: string, data: JsonObject, namespace?: string): Promise<void> | void {
    return this.recordJson(stream, JSON.stringify(data), namespace);
  }

  /** A RECORD whose `data` is JSON text already (a database's own JSON, a generator's output), written
   * without parsing it or building the message object around it. */
  recordJson(stream: string, dataJson: string, namespace?: string): Promise<void> | void {
    const key = namespace === undefined ? stream : `${namespace}\u0000${stream}`;
    let prefix = this.recordPrefixes.get(key);
    if (prefix === undefined) {
      const ns = namespace === undefined ? '' : `"namespace":${JSON.stringify(namespace)},`;
      prefix = `{"type":"RECORD","record":{${ns}"stream":${JSON.stringify(stream)},"emitted_at":`;
      this.recordPrefixes.set(key, prefix);
    }
    return this.line(`${prefix}${Date.now()},"data":${dataJson}}}\n`);
  }

  message(message: AirbyteMessage): Promise<void> | void {
    return this.line(encodeMessage(message));
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

  /** Writes what is buffered and waits until the stream has taken it. */
  async flush(): Promise<void> {
    const bytes = this.take();
    await new Promise<void>((resolve, reject) =>
      this.out.write(bytes, (error) => (error ? reject(error) : resolve())),
    );
  }

  // Returns a promise only when the stream pushes back, so a tight loop pays for no promise per record.
  private line(text: string): Promise<void> | void {
    const worstCase = text.length * MAX_BYTES_PER_CHAR;
    if (this.used + worstCase <= CHUNK_BYTES) {
      this.used += this.chunk.write(text, this.used);
      return;
    }
    let full = this.used > 0 && !this.out.write(this.take());
    if (worstCase <= CHUNK_BYTES) this.used = this.chunk.write(text, 0);
    else full = !this.out.write(text) || full;
    if (full) return once(this.out, 'drain').then(() => undefined);
  }

  /** The buffered bytes; the stream may hold on to them, so the next line goes to a new buffer. */
  private take(): Buffer {
    const bytes = this.chunk.subarray(0, this.used);
    this.chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    this.used = 0;
    return bytes;
  }
}
