import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
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

describe('put and get', () => {
  test('a string put comes back through get and returns its sluice URI', async () => {
    const uri = await storage.put('ns/flow/a.txt', 'hello');
    expect(uri).toBe('sluice:///ns/flow/a.txt');
    expect(await text(await storage.get(uri))).toBe('hello');
  });

  test('a Buffer put is stored byte for byte', async () => {
    const bytes = Buffer.from([0, 1, 2, 255, 254]);
    const uri = await storage.put('bin/data.bin', bytes);
    expect(await readFile(storage.localPath(uri))).toEqual(bytes);
  });

  test('a stream put of several chunks is stored in order', async () => {
    const chunks = Array.from({ length: 1000 }, (_, i) => `line ${i}\n`);
    const uri = await storage.put('big/lines.txt', Readable.from(chunks));
    expect(await text(await storage.get(uri))).toBe(chunks.join(''));
  });

  test('put accepts a sluice URI as the path', async () => {
    const uri = await storage.put('sluice:///x/y.txt', 'y');
    expect(uri).toBe('sluice:///x/y.txt');
    expect(await text(await storage.get(uri))).toBe('y');
  });

  test('put canonicalises empty and dot segments', async () => {
    expect(await storage.put('a//./b.txt', 'b')).toBe('sluice:///a/b.txt');
  });

  test('put replaces an existing file', async () => {
    await storage.put('r.txt', 'first');
    const uri = await storage.put('r.txt', 'second');
    expect(await text(await storage.get(uri))).toBe('second');
  });

  test('a failing source stream leaves no file behind', async () => {
    const failing = new Readable({
      read() {
        this.destroy(new Error('source broke'));
      },
    });
    await expect(storage.put('broken/f.txt', failing)).rejects.toThrow('source broke');
    expect(await storage.exists('sluice:///broken/f.txt')).toBe(false);
  });

  test('localPath is the file under the root', async () => {
    const uri = await storage.put('p/q.txt', 'q');
    expect(await readFile(storage.localPath(uri), 'utf8')).toBe('q');
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

describe('exists and deletePrefix', () => {
  test('exists is true for a stored file and false for a missing one', async () => {
    const uri = await storage.put('e/f.txt', 'f');
    expect(await storage.exists(uri)).toBe(true);
    expect(await storage.exists('sluice:///e/other.txt')).toBe(false);
  });

  test('deletePrefix removes a subtree and counts its files', async () => {
    await storage.put('ns/flow/executions/1/a.txt', 'a');
    await storage.put('ns/flow/executions/1/tasks/t/r/b.txt', 'b');
    await storage.put('ns/flow/executions/1/tasks/t/r/c.txt', 'c');
    const kept = await storage.put('ns/flow/executions/2/a.txt', 'a');
    expect(await storage.deletePrefix('sluice:///ns/flow/executions/1')).toBe(3);
    expect(await storage.exists('sluice:///ns/flow/executions/1/a.txt')).toBe(false);
    expect(await storage.exists(kept)).toBe(true);
  });

  test('deletePrefix of a missing prefix deletes nothing', async () => {
    expect(await storage.deletePrefix('sluice:///never/there')).toBe(0);
  });

  test('deletePrefix of a symlink removes the link, not its target', async () => {
    await storage.put('target/keep.txt', 'k');
    await symlink(join(root, 'target'), join(root, 'link'));
    expect(await storage.deletePrefix('sluice:///link')).toBe(1);
    expect(await storage.exists('sluice:///target/keep.txt')).toBe(true);
  });
});

describe('refusals', () => {
  test.each([
    ['sluice:///../x', "'..' segments"],
    ['sluice:///a/../../x', "'..' segments"],
    ['sluice:///a/..', "'..' segments"],
    ['sluice:////etc/passwd', 'must be relative'],
    ['file:///etc/passwd', 'only sluice:///'],
    ['sluice://host/x', 'only sluice:///'],
    ['sluice:///a\0b', 'NUL'],
    ['sluice:///a\\..\\b', 'backslash'],
    ['sluice:///', 'empty'],
  ])('get refuses %j (%s) and names the URI', async (uri, reason) => {
    const refusal = storage.get(uri);
    await expect(refusal).rejects.toThrow(reason);
    await expect(storage.get(uri)).rejects.toThrow(JSON.stringify(uri));
  });

  test('put refuses an absolute path', async () => {
    await expect(storage.put('/etc/x', 'x')).rejects.toThrow('must be relative');
  });

  test('put refuses a path climbing out of the root', async () => {
    await expect(storage.put('a/../../x', 'x')).rejects.toThrow("'..' segments");
  });

  test('exists, localPath and deletePrefix refuse a climbing URI too', async () => {
    await expect(storage.exists('sluice:///../x')).rejects.toThrow("'..' segments");
    expect(() => storage.localPath('sluice:///../x')).toThrow("'..' segments");
    await expect(storage.deletePrefix('sluice:///../x')).rejects.toThrow("'..' segments");
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
