import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { startExecution } from '../../../src/app/executions.js';
import { saveFlow } from '../../../src/db/flow-repository.js';
import { loadFlow } from '../../../src/flow/load.js';
import { buildServer } from '../../../src/server/app.js';
import { MAX_PREVIEW_BYTES } from '../../../src/server/file-preview.js';
import { executionStoragePrefix } from '../../../src/storage/paths.js';
import type { ByteRange, Storage } from '../../../src/storage/storage.js';
import { TEST_CIPHER } from '../../support/engine.js';
import { type OpenedStorage, stopStorageServers, storageBackends } from './backends.js';
import { testDialects } from '../../support/databases.js';
import type { Database } from '../../../src/db/database.js';

// An execution's files downloaded and previewed through the API from every backend; a preview asks
// the storage for the head of the file only, so that a large file in a bucket is not sent whole.

const FLOW = 'id: files\nnamespace: test.storage.routes\ntasks:\n  - id: t\n    type: log\n    message: hi\n';

// one database serves every backend: each gets an execution of its own
let db: Database;
let disposeDb: () => Promise<void>;
beforeAll(async () => {
  ({ db, dispose: disposeDb } = await testDialects()[0].open());
});
afterAll(async () => {
  await stopStorageServers();
  await disposeDb?.();
});

describe.each(storageBackends())('execution files through the API on $name', (backend) => {
  let opened: OpenedStorage;
  let app: FastifyInstance;
  let executionId: string;
  let prefix: string;
  const ranges: Array<ByteRange | undefined> = [];

  beforeAll(async () => {
    opened = await backend.open();
    // the real storage, with the ranges the routes ask for written down
    const storage: Storage = {
      put: (path, content) => opened.storage.put(path, content),
      get: (uri, range) => {
        ranges.push(range);
        return opened.storage.get(uri, range);
      },
      exists: (uri) => opened.storage.exists(uri),
      deletePrefix: (uri) => opened.storage.deletePrefix(uri),
    };
    app = buildServer({ db, storage, cipher: TEST_CIPHER });
    await app.ready();
    const execution = await startExecution(db, await saveFlow(db, loadFlow(FLOW, 'f.yaml').flow!), {});
    executionId = execution.id;
    prefix = executionStoragePrefix(execution.namespace, execution.flowId, execution.id);
  });
  afterAll(async () => {
    await app?.close();
    await opened?.close();
  });

  const inject = (what: string, uri: string) =>
    app.inject({ url: `/api/v1/executions/${executionId}/file${what}?path=${encodeURIComponent(uri)}` });

  test('a file downloads whole', async () => {
    const content = 'a,b\n'.repeat(100);
    const uri = await opened.storage.put(`${prefix}/out/data.csv`, content);
    const response = await inject('', uri);
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe(content);
  });

  test('a preview reads only the head of the file', async () => {
    const line = `${'x'.repeat(99)}\n`;
    // just longer than a preview reads
    const uri = await opened.storage.put(
      `${prefix}/out/long.txt`,
      line.repeat(Math.ceil(MAX_PREVIEW_BYTES / line.length) + 1),
    );
    ranges.length = 0;
    const response = await inject('/preview', `${uri}`);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ type: 'TEXT', truncated: true });
    expect(ranges).toEqual([{ offset: 0, length: MAX_PREVIEW_BYTES + 1 }]);
  });

  test('a missing file is 404', async () => {
    expect((await inject('', `sluice:///${prefix}/out/none.txt`)).statusCode).toBe(404);
  });
});
