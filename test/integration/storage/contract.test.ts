import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer, text } from 'node:stream/consumers';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { Storage } from '../../../src/storage/storage.js';
import { type OpenedStorage, SMALL_CHUNK, stopStorageServers, storageBackends } from './backends.js';
import { peakRetainedMemory } from './memory.js';

// One contract for every backend: what a task, the API and the cron rely on, whichever storage holds
// the files. The backends run with their smallest chunks or parts, so that small files already cross
// chunk boundaries; one test streams a large file to show that memory stays bounded. Each backend is
// opened once for the small tests, which therefore write paths of their own.

afterAll(() => stopStorageServers());

/** Bytes that differ from chunk to chunk, so that a chunk read out of order would show. */
const pattern = (length: number) => Buffer.from(Array.from({ length }, (_, i) => (i * 7 + 3) % 251));

describe.each(storageBackends())('storage contract on $name', (backend) => {
  let opened: OpenedStorage;
  let storage: Storage;
  beforeAll(async () => {
    opened = await backend.open({ small: true });
    storage = opened.storage;
  });
  afterAll(async () => opened?.close());

  describe('put and get', () => {
    test('a string put comes back through get and returns its sluice URI', async () => {
      const uri = await storage.put('ns/flow/a.txt', 'hello');
      expect(uri).toBe('sluice:///ns/flow/a.txt');
      expect(await text(await storage.get(uri))).toBe('hello');
    });

    test('a Buffer spanning several chunks is stored byte for byte', async () => {
      const bytes = pattern(SMALL_CHUNK * 5 + 17);
      const uri = await storage.put('bin/data.bin', bytes);
      expect((await buffer(await storage.get(uri))).equals(bytes)).toBe(true);
    });

    test('a stream of pieces of every size is stored in order', async () => {
      const bytes = pattern(3000);
      const pieces: Buffer[] = [];
      for (let at = 0, size = 1; at < bytes.length; at += size, size = (size * 3) % 200 || 1) {
        pieces.push(bytes.subarray(at, at + size));
      }
      const uri = await storage.put('big/pieces.bin', Readable.from(pieces));
      expect((await buffer(await storage.get(uri))).equals(bytes)).toBe(true);
    });

    test('multi-byte characters split across chunks come back whole', async () => {
      const content = 'żółw 🐢 '.repeat(40);
      const uri = await storage.put(
        'text/utf8.txt',
        Readable.from([content.slice(0, 33), content.slice(33)]),
      );
      expect(await text(await storage.get(uri))).toBe(content);
    });

    test('an empty file is stored and read back empty', async () => {
      const uri = await storage.put('empty.txt', '');
      expect(await storage.exists(uri)).toBe(true);
      expect((await buffer(await storage.get(uri))).length).toBe(0);
    });

    test('put accepts a sluice URI as the path and canonicalises empty and dot segments', async () => {
      expect(await storage.put('sluice:///x/y.txt', 'y')).toBe('sluice:///x/y.txt');
      expect(await storage.put('a//./b.txt', 'b')).toBe('sluice:///a/b.txt');
      expect(await text(await storage.get('sluice:///a/b.txt'))).toBe('b');
    });

    test('put replaces an existing file whole', async () => {
      await storage.put('r.txt', pattern(SMALL_CHUNK * 4));
      const uri = await storage.put('r.txt', 'second');
      expect(await text(await storage.get(uri))).toBe('second');
    });

    // S3 itself replaces an object whole (last writer wins); the S3 server these tests run,
    // s3rver, streams a completed upload into its file in place, so two at once can mix there: on
    // 's3' this would test the stand-in, not Sluice, and failed now and then in CI for that reason
    test.skipIf(backend.name === 's3')(
      'concurrent puts of one path leave one of them whole, never a mix',
      async () => {
        const a = Buffer.alloc(SMALL_CHUNK * 6 + 5, 'a');
        const b = Buffer.alloc(SMALL_CHUNK * 3 + 1, 'b');
        await Promise.all([storage.put('race.bin', a), storage.put('race.bin', b)]);
        const stored = await buffer(await storage.get('sluice:///race.bin'));
        expect(stored.equals(a) || stored.equals(b)).toBe(true);
      },
    );

    test('a failing source stream leaves no file behind and keeps the previous version', async () => {
      await storage.put('broken/kept.txt', 'previous');
      const failing = () =>
        Readable.from(
          (async function* () {
            yield pattern(SMALL_CHUNK * 3);
            throw new Error('source broke');
          })(),
        );
      await expect(storage.put('broken/f.txt', failing())).rejects.toThrow('source broke');
      await expect(storage.put('broken/kept.txt', failing())).rejects.toThrow('source broke');
      expect(await storage.exists('sluice:///broken/f.txt')).toBe(false);
      expect(await text(await storage.get('sluice:///broken/kept.txt'))).toBe('previous');
    });

    test('get of a missing file fails with file not found and the URI', async () => {
      await expect(storage.get('sluice:///nope/missing.txt')).rejects.toThrow(
        'file not found: sluice:///nope/missing.txt',
      );
    });

    test('get of a directory fails with file not found', async () => {
      await storage.put('dir/f.txt', 'f');
      await expect(storage.get('sluice:///dir')).rejects.toThrow('file not found: sluice:///dir');
    });
  });

  describe('ranged reads', () => {
    const bytes = pattern(SMALL_CHUNK * 4 + 10);
    const slice = async (offset: number, length?: number) =>
      buffer(await storage.get('sluice:///ranged.bin', { offset, length }));
    beforeEach(async () => {
      await storage.put('ranged.bin', bytes);
    });

    test('a slice inside one chunk', async () => {
      expect((await slice(3, 10)).equals(bytes.subarray(3, 13))).toBe(true);
    });

    test('a slice across chunk boundaries', async () => {
      const from = SMALL_CHUNK - 5;
      expect((await slice(from, SMALL_CHUNK * 2)).equals(bytes.subarray(from, from + SMALL_CHUNK * 2))).toBe(
        true,
      );
    });

    test('without a length, a slice runs to the end', async () => {
      expect((await slice(SMALL_CHUNK + 1)).equals(bytes.subarray(SMALL_CHUNK + 1))).toBe(true);
    });

    test('a slice past the end is cut at the end', async () => {
      expect((await slice(bytes.length - 4, 100)).equals(bytes.subarray(bytes.length - 4))).toBe(true);
    });

    test('a slice starting at or past the end is empty', async () => {
      expect((await slice(bytes.length)).length).toBe(0);
      expect((await slice(bytes.length + 50, 10)).length).toBe(0);
    });

    test('a slice of length zero is empty', async () => {
      expect((await slice(5, 0)).length).toBe(0);
    });

    test('a slice of a missing file fails with file not found', async () => {
      await expect(storage.get('sluice:///ranged-missing.bin', { offset: 0, length: 0 })).rejects.toThrow(
        'file not found: sluice:///ranged-missing.bin',
      );
      await expect(storage.get('sluice:///ranged-missing.bin', { offset: 2, length: 5 })).rejects.toThrow(
        'file not found',
      );
    });

    test.each([[{ offset: -1 }], [{ offset: 1.5 }], [{ offset: 0, length: -2 }]])(
      'an invalid range %j is refused',
      async (range) => {
        await expect(storage.get('sluice:///ranged.bin', range)).rejects.toThrow('invalid byte range');
      },
    );
  });

  describe('exists and deletePrefix', () => {
    test('exists is true for a stored file and false for a missing one or a directory', async () => {
      const uri = await storage.put('e/f.txt', 'f');
      expect(await storage.exists(uri)).toBe(true);
      expect(await storage.exists('sluice:///e/other.txt')).toBe(false);
      expect(await storage.exists('sluice:///e')).toBe(false);
    });

    test('deletePrefix removes a subtree, counts its files and keeps the rest', async () => {
      await storage.put('ns/flow/executions/1/a.txt', pattern(SMALL_CHUNK * 3));
      await storage.put('ns/flow/executions/1/tasks/t/r/b.txt', 'b');
      await storage.put('ns/flow/executions/1/tasks/t/r/c.txt', 'c');
      const kept = await storage.put('ns/flow/executions/2/a.txt', 'a');
      expect(await storage.deletePrefix('sluice:///ns/flow/executions/1')).toBe(3);
      expect(await storage.exists('sluice:///ns/flow/executions/1/a.txt')).toBe(false);
      expect(await storage.exists('sluice:///ns/flow/executions/1/tasks/t/r/c.txt')).toBe(false);
      expect(await storage.exists(kept)).toBe(true);
    });

    test('deletePrefix leaves a sibling that only shares the leading characters', async () => {
      await storage.put('p/run1/a.txt', 'a');
      const sibling = await storage.put('p/run10/a.txt', 'a');
      const file = await storage.put('p/run1.txt', 'a');
      expect(await storage.deletePrefix('sluice:///p/run1')).toBe(1);
      expect(await storage.exists(sibling)).toBe(true);
      expect(await storage.exists(file)).toBe(true);
    });

    test('deletePrefix of a file path deletes that file', async () => {
      const uri = await storage.put('single/file.txt', 'x');
      expect(await storage.deletePrefix(uri)).toBe(1);
      expect(await storage.exists(uri)).toBe(false);
    });

    test('deletePrefix of a missing prefix deletes nothing', async () => {
      expect(await storage.deletePrefix('sluice:///never/there')).toBe(0);
    });

    test('a path can be stored again after its deletion', async () => {
      const uri = await storage.put('again/f.txt', 'one');
      await storage.deletePrefix('sluice:///again');
      await storage.put('again/f.txt', 'two');
      expect(await text(await storage.get(uri))).toBe('two');
    });
  });

  describe('refusals', () => {
    test.each([
      ['sluice:///../x', "'..' segments"],
      ['sluice:///a/../../x', "'..' segments"],
      ['sluice:////etc/passwd', 'must be relative'],
      ['file:///etc/passwd', 'only sluice:///'],
      ['sluice://host/x', 'only sluice:///'],
      ['sluice:///a\0b', 'NUL'],
      ['sluice:///a\\..\\b', 'backslash'],
      ['sluice:///', 'empty'],
    ])('get, exists and deletePrefix refuse %j (%s) and name the URI', async (uri, reason) => {
      await expect(storage.get(uri)).rejects.toThrow(reason);
      await expect(storage.get(uri)).rejects.toThrow(JSON.stringify(uri));
      await expect(storage.exists(uri)).rejects.toThrow(reason);
      await expect(storage.deletePrefix(uri)).rejects.toThrow(reason);
    });

    test.each([
      ['/etc/x', 'must be relative'],
      ['a/../../x', "'..' segments"],
      ['sluice:///../x', "'..' segments"],
    ])('put refuses %j (%s)', async (path, reason) => {
      await expect(storage.put(path, 'x')).rejects.toThrow(reason);
    });

    test('percent-encoded dots are an ordinary name, not a parent', async () => {
      const uri = await storage.put('%2e%2e/f.txt', 'f');
      expect(uri).toBe('sluice:///%2e%2e/f.txt');
      expect(await text(await storage.get(uri))).toBe('f');
      expect(await storage.exists('sluice:///f.txt')).toBe(false);
    });
  });
});

/** Streams `size` random bytes, hashing them as they go. */
function randomSource(size: number, hash: ReturnType<typeof createHash>): Readable {
  let left = size;
  return new Readable({
    read() {
      if (left === 0) return this.push(null);
      const piece = randomBytes(Math.min(left, 256 * 1024));
      left -= piece.length;
      hash.update(piece);
      this.push(piece);
    },
  });
}

const LARGE = 64 * 1024 * 1024;
/** Half the file: a backend holding it whole fails. */
const MEMORY_BOUND = LARGE / 2;

describe.each(storageBackends())('large files on $name', (backend) => {
  test(`a ${LARGE / 2 ** 20} MiB file is written and read back streamed, with memory bounded`, async () => {
    const opened = await backend.open();
    try {
      // Memory a backend takes once and keeps is not what this measures: PGlite's WebAssembly
      // memory grows by some 20 MiB the first time it stores and reads chunks.
      const warmUp = await opened.storage.put(
        'large/warm-up.bin',
        randomSource(4 * 1024 * 1024, createHash('md5')),
      );
      await buffer(await opened.storage.get(warmUp));
      const written = createHash('sha256');
      const read = createHash('sha256');
      let size = 0;
      const growth = await peakRetainedMemory(async () => {
        const uri = await opened.storage.put('large/file.bin', randomSource(LARGE, written));
        for await (const piece of await opened.storage.get(uri)) {
          read.update(piece as Buffer);
          size += (piece as Buffer).length;
        }
      });
      expect(size).toBe(LARGE);
      expect(read.digest('hex')).toBe(written.digest('hex'));
      expect(growth).toBeLessThan(MEMORY_BOUND);
    } finally {
      await opened.close();
    }
  }, 120_000);
});
