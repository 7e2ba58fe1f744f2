import { describe, expect, test } from 'vitest';
import { BulkBuffer } from '../../../src/connectors/sql/bulk-buffer.js';

const text = (chunks: Buffer[]) => Buffer.concat(chunks).toString();

describe('BulkBuffer', () => {
  test('a taken batch keeps its bytes while other buffers fill, until it is given back', () => {
    const first = new BulkBuffer();
    first.push('a\té\n');
    const batch = first.take();
    const other = new BulkBuffer();
    for (let i = 0; i < 20_000; i++) other.push(`${'x'.repeat(100)}\n`);
    BulkBuffer.recycle(other.take());
    const again = new BulkBuffer();
    for (let i = 0; i < 20_000; i++) again.push(`${'y'.repeat(100)}\n`);
    expect(text(batch)).toBe('a\té\n');
  });

  test('given-back chunks are filled again from their start', () => {
    const first = new BulkBuffer();
    for (let i = 0; i < 20_000; i++) first.push(`${'x'.repeat(100)}\n`);
    BulkBuffer.recycle(first.take());
    const second = new BulkBuffer();
    second.push('one\n');
    second.push('two\n');
    expect(text(second.take())).toBe('one\ntwo\n');
  });

  test('takeFirst gives the lines a state covers and keeps the rest intact after their chunk is given back', () => {
    const buffer = new BulkBuffer();
    // ≈ 2 MB: the lines span several chunks, and the cut falls inside one
    const lines = Array.from({ length: 20_000 }, (_, i) => `${i}\t${'z'.repeat(100)}\n`);
    for (const line of lines) buffer.push(line);
    const covered = lines.slice(0, 12_345).join('');
    const first = buffer.takeFirst(Buffer.byteLength(covered), 12_345);
    expect(text(first)).toBe(covered);
    BulkBuffer.recycle(first);
    const refill = new BulkBuffer();
    for (let i = 0; i < 20_000; i++) refill.push(`${'w'.repeat(100)}\n`);
    expect([buffer.lines, text(buffer.take())]).toEqual([20_000 - 12_345, lines.slice(12_345).join('')]);
  });
});
