// A destination process's stdin, fed line by line. Lines are copied into large chunks so that a million
// small records cost a few hundred writes rather than a million, and a chunk goes out as soon as the
// loop feeding it waits for more input (setImmediate), so a slow source's records are not held back.
import type { Writable } from 'node:stream';
import type { RowBatch } from '../../cdk/rows.js';
import { recordLine } from '../../protocol/codec.js';
import type { AirbyteMessage, AirbyteRecordMessage } from '../../protocol/messages.js';
import type { DestinationInput } from './destination-input.js';

const CHUNK_BYTES = 256 * 1024;
const NEWLINE = 0x0a;

export class LineSink implements DestinationInput {
  private chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  private used = 0;
  private flushScheduled = false;
  private failure: Error | undefined;
  private waiting: Promise<void> | undefined;

  constructor(private readonly out: Writable) {
    // a destination that dies closes its stdin: the write fails with EPIPE, reported by `failed`
    out.on('error', (error: Error) => {
      this.failure ??= error;
    });
  }

  /** the write error, when the destination stopped reading */
  get failed(): Error | undefined {
    return this.failure;
  }

  record(record: AirbyteRecordMessage, raw: Buffer | undefined): Promise<void> | void {
    return this.line(raw ?? Buffer.from(recordLine(record)));
  }

  message(message: AirbyteMessage | RowBatch): Promise<void> | void {
    // rows are for a destination in process only; the source sends them only when one takes them
    if (message.type === 'ROWS') throw new Error('rows cannot go to a connector process');
    return this.line(Buffer.from(JSON.stringify(message)));
  }

  /** Adds one line (without its newline). Returns a promise only when the destination pushes back. */
  line(bytes: Buffer): Promise<void> | void {
    if (this.used + bytes.length + 1 > CHUNK_BYTES) {
      const pending = this.flush();
      if (bytes.length + 1 > CHUNK_BYTES) {
        return this.whenWritten(pending, this.write(Buffer.concat([bytes, Buffer.of(NEWLINE)])));
      }
      this.copy(bytes);
      return pending;
    }
    this.copy(bytes);
  }

  /** Writes what is buffered; resolves once the destination has room again. */
  flush(): Promise<void> | void {
    if (this.used === 0) return;
    const bytes = this.chunk.subarray(0, this.used);
    this.chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    this.used = 0;
    return this.write(bytes);
  }

  async end(): Promise<void> {
    await this.flush();
    if (this.failure || this.out.writableEnded || this.out.destroyed) return;
    // a destination gone before its input ended never acknowledges the end: its close or error does
    await new Promise<void>((resolve) => {
      const done = (): void => {
        this.out.off('finish', done).off('close', done).off('error', done);
        resolve();
      };
      this.out.on('finish', done).on('close', done).on('error', done);
      this.out.end();
    });
  }

  private copy(bytes: Buffer): void {
    this.used += bytes.copy(this.chunk, this.used);
    this.chunk[this.used++] = NEWLINE;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        void this.flush();
      });
    }
  }

  private write(bytes: Buffer): Promise<void> | void {
    if (this.failure || this.out.destroyed) return;
    if (this.out.write(bytes)) return;
    return this.roomAgain();
  }

  /** One wait for every write made while the destination is full, not a set of listeners each. A
   * destination that dies never drains: its close or error ends the wait too. */
  private roomAgain(): Promise<void> {
    this.waiting ??= new Promise<void>((resolve) => {
      const done = (): void => {
        this.out.off('drain', done).off('close', done).off('error', done);
        this.waiting = undefined;
        resolve();
      };
      this.out.on('drain', done).on('close', done).on('error', done);
    });
    return this.waiting;
  }

  private whenWritten(a: Promise<void> | void, b: Promise<void> | void): Promise<void> | void {
    if (!a && !b) return;
    return Promise.all([a, b]).then(() => undefined);
  }
}
