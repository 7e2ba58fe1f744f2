import { expect, test } from 'vitest';
import { parseAuthorization } from '../../../src/auth/credentials.js';

const basic = (text: string) => `Basic ${Buffer.from(text).toString('base64')}`;

test('Basic gives the name and the password, split at the first colon', () => {
  expect(parseAuthorization(basic('ada:pa:ss word'))).toEqual({
    scheme: 'basic',
    name: 'ada',
    password: 'pa:ss word',
  });
});

test('the scheme name is case-insensitive', () => {
  expect(parseAuthorization('bearer abc')).toEqual({ scheme: 'bearer', token: 'abc' });
});

test('no header, or an empty one, is no credentials', () => {
  expect([parseAuthorization(undefined), parseAuthorization('  ')]).toEqual([undefined, undefined]);
});

test('other schemes, Basic without a colon or a name, and extra parts are malformed', () => {
  const headers = ['Digest x', basic('ada'), basic(':pw'), 'Bearer a b', 'Bearer'];
  expect(headers.map(parseAuthorization)).toEqual(headers.map(() => 'malformed'));
});
