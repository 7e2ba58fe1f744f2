import { describe, expect, test } from 'vitest';
import { SecretCipher } from '../../../src/secrets/cipher.js';
import {
  decryptSecretFields,
  encryptSecretFields,
  keepMaskedSecretFields,
  maskSecretFields,
  SECRET_MASK,
  secretFieldValues,
} from '../../../src/secrets/connector-secrets.js';

// Shaped like Airbyte's Postgres source spec: a top-level password and an SSH tunnel whose oneOf
// branches declare their own secret fields.
const spec = {
  type: 'object',
  properties: {
    host: { type: 'string' },
    password: { type: 'string', airbyte_secret: true },
    tunnel_method: {
      type: 'object',
      oneOf: [
        { properties: { tunnel_method: { const: 'NO_TUNNEL' } } },
        {
          properties: {
            tunnel_method: { const: 'SSH_KEY_AUTH' },
            ssh_key: { type: 'string', airbyte_secret: true },
          },
        },
        {
          properties: {
            tunnel_method: { const: 'SSH_PASSWORD_AUTH' },
            tunnel_user_password: { airbyte_secret: true },
          },
        },
      ],
    },
    hosts: { type: 'array', items: { type: 'object', properties: { token: { airbyte_secret: true } } } },
  },
};

const config = {
  host: 'db',
  password: 'pg-pass',
  tunnel_method: { tunnel_method: 'SSH_KEY_AUTH', ssh_key: 'ssh-private-key-text' },
  hosts: [{ token: 't1' }, { token: 't2' }],
};

describe('airbyte_secret fields', () => {
  test('are masked, top-level, inside oneOf branches and inside arrays', () => {
    expect(maskSecretFields(spec, config)).toEqual({
      host: 'db',
      password: SECRET_MASK,
      tunnel_method: { tunnel_method: 'SSH_KEY_AUTH', ssh_key: SECRET_MASK },
      hosts: [{ token: SECRET_MASK }, { token: SECRET_MASK }],
    });
  });

  test('an update sending the mask back keeps the stored value; a new value replaces it', () => {
    const incoming = { ...(maskSecretFields(spec, config) as object), password: 'new-pass', host: 'db2' };
    expect(keepMaskedSecretFields(spec, incoming, config)).toEqual({
      ...config,
      password: 'new-pass',
      host: 'db2',
    });
  });

  test('the mask for a field that has no stored value is refused, naming the field', () => {
    expect(() => keepMaskedSecretFields(spec, { password: SECRET_MASK }, {})).toThrow(/^password: the mask/);
  });

  test('are encrypted for storage, nothing else is, and decrypt back to the same values', () => {
    const cipher = SecretCipher.fromKey('test-key');
    const stored = encryptSecretFields(spec, config, cipher);
    const text = JSON.stringify(stored);
    expect(['pg-pass', 'ssh-private-key-text', '"t1"'].filter((clear) => text.includes(clear))).toEqual([]);
    expect((stored as { host: string }).host).toBe('db');
    expect(decryptSecretFields(spec, stored, cipher)).toEqual(config);
  });

  test('their clear values are listed for redaction', () => {
    expect(secretFieldValues(spec, config)).toEqual(['pg-pass', 'ssh-private-key-text', 't1', 't2']);
  });
});
