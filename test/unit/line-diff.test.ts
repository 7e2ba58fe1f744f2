import { describe, expect, test } from 'vitest';
import { lineDiff } from '../../ui/src/revisions/line-diff.js';

describe('the line diff of two flow revisions', () => {
  test('a line replaced in place is one changed row, numbered on both sides', () => {
    expect(lineDiff('a\nb\nc\n', 'a\nB\nc\n')).toEqual([
      { kind: 'same', left: { line: 1, text: 'a' }, right: { line: 1, text: 'a' } },
      { kind: 'changed', left: { line: 2, text: 'b' }, right: { line: 2, text: 'B' } },
      { kind: 'same', left: { line: 3, text: 'c' }, right: { line: 3, text: 'c' } },
    ]);
  });

  test('lines only on one side are removed or added, and the common lines stay aligned', () => {
    expect(lineDiff('a\nx\nb', 'a\nb\ny').map((r) => [r.kind, r.left?.line, r.right?.line])).toEqual([
      ['same', 1, 1],
      ['removed', 2, undefined],
      ['same', 3, 2],
      ['added', undefined, 3],
    ]);
  });

  test('an empty text against another is all additions', () => {
    expect(lineDiff('', 'a\nb').map((r) => r.kind)).toEqual(['added', 'added']);
  });
});
