import { PassThrough } from 'node:stream';
import { expect, test } from 'vitest';
import { MessageWriter } from '../../../src/cdk/writer.js';

async function written(write: (out: MessageWriter) => Promise<void>): Promise<unknown[]> {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  const out = new MessageWriter(stream);
  await write(out);
  await out.flush();
  return Buffer.concat(chunks)
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

test('keeps the order of records around one larger than a buffer', async () => {
  const big = 'é'.repeat(200_000);
  const messages = await written(async (out) => {
    for (let id = 0; id < 3000; id++) await out.record('s', { id, text: id === 1500 ? big : 'ü' });
  });
  expect(messages.map((m) => (m as { record: { data: { id: number } } }).record.data.id)).toEqual(
    Array.from({ length: 3000 }, (_, i) => i),
  );
});

test('writes the namespace of a record', async () => {
  const [message] = await written(async (out) => {
    await out.record('users', { id: 1 }, 'public');
  });
  expect(message).toEqual({
    type: 'RECORD',
    record: { namespace: 'public', stream: 'users', emitted_at: expect.any(Number), data: { id: 1 } },
  });
});

test('writes a record given as JSON bytes as it writes the same JSON text', async () => {
  const json = '{"id":1,"name":"Zoë"}';
  const messages = await written(async (out) => {
    await out.recordJson('users', json, 'public');
    await out.recordJson('users', Buffer.from(json), 'public');
  });
  const expected = {
    type: 'RECORD',
    record: { namespace: 'public', stream: 'users', emitted_at: expect.any(Number), data: JSON.parse(json) },
  };
  expect(messages).toEqual([expected, expected]);
});
