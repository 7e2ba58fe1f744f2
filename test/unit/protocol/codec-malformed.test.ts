import { describe, expect, test } from 'vitest';
import {
  type DecodedMessage,
  ProtocolError,
  TruncatedMessageError,
  decodeMessages,
} from '../../../src/protocol/codec.js';

// Lines that are protocol messages a destination cannot act on are refused where a connector's output
// is decoded, naming the stream, rather than committed as rows of NULLs or taken for a complete read.

async function* chunks(...parts: string[]): AsyncGenerator<Buffer> {
  for (const part of parts) yield Buffer.from(part);
}

async function decodeAll(text: string, lazyData = false): Promise<{ out: DecodedMessage[]; error?: Error }> {
  const out: DecodedMessage[] = [];
  try {
    for await (const decoded of decodeMessages(chunks(text), { lazyData })) out.push(decoded);
  } catch (error) {
    return { out, error: error as Error };
  }
  return { out };
}

const good = '{"type":"RECORD","record":{"stream":"things","emitted_at":1,"data":{"id":1}}}';

describe.each([false, true])('decoding with lazyData %s', (lazyData) => {
  test.each([
    ['a number', '{"type":"RECORD","record":{"stream":"things","emitted_at":1,"data":5}}', 'a number'],
    ['an array', '{"type":"RECORD","record":{"stream":"things","emitted_at":1,"data":[1]}}', 'an array'],
    ['null', '{"type":"RECORD","record":{"stream":"things","emitted_at":1,"data":null}}', 'null'],
    ['a string', '{"type":"RECORD","record":{"stream":"things","data":"x","emitted_at":1}}', 'a string'],
  ])('refuses a record whose data is %s, naming its stream', async (_name, line, kind) => {
    const { out, error } = await decodeAll(`${good}\n${line}\n${good}\n`, lazyData);
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error!.message).toBe(`a RECORD of stream "things" whose data is ${kind}, not an object`);
    // what came before the bad line is delivered; nothing after it
    expect(out).toHaveLength(1);
  });

  test('refuses a record without a stream name', async () => {
    const { error } = await decodeAll(
      '{"type":"RECORD","record":{"emitted_at":1,"data":{"id":1}}}\n',
      lazyData,
    );
    expect(error?.message).toBe('a RECORD without a stream name');
  });

  test('refuses a record without emitted_at', async () => {
    const { error } = await decodeAll(
      '{"type":"RECORD","record":{"stream":"things","data":{"id":1}}}\n',
      lazyData,
    );
    expect(error?.message).toBe('a RECORD of stream "things" without a numeric emitted_at');
  });

  test('refuses a last line cut in the middle of a message, naming its stream', async () => {
    const cut = '{"type":"RECORD","record":{"stream":"things","emitted_at":1,"data":{"id":99999';
    const { out, error } = await decodeAll(`${good}\n${cut}`, lazyData);
    expect(error).toBeInstanceOf(TruncatedMessageError);
    expect(error!.message).toBe(
      `the output ended in the middle of a message: its last line (${cut.length} bytes, a message of stream "things") has no newline and is not complete JSON`,
    );
    expect(out).toHaveLength(1);
  });

  test('still takes a whole message, or plain text, as a last line without newline', async () => {
    const { out, error } = await decodeAll(`${good}\nplain text at the end`, lazyData);
    expect(error).toBeUndefined();
    expect(out.map((d) => d.message.type)).toEqual(['RECORD', 'LOG']);
    const whole = await decodeAll(good, lazyData);
    expect(whole.error).toBeUndefined();
    expect(whole.out).toHaveLength(1);
  });

  test('keeps a line that is not JSON in the middle of the output as a log line', async () => {
    const { out, error } = await decodeAll(`{"type":"RECORD", broken\n${good}\n`, lazyData);
    expect(error).toBeUndefined();
    expect(out.map((d) => d.message.type)).toEqual(['LOG', 'RECORD']);
  });
});
