import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Database } from '../../../src/db/database.js';
import { openStorage } from '../../../src/storage/backends.js';
import { LocalStorage } from '../../../src/storage/local-storage.js';
import { PostgresStorage } from '../../../src/storage/postgres-storage.js';
import { S3Storage } from '../../../src/storage/s3-storage.js';
import { freePort } from '../../support/cli.js';
import { testDialects } from '../../support/databases.js';
import { type S3Server, startS3Server } from './s3-server.js';

// The backend a process gets from its configuration: by default the one its database implies.

let s3: S3Server;
let dataDir: string;
beforeAll(async () => {
  s3 = await startS3Server('sluice-open');
  dataDir = await mkdtemp(path.join(tmpdir(), 'sluice-open-storage-'));
}, 60_000);
afterAll(async () => {
  await s3?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe.each(testDialects())('openStorage on $name', (dialect) => {
  let db: Database;
  let dispose: () => Promise<void>;
  beforeAll(async () => {
    ({ db, dispose } = await dialect.open());
  });
  afterAll(async () => dispose?.());

  test(`without a type, files go ${dialect.name === 'postgres' ? 'into PostgreSQL' : 'to the data directory'}`, async () => {
    const storage = await openStorage({}, { db, dataDir });
    if (dialect.name === 'postgres') {
      expect(storage).toBeInstanceOf(PostgresStorage);
    } else {
      expect(storage).toBeInstanceOf(LocalStorage);
      const uri = await storage.put('default/f.txt', 'here');
      expect(await readFile(path.join(dataDir, 'storage', 'default', 'f.txt'), 'utf8')).toBe('here');
      expect(uri).toBe('sluice:///default/f.txt');
    }
  });

  test('type postgres keeps files in the database, embedded one included', async () => {
    const storage = await openStorage({ type: 'postgres' }, { db, dataDir });
    const uri = await storage.put('in-db/f.txt', 'stored');
    expect(await text(await storage.get(uri))).toBe('stored');
    const { rows } = await db.query(`SELECT 1 FROM storage_files WHERE path = 'in-db/f.txt'`);
    expect(rows).toHaveLength(1);
  });

  test('type local with a basePath stores there', async () => {
    const basePath = path.join(dataDir, `elsewhere-${dialect.name}`);
    const storage = await openStorage({ type: 'local', local: { basePath } }, { db, dataDir });
    await storage.put('a/b.txt', 'b');
    expect(await readFile(path.join(basePath, 'a', 'b.txt'), 'utf8')).toBe('b');
  });
});

describe('openStorage for s3', () => {
  // s3 never touches the database: any one serves
  let db: Database;
  let dispose: () => Promise<void>;
  beforeAll(async () => {
    ({ db, dispose } = await testDialects()[0].open());
  });
  afterAll(async () => dispose?.());
  const settings = () => ({
    bucket: s3.bucket,
    endpoint: s3.endpoint,
    accessKey: s3.accessKey,
    secretKey: s3.secretKey,
    forcePathStyle: true,
  });

  test('a reachable bucket gives an S3 storage that keeps files in it', async () => {
    const storage = await openStorage(
      { type: 's3', s3: { ...settings(), prefix: 'opened' } },
      { db, dataDir },
    );
    expect(storage).toBeInstanceOf(S3Storage);
    const uri = await storage.put('x/y.txt', 'in the bucket');
    expect(await text(await storage.get(uri))).toBe('in the bucket');
  });

  test('without a bucket, the start stops and says which key to set', async () => {
    await expect(openStorage({ type: 's3', s3: {} }, { db, dataDir })).rejects.toThrow('storage.s3.bucket');
  });

  test('an access key without its secret key is refused', async () => {
    const { secretKey: _, ...withoutSecret } = settings();
    await expect(openStorage({ type: 's3', s3: withoutSecret }, { db, dataDir })).rejects.toThrow(
      'accessKey and secretKey go together',
    );
  });

  test('a bucket that does not exist stops the start, naming it', async () => {
    await expect(
      openStorage({ type: 's3', s3: { ...settings(), bucket: 'no-such-bucket' } }, { db, dataDir }),
    ).rejects.toThrow('bucket "no-such-bucket" at');
  });

  test('keys the service does not know stop the start with access denied', async () => {
    await expect(
      openStorage(
        { type: 's3', s3: { ...settings(), accessKey: 'unknown', secretKey: 'wrong' } },
        { db, dataDir },
      ),
    ).rejects.toThrow('access denied');
  });

  test('an endpoint nobody answers on stops the start, without the secret key', async () => {
    const endpoint = `http://127.0.0.1:${await freePort()}`;
    const error = await openStorage({ type: 's3', s3: { ...settings(), endpoint } }, { db, dataDir }).catch(
      (e: Error) => e,
    );
    expect(String(error)).toContain(`cannot be used`);
    expect(String(error)).toContain(endpoint);
    expect(String(error)).not.toContain(s3.secretKey);
  });
});
