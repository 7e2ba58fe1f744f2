import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import {
  executionStoragePrefix,
  LocalStorage,
  taskRunStoragePath,
} from '../../../src/storage/local-storage.js';

// What only the local backend does: its files sit under one folder as plain files, and symlinks in
// that folder cannot lead out of it. What every backend does is in
// test/integration/storage/contract.test.ts.

let base: string;
let root: string;
let storage: LocalStorage;

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'sluice-storage-'));
  root = join(base, 'root');
  storage = new LocalStorage(root);
});

afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

describe('files on disk', () => {
  test('a put file is a plain file under the root, byte for byte', async () => {
    const bytes = Buffer.from([0, 1, 2, 255, 254]);
    const uri = await storage.put('bin/data.bin', bytes);
    expect(await readFile(join(root, 'bin', 'data.bin'))).toEqual(bytes);
    expect(storage.localPath(uri)).toBe(join(root, 'bin', 'data.bin'));
  });

  test('a failing source stream leaves no temporary file behind', async () => {
    const failing = new Readable({
      read() {
        this.destroy(new Error('source broke'));
      },
    });
    await expect(storage.put('broken/f.txt', failing)).rejects.toThrow('source broke');
    expect(await readdir(join(root, 'broken'))).toEqual([]);
  });

  test('deletePrefix of a symlink removes the link, not its target', async () => {
    await storage.put('target/keep.txt', 'k');
    await symlink(join(root, 'target'), join(root, 'link'));
    expect(await storage.deletePrefix('sluice:///link')).toBe(1);
    expect(await storage.exists('sluice:///target/keep.txt')).toBe(true);
  });
});

describe('refusals', () => {
  test('localPath refuses a climbing URI too', () => {
    expect(() => storage.localPath('sluice:///../x')).toThrow("'..' segments");
  });

  test('a symlinked directory inside the root pointing outside is refused for get and put', async () => {
    const outside = join(base, 'outside');
    await mkdir(outside);
    await writeFile(join(outside, 'secret.txt'), 'secret');
    await symlink(outside, join(root, 'escape'));
    await expect(storage.get('sluice:///escape/secret.txt')).rejects.toThrow('outside the storage root');
    await expect(storage.put('escape/new/file.txt', 'x')).rejects.toThrow('outside the storage root');
  });

  test('a symlinked file inside the root pointing outside is refused', async () => {
    const outsideFile = join(base, 'secret.txt');
    await writeFile(outsideFile, 'secret');
    await symlink(outsideFile, join(root, 'leak.txt'));
    await expect(storage.get('sluice:///leak.txt')).rejects.toThrow('outside the storage root');
    expect(() => storage.localPath('sluice:///leak.txt')).toThrow('outside the storage root');
  });

  test('a broken symlink inside the root is refused for put', async () => {
    await symlink(join(base, 'not-yet'), join(root, 'dangling'));
    await expect(storage.put('dangling/f.txt', 'x')).rejects.toThrow('broken symlink');
  });

  test('a symlink inside the root pointing inside the root is followed', async () => {
    await storage.put('real/f.txt', 'f');
    await symlink(join(root, 'real'), join(root, 'alias'));
    expect(await text(await storage.get('sluice:///alias/f.txt'))).toBe('f');
  });

  test('percent-encoded dots are an ordinary name, not a parent', async () => {
    const uri = await storage.put('%2e%2e/f.txt', 'f');
    expect(storage.localPath(uri)).toBe(join(root, '%2e%2e', 'f.txt'));
  });
});

describe('storage layout', () => {
  test('executionStoragePrefix turns namespace dots into directories', () => {
    expect(executionStoragePrefix('company.team', 'my-flow', 'exec1')).toBe(
      'company/team/my-flow/executions/exec1',
    );
  });

  test('taskRunStoragePath appends tasks/<taskId>/<taskRunId>/<fileName>', () => {
    expect(taskRunStoragePath('a.b', 'f', 'e', 't', 'r', 'out.csv')).toBe(
      'a/b/f/executions/e/tasks/t/r/out.csv',
    );
  });

  test('taskRunStoragePath keeps the file name one segment', () => {
    expect(taskRunStoragePath('a', 'f', 'e', 't', 'r', 'sub/../x.csv')).toBe(
      'a/f/executions/e/tasks/t/r/sub_.._x.csv',
    );
    expect(taskRunStoragePath('a', 'f', 'e', 't', 'r', '..')).toBe('a/f/executions/e/tasks/t/r/__');
  });
});
