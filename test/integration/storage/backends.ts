// Every storage backend, each on what it runs on in the tests: the local file system, the database
// (PGlite always, PostgreSQL when SLUICE_TEST_DATABASE_URL is set) and an S3-compatible server.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LocalStorage } from '../../../src/storage/local-storage.js';
import { PostgresStorage, type PostgresStorageOptions } from '../../../src/storage/postgres-storage.js';
import { openS3Storage, type S3Storage } from '../../../src/storage/s3-storage.js';
import type { Storage } from '../../../src/storage/storage.js';
import { testDialects } from '../../support/databases.js';
import { type S3Server, startS3Server } from './s3-server.js';

export interface OpenedStorage {
  storage: Storage;
  close(): Promise<void>;
}

export interface StorageBackendUnderTest {
  name: string;
  /** A fresh, empty storage. `small` asks for the smallest chunks or parts the backend allows, so
   * that small files already span several of them. */
  open(options?: { small?: boolean }): Promise<OpenedStorage>;
}

/** Chunk size of the postgres backend when `small` is asked: a few hundred bytes span chunks. */
export const SMALL_CHUNK = 64;

const local: StorageBackendUnderTest = {
  name: 'local',
  async open() {
    const dir = await mkdtemp(path.join(tmpdir(), 'sluice-storage-contract-'));
    return {
      storage: new LocalStorage(dir),
      close: () => rm(dir, { recursive: true, force: true }),
    };
  },
};

const postgres = testDialects().map((dialect): StorageBackendUnderTest => ({
  name: `postgres on ${dialect.name}`,
  async open({ small } = {}) {
    const { db, dispose } = await dialect.open();
    const options: PostgresStorageOptions = small ? { chunkSize: SMALL_CHUNK } : {};
    return { storage: new PostgresStorage(db, options), close: dispose };
  },
}));

let s3Server: Promise<S3Server> | undefined;
let buckets = 0;

const s3: StorageBackendUnderTest = {
  name: 's3',
  async open() {
    // one server per test file; each storage its own prefix, so that they never see each other's files
    s3Server ??= startS3Server();
    const server = await s3Server;
    const storage = await s3StorageOn(server, `storage-${process.pid}-${++buckets}`);
    return { storage, close: async () => undefined };
  },
};

/** An S3 storage in the test server's bucket, under a prefix of its own, with S3's smallest parts. */
export function s3StorageOn(server: S3Server, prefix: string): Promise<S3Storage> {
  return openS3Storage({
    bucket: server.bucket,
    endpoint: server.endpoint,
    accessKey: server.accessKey,
    secretKey: server.secretKey,
    forcePathStyle: true,
    prefix,
    partSize: 5 * 1024 * 1024,
  });
}

export function storageBackends(): StorageBackendUnderTest[] {
  return [local, ...postgres, s3];
}

/** Stops the S3 server if a test started one. */
export async function stopStorageServers(): Promise<void> {
  const server = s3Server;
  s3Server = undefined;
  await (await server)?.stop();
}
