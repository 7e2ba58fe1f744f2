import { mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { packDirectory, unpackInto } from '../../../src/engine/dir-snapshot.js';

// The snapshot that carries a WorkingDirectory's files from one task to the next.

describe('directory snapshots', () => {
  let from: string;
  let to: string;
  beforeEach(async () => {
    from = await mkdtemp(path.join(tmpdir(), 'snap-from-'));
    to = await mkdtemp(path.join(tmpdir(), 'snap-to-'));
  });
  afterEach(async () => {
    await rm(from, { recursive: true, force: true });
    await rm(to, { recursive: true, force: true });
  });

  test('nested files, empty files, binary content and modes come back as they were', async () => {
    await mkdir(path.join(from, 'a/b'), { recursive: true });
    const binary = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 31) % 256));
    await writeFile(path.join(from, 'a/b/data.bin'), binary);
    await writeFile(path.join(from, 'empty.txt'), '');
    await writeFile(path.join(from, 'run.sh'), 'echo hi\n', { mode: 0o755 });
    await unpackInto(to, packDirectory(from));
    expect(Buffer.compare(await readFile(path.join(to, 'a/b/data.bin')), binary)).toBe(0);
    expect(await readFile(path.join(to, 'empty.txt'), 'utf8')).toBe('');
    expect((await stat(path.join(to, 'run.sh'))).mode & 0o777).toBe(0o755);
  });

  test('symbolic links are left out, so a link cannot carry a file from outside the directory', async () => {
    await writeFile(path.join(from, 'kept.txt'), 'kept');
    await symlink('/etc/hostname', path.join(from, 'link'));
    await unpackInto(to, packDirectory(from));
    await expect(stat(path.join(to, 'link'))).rejects.toThrow();
    expect(await readFile(path.join(to, 'kept.txt'), 'utf8')).toBe('kept');
  });

  test('a snapshot naming a path outside the directory is refused', async () => {
    const evil = Readable.from([Buffer.from('{"path":"../escape.txt","size":1,"mode":420}\nx')]);
    await expect(unpackInto(to, evil)).rejects.toThrow('invalid path "../escape.txt"');
    await expect(stat(path.join(to, '..', 'escape.txt'))).rejects.toThrow();
  });

  test('a snapshot cut short is refused', async () => {
    const cut = Readable.from([Buffer.from('{"path":"a.txt","size":10,"mode":420}\nabc')]);
    await expect(unpackInto(to, cut)).rejects.toThrow('truncated');
  });
});
