// Rows of `COPY … TO STDOUT (FORMAT binary)` as they stream in. Binary rather than text: text COPY
// escapes backslashes and line breaks, which JSON text is full of, and would need unescaping; binary
// hands each field over as its bytes, length-prefixed. Fields are decoded as UTF-8 text (the query
// selects text columns only).
const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const HEADER_BYTES = SIGNATURE.length + 8;

type Attempt = { row: (string | null)[]; next: number } | { need: number };

function parseRow(buf: Buffer, start: number): Attempt | null {
  if (buf.length < start + 2) return { need: start + 2 };
  const count = buf.readInt16BE(start);
  if (count === -1) return null;
  let pos = start + 2;
  const row: (string | null)[] = [];
  for (let i = 0; i < count; i++) {
    if (buf.length < pos + 4) return { need: pos + 4 };
    const length = buf.readInt32BE(pos);
    pos += 4;
    if (length === -1) {
      row.push(null);
      continue;
    }
    if (buf.length < pos + length) return { need: pos + length };
    row.push(buf.toString('utf8', pos, pos + length));
    pos += length;
  }
  return { row, next: pos };
}

export async function* copyBinaryRows(source: AsyncIterable<Buffer>): AsyncGenerator<(string | null)[]> {
  let buf = Buffer.alloc(0);
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
    buf = Buffer.concat([buf, ...waiting]);
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
    for (;;) {
      const attempt = parseRow(buf, pos);
      if (attempt === null) {
        ended = true;
        break;
      }
      if ('need' in attempt) {
        need = attempt.need - pos;
        break;
      }
      yield attempt.row;
      pos = attempt.next;
    }
    buf = buf.subarray(pos);
  }
  if (!ended) throw new Error('the binary COPY stream ended without its trailer');
}
