// A batch of bulk-load lines kept as UTF-8 in large buffers: as JS strings a batch costs twice the
// memory, and strings built by concatenation are ropes of small pieces that the garbage collector
// then has to walk.
const CHUNK_BYTES = 1024 * 1024;
/** UTF-8 takes at most three bytes per UTF-16 code unit */
const MAX_BYTES_PER_CHAR = 3;

export class BulkBuffer {
  private chunks: Buffer[] = [];
  private chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  private used = 0;
  /** bytes held */
  bytes = 0;
  lines = 0;

  push(line: string): void {
    const worstCase = line.length * MAX_BYTES_PER_CHAR;
    if (this.used + worstCase > this.chunk.length) {
      this.seal();
      if (worstCase > CHUNK_BYTES) {
        const whole = Buffer.from(line);
        this.chunks.push(whole);
        this.bytes += whole.length;
        this.lines++;
        return;
      }
    }
    const written = this.chunk.write(line, this.used);
    this.used += written;
    this.bytes += written;
    this.lines++;
  }

  /** The bytes held, emptying the buffer. */
  take(): Buffer[] {
    this.seal();
    const chunks = this.chunks;
    this.chunks = [];
    this.bytes = 0;
    this.lines = 0;
    return chunks;
  }

  private seal(): void {
    if (this.used === 0) return;
    this.chunks.push(this.chunk.subarray(0, this.used));
    this.chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    this.used = 0;
  }
}
