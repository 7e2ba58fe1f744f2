import path from 'node:path';
import type { Database } from '../db/database.js';
import type { StorageSettings, StorageType } from './settings.js';
import type { Storage } from './storage.js';

// The storage backends, by the `storage.type` that selects them. Each is loaded only when chosen: a
// local start never pays for the S3 client.

export interface StorageContext {
  /** the database this process uses: the postgres backend keeps files in it */
  db: Database;
  /** SLUICE_DATA_DIR: the local backend's default root is its `storage` folder */
  dataDir: string;
}

type OpenBackend = (settings: StorageSettings, context: StorageContext) => Promise<Storage>;

const BACKENDS: Record<StorageType, OpenBackend> = {
  async local(settings, { dataDir }) {
    const { LocalStorage } = await import('./local-storage.js');
    const basePath = settings.local?.basePath;
    return new LocalStorage(basePath ? path.resolve(basePath) : path.join(dataDir, 'storage'));
  },
  async postgres(_settings, { db }) {
    const { PostgresStorage } = await import('./postgres-storage.js');
    return new PostgresStorage(db);
  },
  async s3(settings) {
    const s3 = settings.s3;
    if (!s3?.bucket) {
      throw new Error('storage.type is s3: set storage.s3.bucket (or SLUICE_STORAGE_S3_BUCKET)');
    }
    if (Boolean(s3.accessKey) !== Boolean(s3.secretKey)) {
      throw new Error(
        'storage.s3: accessKey and secretKey go together (or leave both out for AWS_* credentials)',
      );
    }
    const { openS3Storage } = await import('./s3-storage.js');
    return openS3Storage({ ...s3, bucket: s3.bucket });
  },
};

/** The configured type; without one, files go where the rest of the state is: into PostgreSQL when
 * the process uses it (so every machine of a cluster sees every file), else onto the local disk. */
export function storageTypeOf(settings: StorageSettings, db: Database): StorageType {
  return settings.type ?? (db.dialect === 'postgres' ? 'postgres' : 'local');
}

export async function openStorage(settings: StorageSettings, context: StorageContext): Promise<Storage> {
  return BACKENDS[storageTypeOf(settings, context.db)](settings, context);
}
