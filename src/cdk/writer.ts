// A connector's stdout. Lines are encoded straight into large buffers: one write per message costs a
// system call each, and joining strings first costs a copy of every byte that the stream then encodes.
// A record is written as its cached head (stream and time stamp) and its data's text or bytes.
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { encodeMessage } from '../protocol/codec.js';
import type { AirbyteMessage } from '../protocol/messages.js';
import { MessageOutput } from './output.js';

const CHUNK_BYTES = 256 * 1024;
/** UTF-8 takes at most three bytes per UTF-16 code unit */
const MAX_BYTES_PER_CHAR = 3;

const RECORD_END = Buffer.from('}}\n');

export class MessageWriter extends MessageOutput {
  private chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  private used = 0;
  private readonly recordPrefixes = new Map<string, string>();
  /** the start of the last record written, up to its data, kept while its stream and millisecond last */
  private head = { stream: '', namespace: undefined as string | undefined, ms: -1, bytes: RECORD_END };

  constructor(private readonly out: Writable = process.stdout) {
    super();
  }

  recordJson(stream: string, dataJson: string | Uint8Array, namespace?: string): Promise<void> | void {
    const head = this.recordHead(stream, namespace);
    const dataBytes = typeof dataJson === 'string' ? dataJson.length * MAX_BYTES_PER_CHAR : dataJson.length;
    const worstCase = head.length + dataBytes + RECORD_END.length;
    if (worstCase > CHUNK_BYTES) {
      const data = typeof dataJson === 'string' ? Buffer.from(dataJson) : dataJson;
      return this.line(Buffer.concat([head, data, RECORD_END]));
    }
    const pending = this.room(worstCase);
    this.used += head.copy(this.chunk, this.used);
    if (typeof dataJson === 'string') {
      this.used += this.chunk.write(dataJson, this.used);
    } else {
      this.chunk.set(dataJson, this.used);
      this.used += dataJson.length;
    }
    this.used += RECORD_END.copy(this.chunk, this.used);
    return pending;
  }

  private recordHead(stream: string, namespace: string | undefined): Buffer {
    const ms = Date.now();
    const head = this.head;
    if (head.ms === ms && head.stream === stream && head.namespace === namespace) return head.bytes;
    const key = namespace === undefined ? stream : `${namespace}\u0000${stream}`;
    let prefix = this.recordPrefixes.get(key);
    if (prefix === undefined) {
      const ns = namespace === undefined ? '' : `"namespace":${JSON.stringify(namespace)},`;
      prefix = `{"type":"RECORD","record":{${ns}"stream":${JSON.stringify(stream)},"emitted_at":`;
      this.recordPrefixes.set(key, prefix);
    }
    this.head = { stream, namespace, ms, bytes: Buffer.from(`${prefix}${ms},"data":`) };
    return this.head.bytes;
  }

  message(message: AirbyteMessage): Promise<void> | void {
    return this.line(encodeMessage(message));
  }

  /** Writes what is buffered and waits until the stream has taken it. */
  async flush(): Promise<void> {
    const bytes = this.take();
    await new Promise<void>((resolve, reject) =>
      this.out.write(bytes, (error) => (error ? reject(error) : resolve())),
    );
  }

  // Returns a promise only when the stream pushes back, so a tight loop pays for no promise per record.
  private line(text: string | Buffer): Promise<void> | void {
    const worstCase = typeof text === 'string' ? text.length * MAX_BYTES_PER_CHAR : text.length;
    if (worstCase > CHUNK_BYTES) {
      const full = this.used > 0 && !this.out.write(this.take());
      if (!this.out.write(text) || full) return once(this.out, 'drain').then(() => undefined);
      return;
    }
    const pending = this.room(worstCase);
    if (typeof text === 'string') this.used += this.chunk.write(text, this.used);
    else this.used += text.copy(this.chunk, this.used);
    return pending;
  }

  /** Makes room for `bytes` more, writing out the buffer when they would not fit. */
  private room(bytes: number): Promise<void> | void {
    if (this.used + bytes <= CHUNK_BYTES || this.used === 0) return;
    if (!this.out.write(this.take())) return once(this.out, 'drain').then(() => undefined);
  }

  /** The buffered bytes; the stream may hold on to them, so the next line goes to a new buffer. */
  private take(): Buffer {
    const bytes = this.chunk.subarray(0, this.used);
    this.chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    this.used = 0;
    return bytes;
  }
}
