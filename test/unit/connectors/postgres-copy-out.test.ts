import { describe, expect, test } from 'vitest';
import { copyOut } from '../../../src/connectors/postgres/copy-out.js';

function message(code: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header[0] = code.charCodeAt(0);
  header.writeUInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

const rows = ['1\ta\n', '2\tbb\n', '3\t\\N\n', `4\t${'x'.repeat(300)}\n`];
/** CopyOutResponse, a notice between rows, the rows, CopyDone, then what pg reads afterwards */
const protocol = Buffer.concat([
  message('H', Buffer.from([0, 0, 2, 0, 0, 0, 0])),
  message('d', Buffer.from(rows[0])),
  message('N', Buffer.from('notice\0')),
  ...rows.slice(1).map((r) => message('d', Buffer.from(r))),
  message('c', Buffer.alloc(0)),
  message('C', Buffer.from('COPY 4\0')),
]);
const afterCopy = message('C', Buffer.from('COPY 4\0'));

/** Feeds `chunks` to a copyOut stream as the socket would (each a buffer of its own, which the stream
 * may rewrite); returns what it gave and what it handed back. */
function feed(chunks: Buffer[]) {
  const stream = copyOut('COPY t TO STDOUT') as unknown as Record<string, unknown> & {
    _parse(chunk: Buffer): boolean;
  };
  const given: Buffer[] = [];
  let ended = false;
  const handedBack: Buffer[] = [];
  stream.push = (chunk: Buffer | null) => {
    if (chunk === null) ended = true;
    else given.push(chunk);
    return true;
  };
  stream._buffer = { push: (b: Buffer) => handedBack.push(b), size: 0 };
  let detached = false;
  stream._detach = () => (detached = true);
  stream._cleanup = () => {};
  for (const chunk of chunks) {
    if (detached) break;
    stream._parse(chunk);
  }
  return { data: Buffer.concat(given).toString(), ended, handedBack: Buffer.concat(handedBack) };
}

describe('copyOut', () => {
  test('gives the CopyData bytes of the whole stream, whatever chunks the socket cuts it into', () => {
    for (let size = 1; size <= protocol.length; size += size < 12 ? 1 : 37) {
      const chunks = [];
      for (let at = 0; at < protocol.length; at += size)
        chunks.push(Buffer.from(protocol.subarray(at, at + size)));
      const { data, ended, handedBack } = feed(chunks);
      expect(data, `chunks of ${size}`).toBe(rows.join(''));
      expect(ended).toBe(true);
      // what came after CopyDone in the same chunk is pg's again
      expect(afterCopy.subarray(0, handedBack.length).equals(handedBack)).toBe(true);
    }
  });

  test('an ErrorResponse is handed back to pg whole, the stream not ended', () => {
    const error = message('E', Buffer.from('SERROR\0'));
    const { data, ended, handedBack } = feed([Buffer.concat([message('d', Buffer.from(rows[0])), error])]);
    expect(data).toBe(rows[0]);
    expect(ended).toBe(false);
    expect(handedBack.equals(error)).toBe(true);
  });
});
