import { describe, expect, test } from 'vitest';
import { validateConfig } from '../../../src/protocol/config-validation.js';

const spec = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  required: ['host'],
  additionalProperties: true,
  properties: {
    host: { type: 'string', order: 0, group: 'connection', always_show: true },
    port: { type: 'integer', default: 5432, order: 1 },
    password: { type: 'string', airbyte_secret: true, airbyte_hidden: false, display_type: 'dropdown' },
    statuses: { type: 'array', items: { type: 'string' }, example: ['Terminated'] },
    since: { type: 'string', format: 'date-time' },
    tunnel: { type: 'object', properties: { port: { type: 'integer' } } },
  },
};

describe('validateConfig', () => {
  test('fills in the spec defaults', () => {
    expect(validateConfig(spec, { host: 'db' })).toEqual({ ok: true, config: { host: 'db', port: 5432 } });
  });

  test('leaves the caller’s config unchanged', () => {
    const config = { host: 'db' };
    validateConfig(spec, config);
    expect(config).toEqual({ host: 'db' });
  });

  test('accepts the Airbyte keywords in a spec', () => {
    expect(validateConfig(spec, { host: 'db', password: 'x' }).ok).toBe(true);
  });

  test('still refuses a spec with a misspelt keyword', () => {
    const result = validateConfig({ type: 'object', requried: ['host'] }, {});
    expect(result).toEqual({ ok: false, errors: [expect.stringContaining('requried')] });
  });

  test('accepts defaults inside oneOf branches, which cannot be applied, and checks the rest', () => {
    // Faros' destination spec has this shape: each choice of a oneOf brings its own defaults
    const choice = {
      type: 'object',
      properties: {
        edition: {
          type: 'object',
          oneOf: [
            { required: ['url'], properties: { url: { type: 'string', default: 'http://localhost' } } },
            { required: ['key'], properties: { key: { type: 'string' }, batch: { default: 100 } } },
          ],
        },
      },
    };
    expect(validateConfig(choice, { edition: { url: 'http://db' } })).toEqual({
      ok: true,
      config: { edition: { url: 'http://db' } },
    });
    expect(validateConfig(choice, { edition: {} }).ok).toBe(false);
  });

  test('still refuses a misspelt keyword inside a oneOf branch', () => {
    const result = validateConfig({ oneOf: [{ type: 'object', requried: ['host'] }] }, {});
    expect(result).toEqual({ ok: false, errors: [expect.stringContaining('requried')] });
  });

  test('names the field of a wrongly typed value', () => {
    expect(validateConfig(spec, { host: 'db', port: 'x' })).toEqual({
      ok: false,
      errors: ['config.port: must be integer'],
    });
  });

  test('names a missing required field', () => {
    expect(validateConfig(spec, {})).toEqual({ ok: false, errors: ['config.host: is required'] });
  });

  test('names a nested field by its full path', () => {
    expect(validateConfig(spec, { host: 'db', tunnel: { port: 1.5 } })).toEqual({
      ok: false,
      errors: ['config.tunnel.port: must be integer'],
    });
  });

  test('checks formats', () => {
    expect(validateConfig(spec, { host: 'db', since: 'yesterday' })).toEqual({
      ok: false,
      errors: ['config.since: must match format "date-time"'],
    });
  });

  test('compiles a spec with an $id more than once', () => {
    const withId = { ...spec, $id: 'https://example.com/spec' };
    validateConfig(withId, { host: 'a' });
    expect(validateConfig(withId, { host: 'b' }).ok).toBe(true);
  });
});
