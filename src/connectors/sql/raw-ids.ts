// `_airbyte_raw_id` for rows handed over in bulk (cdk/rows.ts): each line of the text gets a tab and a
// random (version 4) UUID. Done here rather than by a column default: with `DEFAULT gen_random_uuid()`
// a million-row COPY took 25–60 % longer, and it is PostgreSQL, not Node, that bounds this path;
// appending them to the text one `randomUUID()` string at a time was a quarter of the engine's CPU in
// a sync. This writes them as hex straight into the output from a pool of random bytes.
import { randomFillSync } from 'node:crypto';

/** "\t" + 36 characters of UUID */
const RAW_ID_BYTES = 37;
const UUIDS_PER_FILL = 1024;
const pool = Buffer.alloc(16 * UUIDS_PER_FILL);
let used = UUIDS_PER_FILL;

const HEX = Buffer.from('0123456789abcdef');
/** where a UUID's 16 bytes go in its text, two hex digits each, after the tab */
const AT = [1, 3, 5, 7, 10, 12, 15, 17, 20, 22, 25, 27, 29, 31, 33, 35];

/** The lines of `text` (each ending in "\n"), each with "\t" and a new UUID before its line break. */
export function withRawIds(text: Buffer, lines: number): Buffer {
  const out = Buffer.allocUnsafe(text.length + lines * RAW_ID_BYTES);
  // The text goes to the end of the output in one copy, then each line moves down into place with
  // copyWithin (a memmove), its id written after it: Buffer#copy per line went through a JavaScript
  // wrapper a million times a million rows. A line never moves over text still to be read: what is
  // ahead of it is the room the later lines' ids take.
  let from = out.length - text.length;
  text.copy(out, from);
  let to = 0;
  let count = 0;
  while (from < out.length) {
    const end = out.indexOf(NEWLINE, from);
    if (end === -1) throw new Error('rows in bulk must end with a line break');
    if (count === lines) throw new Error(`rows in bulk: more lines than the ${lines} announced`);
    count++;
    out.copyWithin(to, from, end);
    to += end - from;
    writeUuid(out, to);
    to += RAW_ID_BYTES;
    out[to++] = NEWLINE;
    from = end + 1;
  }
  if (count !== lines) throw new Error(`rows in bulk: ${count} lines, not the ${lines} announced`);
  return out;
}

function writeUuid(out: Buffer, at: number): void {
  if (used === UUIDS_PER_FILL) {
    randomFillSync(pool);
    used = 0;
  }
  const from = 16 * used++;
  out[at] = TAB;
  out[at + 9] = out[at + 14] = out[at + 19] = out[at + 24] = DASH;
  for (let i = 0; i < 16; i++) {
    let byte = pool[from + i];
    if (i === 6) byte = (byte & 0x0f) | 0x40;
    else if (i === 8) byte = (byte & 0x3f) | 0x80;
    out[at + AT[i]] = HEX[byte >> 4];
    out[at + AT[i] + 1] = HEX[byte & 0x0f];
  }
}

const NEWLINE = 0x0a;
const TAB = 0x09;
const DASH = 0x2d;
