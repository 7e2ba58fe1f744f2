import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, test } from 'vitest';
import type { RowBatch } from '../../../src/cdk/rows.js';
import type { AirbyteMessage } from '../../../src/protocol/messages.js';
import { MessageQueue } from '../../../src/tasks/sync/message-queue.js';

const rows = (bytes: number): RowBatch => ({
  type: 'ROWS',
  stream: 's',
  emitted_at: 0,
  fields: ['a'],
  text: Buffer.alloc(bytes, 0x0a),
  count: bytes,
});
const log = (message: string): AirbyteMessage => ({ type: 'LOG', log: { level: 'INFO', message } });

async function take(queue: MessageQueue, n: number): Promise<unknown[]> {
  const taken: unknown[] = [];
  const iterator = queue[Symbol.asyncIterator]();
  while (taken.length < n) taken.push((await iterator.next()).value);
  return taken;
}

describe('MessageQueue', () => {
  test('a message under the capacity is taken without waiting', () => {
    expect(new MessageQueue(1000).message(rows(10))).toBeUndefined();
  });

  test('the writer waits once the held bytes reach the capacity, until the reader drains half', async () => {
    const queue = new MessageQueue(100);
    queue.message(rows(60));
    const full = queue.message(rows(60));
    expect(full).toBeInstanceOf(Promise);
    let released = false;
    void full!.then(() => (released = true));
    await take(queue, 2);
    await Promise.resolve();
    expect(released).toBe(true);
  });

  test('the reader gets the messages in order and stops at the end', async () => {
    const queue = new MessageQueue();
    queue.message(log('a'));
    queue.message(log('b'));
    await queue.end();
    const seen: unknown[] = [];
    for await (const message of queue) seen.push(message);
    expect(seen).toEqual([log('a'), log('b')]);
  });

  test('close releases a waiting writer and makes later writes throw its reason', async () => {
    const queue = new MessageQueue(10);
    const waiting = queue.message(rows(20));
    queue.close(new Error('destination gone'));
    await waiting;
    expect(() => queue.message(log('late'))).toThrow('destination gone');
  });

  test('close ends a waiting reader with its reason', async () => {
    const queue = new MessageQueue();
    const reading = take(queue, 1);
    queue.close(new Error('Sync killed'));
    await expect(reading).rejects.toThrow('Sync killed');
  });

  test('a message taken is no longer held by a queue that never empties', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const queue = new MessageQueue();
    const first = new WeakRef(log('first'));
    queue.message(first.deref()!);
    queue.message(log('second'));
    queue.message(log('third'));
    // the iterator's own frame holds the message it yielded last: take two
    const iterator = queue[Symbol.asyncIterator]();
    await iterator.next();
    await iterator.next();
    // a WeakRef keeps its target alive until the microtasks of the job that made it have run
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    expect(first.deref()).toBeUndefined();
  });
});
