// Rows of `COPY … TO STDOUT (FORMAT binary)` as they stream in. Binary rather than text: text COPY
// escapes backslashes and line breaks, which JSON text is full of, and would need unescaping; binary
// hands each field over as its bytes, length-prefixed. Fields stay bytes (the query selects text
// columns, so UTF-8): JSON text goes out as it came, and only what is read is decoded.
const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const HEADER_BYTES = SIGNATURE.length + 8;

export type CopyRow = (Buffer | null)[];

interface Parsed {
  /** where the first row not parsed starts */
  next: number;
  /** bytes from `next` needed before that row can be parsed */
  need: number;
  /** the trailer was reached */
  ended: boolean;
}

/** Parses the whole rows of buf from start into rows. */
function parseRows(buf: Buffer, start: number, rows: CopyRow[]): Parsed {
  let rowStart = start;
  for (;;) {
    if (buf.length < rowStart + 2) return { next: rowStart, need: 2, ended: false };
    const count = buf.readInt16BE(rowStart);
    if (count === -1) return { next: rowStart + 2, need: 0, ended: true };
    let pos = rowStart + 2;
    const row: CopyRow = new Array<Buffer | null>(count);
    let complete = true;
    for (let i = 0; i < count; i++) {
      if (buf.length < pos + 4) {
        complete = false;
        pos += 4;
        break;
      }
      const length = buf.readInt32BE(pos);
      pos += 4;
      if (length === -1) {
        row[i] = null;
        continue;
      }
      if (buf.length < pos + length) {
        complete = false;
        pos += length;
        break;
      }
      row[i] = buf.subarray(pos, pos + length);
      pos += length;
    }
    if (!complete) return { next: rowStart, need: pos - rowStart, ended: false };
    rows.push(row);
    rowStart = pos;
  }
}

/** The rows, those each chunk completes at a time (a consumer loops over them without an
 * asynchronous step per row). */
export async function* copyBinaryRows(source: AsyncIterable<Buffer>): AsyncGenerator<CopyRow[]> {
  let buf: Buffer = Buffer.alloc(0);
  let headerDone = false;
  // a row longer than a chunk waits for enough chunks, then one concatenation: no quadratic copying
  let waiting: Buffer[] = [];
  let waitingBytes = 0;
  let need = HEADER_BYTES;
  let ended = false;
  // read to the stream's end even after the trailer: leaving early would abandon the connection
  // in the middle of the COPY protocol
  for await (const chunk of source) {
    if (ended) continue;
    waiting.push(chunk);
    waitingBytes += chunk.length;
    if (buf.length + waitingBytes < need) continue;
    buf = buf.length === 0 && waiting.length === 1 ? chunk : Buffer.concat([buf, ...waiting]);
    waiting = [];
    waitingBytes = 0;
    let pos = 0;
    if (!headerDone) {
      if (!buf.subarray(0, SIGNATURE.length).equals(SIGNATURE)) throw new Error('not a binary COPY stream');
      pos = HEADER_BYTES + buf.readInt32BE(SIGNATURE.length + 4);
      if (buf.length < pos) {
        need = pos;
        continue;
      }
      headerDone = true;
    }
    const rows: CopyRow[] = [];
    const parsed = parseRows(buf, pos, rows);
    ended = parsed.ended;
    need = parsed.need;
    buf = buf.subarray(parsed.next);
    if (rows.length > 0) yield rows;
  }
  if (!ended) throw new Error('the binary COPY stream ended without its trailer');
}
