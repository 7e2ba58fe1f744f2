import { describe, expect, test } from 'vitest';
import {
  type DecodedMessage,
  LineTooLongError,
  decodeMessages,
  encodeMessage,
  recordDataJson,
} from '../../../src/protocol/codec.js';
import type { RecordMessage } from '../../../src/protocol/messages.js';

async function* chunks(...parts: (string | Buffer)[]): AsyncGenerator<Buffer> {
  for (const part of parts) yield Buffer.isBuffer(part) ? part : Buffer.from(part);
}

async function decode(...parts: (string | Buffer)[]): Promise<DecodedMessage[]> {
  const out: DecodedMessage[] = [];
  for await (const decoded of decodeMessages(chunks(...parts), { maxLineBytes: 1024 })) out.push(decoded);
  return out;
}

const record = '{"type":"RECORD","record":{"stream":"users","data":{"id":1},"emitted_at":5}}';

describe('decodeMessages', () => {
  test('parses a message split across chunks', async () => {
    const [decoded] = await decode(record.slice(0, 10), record.slice(10, 40), `${record.slice(40)}\n`);
    expect(decoded.message).toEqual(JSON.parse(record));
  });

  test('splits a multibyte character across chunks without damage', async () => {
    const line = Buffer.from('{"type":"LOG","log":{"level":"INFO","message":"héllo €"}}\n');
    const [decoded] = await decode(line.subarray(0, 45), line.subarray(45));
    expect(decoded.message).toEqual({ type: 'LOG', log: { level: 'INFO', message: 'héllo €' } });
  });

  test('keeps the raw bytes of the line', async () => {
    const [decoded] = await decode(`${record}\n`);
    expect(decoded.raw.toString()).toBe(record);
  });

  test('yields several messages from one chunk', async () => {
    expect(await decode(`${record}\n${record}\n${record}\n`)).toHaveLength(3);
  });

  test('strips CRLF line endings', async () => {
    const decoded = await decode(`${record}\r\n${record.slice(0, 20)}`, `${record.slice(20)}\r`, '\n');
    expect(decoded.map((d) => [d.wrapped, d.raw.toString()])).toEqual([
      [false, record],
      [false, record],
    ]);
  });

  test('decodes a last line without newline', async () => {
    const decoded = await decode(`${record}\n${record}`);
    expect(decoded.map((d) => d.message.type)).toEqual(['RECORD', 'RECORD']);
  });

  test('turns a non-JSON line into a log with its text', async () => {
    const [decoded] = await decode('Starting connector…\n');
    expect(decoded).toMatchObject({
      wrapped: true,
      message: { type: 'LOG', log: { level: 'INFO', message: 'Starting connector…' } },
    });
  });

  test('turns JSON that is not a message into a log', async () => {
    const decoded = await decode('{"type":"NOPE","nope":{}}\n[1,2]\n{"type":"RECORD","record":"x"}\n');
    expect(decoded.map((d) => d.wrapped)).toEqual([true, true, true]);
  });

  test('keeps unknown fields', async () => {
    const line = '{"type":"STATE","state":{"data":{"c":1},"extra":true},"origin":"faros"}';
    const [decoded] = await decode(line);
    expect(decoded.message).toEqual({
      type: 'STATE',
      state: { data: { c: 1 }, extra: true },
      origin: 'faros',
    });
  });

  test('skips empty lines', async () => {
    expect(await decode('\n\r\n', `${record}\n\n`)).toHaveLength(1);
  });

  test('refuses a line over the limit, naming the limit', async () => {
    await expect(decode('x'.repeat(1025), '\n')).rejects.toThrow(/exceeds the limit of 1024 bytes/);
  });

  test('refuses an endless line before it ends', async () => {
    async function* endless(): AsyncGenerator<Buffer> {
      for (;;) yield Buffer.alloc(512, 0x78);
    }
    const reading = (async () => {
      for await (const _ of decodeMessages(endless(), { maxLineBytes: 4096 })) void _;
    })();
    await expect(reading).rejects.toBeInstanceOf(LineTooLongError);
  });

  test('delivers the lines before an over-long one in the same chunk, then refuses it', async () => {
    const out: DecodedMessage[] = [];
    const reading = (async () => {
      for await (const decoded of decodeMessages(chunks(`${record}\n${'x'.repeat(2000)}\n`), {
        maxLineBytes: 1024,
      })) {
        out.push(decoded);
      }
    })();
    await expect(reading).rejects.toBeInstanceOf(LineTooLongError);
    expect(out).toHaveLength(1);
  });

  test('accepts a line exactly at the limit', async () => {
    const text = 'x'.repeat(1024);
    const [decoded] = await decode(`${text}\r\n`);
    expect(decoded.raw.length).toBe(1024);
  });
});

describe('decodeMessages of records as MessageWriter writes them', () => {
  const written = (data: string, namespace = '"namespace":"public",') =>
    `{"type":"RECORD","record":{${namespace}"stream":"users","emitted_at":1700000000123,"data":${data}}}`;

  test('decodes to what JSON.parse makes of the line', async () => {
    const lines = [written('{"id":1,"s":"a}}"}'), written('{"n":[1,{"x":null}]}', '')];
    const decoded = await decode(lines.map((line) => `${line}\n`).join(''));
    expect(decoded.map((d) => d.message)).toEqual(lines.map((line) => JSON.parse(line)));
  });

  test('keeps fields that follow the data', async () => {
    const line = written('{"id":1},"meta":{"changes":[]}');
    const [decoded] = await decode(`${line}\n`);
    expect(decoded.message).toEqual(JSON.parse(line));
  });

  test('decodes names with escapes and a time stamp with a sign', async () => {
    const lines = [
      written('{}', '"namespace":"a\\"b",'),
      '{"type":"RECORD","record":{"stream":"s","emitted_at":-1,"data":{}}}',
    ];
    const decoded = await decode(lines.map((line) => `${line}\n`).join(''));
    expect(decoded.map((d) => d.message)).toEqual(lines.map((line) => JSON.parse(line)));
  });

  test('with lazyData, keeps the data as text until it is read, then parses it once', async () => {
    const line = written('{"id":1,"tags":["a"]}');
    const out: DecodedMessage[] = [];
    for await (const decoded of decodeMessages(chunks(`${line}\n`), { lazyData: true })) out.push(decoded);
    const { record } = out[0].message as RecordMessage;
    expect(recordDataJson(record)).toBe('{"id":1,"tags":["a"]}');
    expect([record.stream, record.namespace, record.data]).toEqual([
      'users',
      'public',
      { id: 1, tags: ['a'] },
    ]);
    expect(recordDataJson(record)).toBeUndefined();
    expect(JSON.parse(JSON.stringify(out[0].message))).toEqual(JSON.parse(line));
  });

  test('with lazyData, data that is not JSON fails where it is read, naming the stream', async () => {
    const out: DecodedMessage[] = [];
    for await (const decoded of decodeMessages(chunks(`${written('{"id":1,}')}\n`), { lazyData: true })) {
      out.push(decoded);
    }
    const { record } = out[0].message as RecordMessage;
    expect(() => record.data).toThrow(/^a record of stream "users" whose data is not JSON/);
  });

  test('with lazyData, a record with members after its data is decoded whole, keeping them', async () => {
    const line =
      '{"type":"RECORD","record":{"stream":"users","emitted_at":1,"data":{"id":1},"meta":{"x":1}}}';
    const out: DecodedMessage[] = [];
    for await (const decoded of decodeMessages(chunks(`${line}\n`), { lazyData: true })) out.push(decoded);
    expect(out[0].message).toEqual(JSON.parse(line));
  });

  test('with lazyData, a second namespace after the data is the one the record is read with', async () => {
    const line =
      '{"type":"RECORD","record":{"namespace":"public","stream":"users","emitted_at":1,"data":{"id":1},"namespace":"other"}}';
    const out: DecodedMessage[] = [];
    for await (const decoded of decodeMessages(chunks(`${line}\n`), { lazyData: true })) out.push(decoded);
    expect((out[0].message as RecordMessage).record.namespace).toBe('other');
  });

  test('turns a record line whose data is not JSON into a log', async () => {
    const [decoded] = await decode(`${written('{"id":1,}')}\n`);
    expect(decoded.wrapped).toBe(true);
  });
});

describe('encodeMessage', () => {
  test('writes one line that decodes to the same message', async () => {
    const message = JSON.parse(record);
    const [decoded] = await decode(encodeMessage(message));
    expect(decoded.message).toEqual(message);
  });
});
