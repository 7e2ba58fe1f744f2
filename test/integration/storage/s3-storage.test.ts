import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { s3StorageOn } from './backends.js';
import { type S3Server, startS3Server } from './s3-server.js';

// What only the S3 backend has to get right: a multipart upload that fails publishes nothing and
// says why, and a prefix keeps installations sharing a bucket apart. (s3rver has no
// AbortMultipartUpload, so that the abort itself reaches the service is not shown here.)

/** the part size of s3StorageOn */
const PART = 5 * 1024 * 1024;

describe('S3 storage', () => {
  let server: S3Server;
  const open = (prefix: string) => s3StorageOn(server, prefix);
  beforeAll(async () => {
    server = await startS3Server('sluice-s3-only');
  }, 60_000);
  afterAll(async () => server?.stop());

  test('a multipart upload whose source fails after two parts leaves the previous version', async () => {
    const storage = await open('multipart');
    await storage.put('f.bin', 'previous');
    const failing = Readable.from(
      (async function* () {
        yield Buffer.alloc(PART, 1);
        yield Buffer.alloc(PART, 2);
        yield Buffer.alloc(1024, 3);
        throw new Error('source broke');
      })(),
    );
    await expect(storage.put('f.bin', failing)).rejects.toThrow('source broke');
    expect(await text(await storage.get('sluice:///f.bin'))).toBe('previous');
  });

  test('two prefixes in one bucket never see each other', async () => {
    const one = await open('installations/one');
    const two = await open('installations/two/');
    await one.put('same/path.txt', 'one');
    await two.put('same/path.txt', 'two');
    expect(await one.deletePrefix('sluice:///same')).toBe(1);
    expect(await one.exists('sluice:///same/path.txt')).toBe(false);
    expect(await text(await two.get('sluice:///same/path.txt'))).toBe('two');
  });
});
