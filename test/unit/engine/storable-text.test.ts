import { describe, expect, test } from 'vitest';
import {
  storableDocument,
  storableJson,
  storableText,
  TooLargeError,
  unstorableIn,
} from '../../../src/engine/storable-text.js';

describe('storableText', () => {
  test('NUL becomes ␀ and a lone surrogate �; surrogate pairs and other text are kept', () => {
    expect(storableText('a\u0000b')).toBe('a\u2400b');
    expect(storableText('x\ud800y\udc00')).toBe('x\ufffdy\ufffd');
    expect(storableText('emoji 😀 stays')).toBe('emoji 😀 stays');
    expect(storableText('plain')).toBe('plain');
  });
});

describe('storableJson', () => {
  test('replaces the escapes JSON.stringify writes for NUL and lone surrogates, and only those', () => {
    const value = {
      a: 'x\u0000y',
      b: '\\u0000 written by a script',
      c: '\\\u0000',
      d: 'lone \ud83d',
      e: '😀',
    };
    const fixed = JSON.parse(storableJson(JSON.stringify(value)));
    expect(fixed).toEqual({
      a: 'x\u2400y',
      b: '\\u0000 written by a script',
      c: '\\\u2400',
      d: 'lone \ufffd',
      e: '😀',
    });
  });

  test('keys are fixed like values', () => {
    expect(JSON.parse(storableJson(JSON.stringify({ 'k\u0000': 1 })))).toEqual({ 'k\u2400': 1 });
  });
});

describe('storableDocument', () => {
  test('refuses JSON longer than the limit, naming what it is and both sizes', () => {
    expect(() => storableDocument({ big: 'x'.repeat(200) }, 100, 'the result')).toThrow(TooLargeError);
    expect(() => storableDocument({ big: 'x'.repeat(200) }, 100, 'the result')).toThrow(
      'the result is 210 characters of JSON, over the limit of 100',
    );
  });
});

describe('unstorableIn', () => {
  test('names the path of the first string, key or value, that cannot be stored', () => {
    expect(unstorableIn({ a: 'ok', b: ['fine', { c: 'x\u0000' }] }, 'body')).toEqual({
      path: 'body.b[1].c',
      problem: 'contains U+0000 (NUL), which cannot be stored',
    });
    expect(unstorableIn({ ['k\ud800']: 1 }, 'body')?.path).toBe('body.k\ufffd');
    expect(unstorableIn('\udfff', 'query.q')?.problem).toMatch(/lone UTF-16 surrogate/);
    expect(unstorableIn({ a: '😀', n: 1, z: null }, 'body')).toBeUndefined();
  });
});
