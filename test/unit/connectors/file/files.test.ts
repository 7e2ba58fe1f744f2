// Which files a source-file url names, on a real folder tree.
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { matchFiles } from '../../../../src/connectors/file/files.js';
import { Workspace } from './harness.js';

let ws: Workspace;
beforeAll(async () => {
  ws = await Workspace.create('file-glob');
  const files = [
    'a.csv',
    'b.csv',
    'c.txt',
    '.hidden.csv',
    'x/d.csv',
    'x/y/e.csv',
    'x/.z/f.csv',
    'a1.csv',
    'a2.csv',
  ];
  for (const [i, file] of files.entries()) {
    await mkdir(path.dirname(ws.path(file)), { recursive: true });
    await writeFile(ws.path(file), 'a\n1\n');
    // distinct times, in the listed order, so the expected order is the listing's
    const at = new Date(Date.UTC(2024, 0, 1 + i));
    await utimes(ws.path(file), at, at);
  }
});
afterAll(() => ws.remove());

const names = async (pattern: string) =>
  (await matchFiles(ws.path(pattern))).map((f) => path.relative(ws.dir, f.path));

describe('matchFiles', () => {
  test('* matches within one folder, oldest first, never a leading dot', async () => {
    expect(await names('*.csv')).toEqual(['a.csv', 'b.csv', 'a1.csv', 'a2.csv']);
  });

  test('? and [] match one character', async () => {
    expect(await names('a?.csv')).toEqual(['a1.csv', 'a2.csv']);
    expect(await names('[ab].csv')).toEqual(['a.csv', 'b.csv']);
    expect(await names('a[!1].csv')).toEqual(['a2.csv']);
  });

  test('** matches any depth of folders that are not hidden', async () => {
    expect(await names('**/*.csv')).toEqual(['a.csv', 'b.csv', 'x/d.csv', 'x/y/e.csv', 'a1.csv', 'a2.csv']);
    expect(await names('x/**/e.csv')).toEqual(['x/y/e.csv']);
  });

  test('a plain path names its file, a pattern may name a hidden file explicitly', async () => {
    expect(await names('c.txt')).toEqual(['c.txt']);
    expect(await names('.hidden.*')).toEqual(['.hidden.csv']);
  });

  test('file:// urls are local paths', async () => {
    expect((await matchFiles(`file://${ws.path('b.csv')}`)).map((f) => f.path)).toEqual([ws.path('b.csv')]);
  });

  test('a url that is not local, a folder, or nothing at all is refused', async () => {
    await expect(matchFiles('s3://bucket/a.csv')).rejects.toThrow(
      'config.url: s3://bucket/a.csv is not a local path',
    );
    await expect(matchFiles(ws.path('x'))).rejects.toThrow(`config.url: ${ws.path('x')} is not a file`);
    await expect(matchFiles(ws.path('*.json'))).rejects.toThrow(
      `config.url: no file matches ${ws.path('*.json')}`,
    );
  });
});
