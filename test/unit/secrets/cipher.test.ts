import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { SecretCipher } from '../../../src/secrets/cipher.js';
import { namespaceChain } from '../../../src/secrets/secret-store.js';

describe('SecretCipher', () => {
  test('decrypts what it encrypted', () => {
    const cipher = SecretCipher.fromKey('passphrase');
    expect(cipher.decrypt(cipher.encrypt('hunter2 ✓'))).toBe('hunter2 ✓');
  });

  test('never stores the clear text and never repeats a ciphertext', () => {
    const cipher = SecretCipher.fromKey('passphrase');
    const a = cipher.encrypt('same value');
    expect(a).not.toContain('same value');
    expect(cipher.encrypt('same value')).not.toBe(a);
  });

  test('refuses a tampered value', () => {
    const cipher = SecretCipher.fromKey('passphrase');
    const stored = cipher.encrypt('value');
    const raw = Buffer.from(stored.slice(3), 'base64');
    raw[raw.length - 1] ^= 1;
    expect(() => cipher.decrypt(`v1:${raw.toString('base64')}`)).toThrow(/cannot be decrypted/);
  });

  test('refuses a value written with another key', () => {
    const stored = SecretCipher.fromKey('one').encrypt('value');
    expect(() => SecretCipher.fromKey('two').decrypt(stored)).toThrow(/SLUICE_ENCRYPTION_KEY/);
  });

  test('creates a key file readable by its owner only, and reuses it', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'sluice-key-'));
    const first = await SecretCipher.load(dir, {});
    const mode = (await stat(path.join(dir, 'encryption.key'))).mode & 0o777;
    expect(mode).toBe(0o600);
    const second = await SecretCipher.load(dir, {});
    expect(second.decrypt(first.encrypt('x'))).toBe('x');
    expect((await readFile(path.join(dir, 'encryption.key'), 'utf8')).trim()).toHaveLength(44);
  });

  test('SLUICE_ENCRYPTION_KEY wins over the key file', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'sluice-key-'));
    const fromEnv = await SecretCipher.load(dir, { SLUICE_ENCRYPTION_KEY: 'from-env' });
    expect(SecretCipher.fromKey('from-env').decrypt(fromEnv.encrypt('x'))).toBe('x');
  });
});

test('a namespace sees itself and its parents, nearest first', () => {
  expect(namespaceChain('a.b.c')).toEqual(['a.b.c', 'a.b', 'a']);
});
