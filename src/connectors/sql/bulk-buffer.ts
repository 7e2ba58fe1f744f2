// A batch of bulk-load lines kept as UTF-8 in large buffers: as JS strings a batch costs twice the
// memory, and strings built by concatenation are ropes of small pieces that the garbage collector
// then has to walk. The buffers of a loaded batch are filled again: left to the garbage collector,
// which frees buffers only once 64 MB of them have piled up, they were a fifth of a sync's memory.
const CHUNK_BYTES = 1024 * 1024;
/** UTF-8 takes at most three bytes per UTF-16 code unit */
const MAX_BYTES_PER_CHAR = 3;
/** ≈ two batches of DEFAULT_BATCH_CHARS (destination-writer.ts): one filling, one loading */
const MAX_SPARE_CHUNKS = 16;

/** chunks of loaded batches, shared by every buffer of the process */
const spare: Buffer[] = [];
const freshChunk = (): Buffer => spare.pop() ?? Buffer.allocUnsafe(CHUNK_BYTES);

export class BulkBuffer {
  /** Takes back what take() gave, once nothing reads it any more (its load has ended). */
  static recycle(chunks: Buffer[]): void {
    for (const chunk of chunks) {
      if (spare.length >= MAX_SPARE_CHUNKS) return;
      // a whole chunk of ours (or a line as long): its memory is not shared with anything else
      if (chunk.byteOffset === 0 && chunk.buffer.byteLength === CHUNK_BYTES) {
        spare.push(Buffer.from(chunk.buffer, 0, CHUNK_BYTES));
      }
    }
  }

  private chunks: Buffer[] = [];
  private chunk = freshChunk();
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

  /** Keeps only the first `bytes` bytes (whole lines, `lines` of them): what came after is dropped. */
  truncate(bytes: number, lines: number): void {
    this.seal();
    let kept = 0;
    const chunks: Buffer[] = [];
    for (const chunk of this.chunks) {
      if (kept >= bytes) break;
      const part = chunk.subarray(0, Math.min(chunk.length, bytes - kept));
      chunks.push(part);
      kept += part.length;
    }
    this.chunks = chunks;
    this.bytes = kept;
    this.lines = lines;
  }

  /** The first `bytes` bytes (whole lines, `lines` of them), keeping what comes after. */
  takeFirst(bytes: number, lines: number): Buffer[] {
    this.seal();
    const first: Buffer[] = [];
    let taken = 0;
    let i = 0;
    for (; i < this.chunks.length && taken < bytes; i++) {
      const chunk = this.chunks[i];
      const part = Math.min(chunk.length, bytes - taken);
      first.push(chunk.subarray(0, part));
      taken += part;
      // the rest of a split chunk is copied: the first part's memory is recycled after its load
      if (part < chunk.length) this.chunks[i] = Buffer.from(chunk.subarray(part));
      else continue;
      break;
    }
    this.chunks = this.chunks.slice(i);
    this.bytes -= taken;
    this.lines -= lines;
    return first;
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
    this.chunk = freshChunk();
    this.used = 0;
  }
}
