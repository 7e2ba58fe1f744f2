import { describe, expect, test } from 'vitest';
import {
  keepMaskedSecrets,
  mapPaths,
  masked,
  SECRET_MASK,
  secretPaths,
  secretValues,
} from '../../../src/connections/secret-fields.js';

const spec = {
  type: 'object',
  properties: {
    host: { type: 'string' },
    password: { type: 'string', airbyte_secret: true },
    tunnel: {
      type: 'object',
      oneOf: [
        { properties: { method: { const: 'NONE' } } },
        { properties: { method: { const: 'KEY' }, key: { type: 'string', airbyte_secret: true } } },
      ],
    },
  },
};

describe('secret fields', () => {
  test('are found at the top and inside the oneOf branch the configuration took', () => {
    const config = { host: 'h', password: 'p', tunnel: { method: 'KEY', key: 'k' } };
    expect(secretPaths(spec, config)).toEqual([['password'], ['tunnel', 'key']]);
  });

  test('that are absent from the configuration are not listed', () => {
    expect(secretPaths(spec, { host: 'h' })).toEqual([]);
  });

  test('are masked in a copy, leaving the original alone', () => {
    const config = { host: 'h', password: 'p' };
    expect(masked(config, [['password']])).toEqual({ host: 'h', password: SECRET_MASK });
    expect(config.password).toBe('p');
  });

  test('sent back as the mask keep their stored value; a new value replaces it', () => {
    const stored = { password: 'old', tunnel: { key: 'old-key' } };
    expect(keepMaskedSecrets({ password: SECRET_MASK, tunnel: { key: 'new-key' } }, stored)).toEqual({
      password: 'old',
      tunnel: { key: 'new-key' },
    });
  });

  test('are transformed in place by path, and listed for redaction', () => {
    const config = { a: { b: 'x' }, c: 'y' };
    expect(mapPaths(config, [['a', 'b']], (v) => v.toUpperCase())).toEqual({ a: { b: 'X' }, c: 'y' });
    expect(secretValues(config, [['a', 'b'], ['c']])).toEqual(['x', 'y']);
  });
});
