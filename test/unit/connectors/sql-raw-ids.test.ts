import { describe, expect, test } from 'vitest';
import { withRawIds } from '../../../src/connectors/sql/raw-ids.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('withRawIds', () => {
  test('each line keeps its text and gets a tab and a version 4 UUID, every one different', () => {
    const lines = withRawIds(Buffer.from('a\tb\n\\N\né\n'), 3).toString().split('\n').slice(0, -1);
    expect(lines.map((l) => l.split('\t').slice(0, -1).join('\t'))).toEqual(['a\tb', '\\N', 'é']);
    const ids = lines.map((l) => l.split('\t').at(-1)!);
    expect(ids.every((id) => UUID.test(id)) && new Set(ids).size === 3).toBe(true);
  });

  test('ids stay different across many calls (the random pool is refilled, not reused)', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 3000; i++) ids.add(withRawIds(Buffer.from('x\n'), 1).toString().slice(2, -1));
    expect(ids.size).toBe(3000);
  });

  test('more lines than announced are refused', () => {
    expect(() => withRawIds(Buffer.from('a\nb\n'), 1)).toThrow(/more lines than the 1 announced/);
  });

  test('fewer lines than announced are refused', () => {
    expect(() => withRawIds(Buffer.from('a\n'), 2)).toThrow(/1 lines, not the 2 announced/);
  });

  test('text that does not end with a line break is refused', () => {
    expect(() => withRawIds(Buffer.from('a\nb'), 2)).toThrow(/must end with a line break/);
  });
});
