import { describe, expect, test } from 'vitest';
import { Redactor } from '../../../src/secrets/redactor.js';

function redactorOf(...values: string[]): Redactor {
  return Redactor.of(values);
}

describe('Redactor.text', () => {
  test('masks every occurrence of a secret', () => {
    expect(redactorOf('hunter22').text('pw=hunter22, again hunter22')).toBe('pw=******, again ******');
  });

  test('masks a secret containing another one whole', () => {
    expect(redactorOf('abcd', 'abcdefgh').text('[abcdefgh]')).toBe('[******]');
  });

  test('masks the JSON-escaped and URL-encoded forms', () => {
    const r = redactorOf('p"a/s s');
    expect([r.text('{"pw":"p\\"a/s s"}'), r.text('https://u:p%22a%2Fs%20s@host')]).toEqual([
      '{"pw":"******"}',
      'https://u:******@host',
    ]);
  });

  test('masks each line of a multi-line secret on its own', () => {
    const r = redactorOf('-----BEGIN KEY-----\nMIIEvQIBADANBg\n-----END KEY-----');
    expect(r.text('line: MIIEvQIBADANBg')).toBe('line: ******');
  });

  test(`leaves values shorter than 4 characters in text`, () => {
    expect(redactorOf('abc').text('abc abcd')).toBe('abc abcd');
  });
});

describe('Redactor.value', () => {
  test('masks strings, keys and numbers inside outputs, and an output equal to a short secret', () => {
    const r = redactorOf('s3cret', '42', '7777');
    expect(
      r.value({ a: 'x s3cret y', list: ['s3cret', 1], s3cret: true, n: 42, m: 7777, short: '42' }),
    ).toEqual({
      a: 'x ****** y',
      list: ['******', 1],
      '******': true,
      n: '******',
      m: '******',
      short: '******',
    });
  });

  test('gives outputs back untouched when there is no secret', () => {
    const outputs = { a: 'x' };
    expect(new Redactor().value(outputs)).toBe(outputs);
  });
});

describe('Redactor.finds', () => {
  test('finds a secret in text, in plain data, and a short one only as the whole value', () => {
    const r = redactorOf('hunter22', 'ab');
    expect([
      r.finds('pw=hunter22'),
      r.finds({ url: ['postgres://u:hunter22@h'] }),
      r.finds('ab'),
      r.finds('cab'),
      r.finds({ pw: 'other' }),
      new Redactor().finds('hunter22'),
    ]).toEqual([true, true, true, false, false, false]);
  });
});
