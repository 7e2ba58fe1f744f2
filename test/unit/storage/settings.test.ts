import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';

// The storage section of the configuration: sluice.yaml, overridden by SLUICE_STORAGE_* variables.

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sluice-storage-config-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

const fromFile = async (yaml: string, env: NodeJS.ProcessEnv = {}) => {
  await writeFile(path.join(dir, 'sluice.yaml'), yaml);
  return loadConfig({ configFile: path.join(dir, 'sluice.yaml') }, env).storage;
};

describe('storage configuration', () => {
  test('nothing configured leaves the type to the database (see openStorage)', () => {
    expect(loadConfig({}, {}).storage.type).toBeUndefined();
  });

  test('the file sets the type and the s3 section', async () => {
    const storage = await fromFile(
      'storage:\n  type: s3\n  s3:\n    bucket: files\n    region: eu-west-1\n    endpoint: http://127.0.0.1:9000\n    forcePathStyle: true\n',
    );
    expect(storage.type).toBe('s3');
    expect(storage.s3).toEqual({
      bucket: 'files',
      region: 'eu-west-1',
      endpoint: 'http://127.0.0.1:9000',
      forcePathStyle: true,
    });
  });

  test('SLUICE_STORAGE_* variables win over the file, field by field', async () => {
    const storage = await fromFile(
      'storage:\n  type: local\n  s3:\n    bucket: files\n    region: eu-west-1\n',
      {
        SLUICE_STORAGE_TYPE: 's3',
        SLUICE_STORAGE_S3_BUCKET: 'other',
        SLUICE_STORAGE_S3_FORCE_PATH_STYLE: 'true',
      },
    );
    expect(storage.type).toBe('s3');
    expect(storage.s3).toEqual({ bucket: 'other', region: 'eu-west-1', forcePathStyle: true });
  });

  test('SLUICE_STORAGE_LOCAL_BASE_PATH sets the local root', () => {
    expect(loadConfig({}, { SLUICE_STORAGE_LOCAL_BASE_PATH: '/srv/files' }).storage.local).toEqual({
      basePath: '/srv/files',
    });
  });

  test('an unknown type is refused, naming the key', () => {
    expect(() => loadConfig({}, { SLUICE_STORAGE_TYPE: 'ftp' })).toThrow('storage.type');
  });

  test('an endpoint that is not a URL is refused, from the environment too', () => {
    expect(() => loadConfig({}, { SLUICE_STORAGE_S3_ENDPOINT: 'not a url' })).toThrow('storage.s3.endpoint');
  });

  test('an unknown key in the file is refused', async () => {
    await expect(fromFile('storage:\n  s3:\n    bukket: files\n')).rejects.toThrow('storage.s3');
  });

  test('a part size under S3 minimum of 5 MiB is refused', async () => {
    await expect(fromFile('storage:\n  s3:\n    partSize: 1024\n')).rejects.toThrow('storage.s3.partSize');
  });

  test('a refusal never shows the secret key', async () => {
    const error = await fromFile(
      'storage:\n  s3:\n    secretKey: hunter2-very-secret\n    endpoint: nope\n',
    ).catch((e: Error) => e);
    expect(String(error)).toContain('storage.s3.endpoint');
    expect(String(error)).not.toContain('hunter2');
  });
});
