import { describe, expect, test } from 'vitest';
import { fixedChunks } from '../../../src/storage/chunks.js';

const sizes = async (pieces: Array<Buffer | string>, size: number) => {
  const out: number[] = [];
  for await (const chunk of fixedChunks(pieces, size)) out.push(chunk.length);
  return out;
};

describe('fixedChunks', () => {
  test('pieces of any size come out as chunks of the size, the last one shorter', async () => {
    expect(await sizes([Buffer.alloc(3), Buffer.alloc(10), Buffer.alloc(1)], 4)).toEqual([4, 4, 4, 2]);
  });

  test('a source that is an exact multiple gives no empty last chunk', async () => {
    expect(await sizes([Buffer.alloc(8)], 4)).toEqual([4, 4]);
  });

  test('an empty source gives no chunk', async () => {
    expect(await sizes([], 4)).toEqual([]);
    expect(await sizes([Buffer.alloc(0), ''], 4)).toEqual([]);
  });

  test('strings count as their UTF-8 bytes and keep their order', async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of fixedChunks(['żó', 'łw'], 3)) chunks.push(chunk);
    expect(chunks.map((c) => c.length)).toEqual([3, 3, 1]);
    expect(Buffer.concat(chunks).toString()).toBe('żółw');
  });
});
