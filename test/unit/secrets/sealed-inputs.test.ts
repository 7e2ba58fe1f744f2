import { describe, expect, test } from 'vitest';
import { SecretCipher } from '../../../src/secrets/cipher.js';
import {
  createInputSeal,
  holdsSealed,
  maskSealed,
  openSealed,
  SEALED_PREFIX,
} from '../../../src/secrets/sealed-inputs.js';

const cipher = SecretCipher.fromKey('sealed-inputs-test');
const seal = createInputSeal(cipher);

describe('sealed SECRET inputs', () => {
  test('a sealed value opens to the clear one and never holds it', () => {
    const sealed = seal.seal('hunter2-clear');
    expect([sealed.startsWith(SEALED_PREFIX), sealed.includes('hunter2'), seal.open(sealed)]).toEqual([
      true,
      false,
      'hunter2-clear',
    ]);
  });

  test('a value encrypted for another purpose (a stored secret) does not open as an input', () => {
    const stored = cipher.encrypt('stored-secret');
    expect(() => seal.open(SEALED_PREFIX + stored)).toThrow(/cannot be decrypted/);
  });

  test('a value sealed with another key does not open, and says which key to look at', () => {
    const other = createInputSeal(SecretCipher.fromKey('another key')).seal('x');
    expect(() => seal.open(other)).toThrow(/SLUICE_ENCRYPTION_KEY/);
  });

  test('openSealed opens every sealed value, at any depth, and lists the clear values', () => {
    const inputs = { a: seal.seal('one-1'), nested: { list: [seal.seal('two-2'), 'plain'] }, n: 3 };
    expect(openSealed(inputs, seal)).toEqual({
      inputs: { a: 'one-1', nested: { list: ['two-2', 'plain'] }, n: 3 },
      secrets: ['one-1', 'two-2'],
    });
  });

  test('openSealed gives the inputs back untouched, with the reason, when a value cannot be opened', () => {
    const inputs = { a: seal.seal('one-1') };
    const { inputs: back, secrets, failure } = openSealed(inputs, undefined);
    expect([back, secrets, failure?.message]).toEqual([
      inputs,
      [],
      'a SECRET input cannot be decrypted: no encryption key is configured',
    ]);
  });

  test('maskSealed shows the mask for each sealed value and leaves a document without one as it is', () => {
    const doc = { inputs: { token: seal.seal('t0ken-x'), who: 'me' }, list: [1, 'a'] };
    const plain = { inputs: { who: 'me' } };
    expect([maskSealed(doc), maskSealed(plain) === plain, holdsSealed(doc), holdsSealed(plain)]).toEqual([
      { inputs: { token: '******', who: 'me' }, list: [1, 'a'] },
      true,
      true,
      false,
    ]);
  });
});
