// Pure pieces of the script tasks, tested directly where a real process could not hit the edge cases
// reliably (chunk boundaries, glob corners).
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { findFiles, globToRegExp } from '../../../src/tasks/script/glob.js';
import { createLineSplitter } from '../../../src/tasks/script/lines.js';
import { parseProtocolLine } from '../../../src/tasks/script/output-lines.js';

function split(chunks: Buffer[], maxPending?: number): string[] {
  const lines: string[] = [];
  const splitter = createLineSplitter((line) => lines.push(line), maxPending);
  for (const chunk of chunks) splitter.push(chunk);
  splitter.end();
  return lines;
}

describe('line splitter', () => {
  test('a line cut across chunks comes out whole', () => {
    expect(split([Buffer.from('hel'), Buffer.from('lo\nwor'), Buffer.from('ld\n')])).toEqual([
      'hello',
      'world',
    ]);
  });

  test('a UTF-8 character cut across chunks is decoded whole', () => {
    const bytes = Buffer.from('é€\n');
    expect(split([bytes.subarray(0, 1), bytes.subarray(1, 3), bytes.subarray(3)])).toEqual(['é€']);
  });

  test('\\r\\n is one line end even when cut between chunks', () => {
    expect(split([Buffer.from('a\r'), Buffer.from('\nb\r\n')])).toEqual(['a', 'b']);
  });

  test('a last line without a newline is emitted at the end', () => {
    expect(split([Buffer.from('a\nb')])).toEqual(['a', 'b']);
  });

  test('empty lines are kept', () => {
    expect(split([Buffer.from('a\n\nb\n')])).toEqual(['a', '', 'b']);
  });

  test('text without a newline beyond the pending cap is emitted in pieces', () => {
    expect(split([Buffer.from('abcdef'), Buffer.from('gh\n')], 4)).toEqual(['abcdef', 'gh']);
  });

  test('the pieces of a line beyond the cap say so: its head, then more; the next line is whole again', () => {
    const pieces: Array<[string, string | undefined]> = [];
    const splitter = createLineSplitter((line, piece) => pieces.push([line, piece]), 4);
    for (const chunk of ['abcdef', 'ghijk', 'l\nnext\n']) splitter.push(Buffer.from(chunk));
    splitter.end();
    expect(pieces).toEqual([
      ['abcdef', 'head'],
      ['ghijk', 'more'],
      ['l', 'more'],
      ['next', undefined],
    ]);
  });
});

describe('protocol lines', () => {
  test('an outputs line carries its outputs', () => {
    expect(parseProtocolLine('::{"outputs":{"a":1}}::')?.outputs).toEqual({ a: 1 });
  });

  test('an ordinary line is not a protocol line', () => {
    expect(parseProtocolLine('hello ::{"outputs":{}}::')).toBeUndefined();
  });

  test('a protocol line whose outputs are not a map is logged as-is', () => {
    expect(parseProtocolLine('::{"outputs":[1]}::')).toBeUndefined();
  });

  test('an unknown log level becomes INFO', () => {
    expect(parseProtocolLine('::{"logs":[{"level":"LOUD","message":"m"}]}::')?.logs).toEqual([
      { level: 'INFO', message: 'm' },
    ]);
  });
});

describe('glob', () => {
  test.each([
    ['*.csv', 'a.csv', true],
    ['*.csv', 'dir/a.csv', false],
    ['**/*.csv', 'a.csv', true],
    ['**/*.csv', 'x/y/a.csv', true],
    ['out/**', 'out/x/y.txt', true],
    ['out/**', 'outside.txt', false],
    ['?.txt', 'a.txt', true],
    ['?.txt', 'ab.txt', false],
    ['a.c(s)v', 'a.c(s)v', true],
    ['a.csv', 'aXcsv', false],
    ['*', '.hidden', true],
  ])('%s matches %s: %s', (pattern, path, expected) => {
    expect(globToRegExp(pattern).test(path)).toBe(expected);
  });

  test('findFiles lists matching regular files, sorted, skipping excluded names and symlinked directories', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-glob-'));
    try {
      await mkdir(join(dir, 'sub'));
      await writeFile(join(dir, 'b.txt'), '');
      await writeFile(join(dir, 'a.txt'), '');
      await writeFile(join(dir, 'sub', 'c.txt'), '');
      await writeFile(join(dir, 'skip.txt'), '');
      await symlink(dir, join(dir, 'loop'));
      expect(await findFiles(dir, ['**/*.txt'], new Set(['skip.txt']))).toEqual([
        'a.txt',
        'b.txt',
        'sub/c.txt',
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
