import { Writable } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { LineSink } from '../../../src/tasks/sync/line-sink.js';

/** A destination that takes a chunk every few milliseconds, remembering what it got. */
function slowDestination() {
  const received: Buffer[] = [];
  let mostDrainListeners = 0;
  const out = new Writable({
    highWaterMark: 1024,
    write(chunk: Buffer, _encoding, callback) {
      received.push(chunk);
      mostDrainListeners = Math.max(mostDrainListeners, out.listenerCount('drain'));
      setTimeout(callback, 2);
    },
  });
  return { out, received, mostDrain: () => mostDrainListeners };
}

describe('LineSink', () => {
  test('writes made while the destination is full share one wait for it to drain', async () => {
    const { out, received, mostDrain } = slowDestination();
    const sink = new LineSink(out);
    const big = Buffer.alloc(300 * 1024, 'x');
    await Promise.all(Array.from({ length: 20 }, () => sink.line(big)));
    await sink.end();
    expect(mostDrain()).toBeLessThanOrEqual(1);
    expect(Buffer.concat(received).length).toBe(20 * (big.length + 1));
  });

  test('lines arrive in order, each ended by a newline', async () => {
    const { out, received } = slowDestination();
    const sink = new LineSink(out);
    for (let i = 0; i < 1000; i++) {
      const pending = sink.line(Buffer.from(`line ${i}`));
      if (pending) await pending;
    }
    await sink.end();
    const lines = Buffer.concat(received).toString('utf8').split('\n');
    expect([lines.length, lines[0], lines[999], lines[1000]]).toEqual([1001, 'line 0', 'line 999', '']);
  });
});
