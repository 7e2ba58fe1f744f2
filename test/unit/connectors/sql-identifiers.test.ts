import { describe, expect, test } from 'vitest';
import {
  type IdentifierRules,
  distinctIdentifiers,
  identifier,
} from '../../../src/connectors/sql/identifiers.js';

const postgres: IdentifierRules = {
  maxLength: 63,
  lengthUnit: 'bytes',
  caseInsensitive: false,
  invalid: /\u0000/g,
};
const mysql: IdentifierRules = {
  maxLength: 64,
  lengthUnit: 'chars',
  caseInsensitive: true,
  invalid: /[\u0000\u{10000}-\u{10FFFF}]/gu,
  invalidEnd: / +$/,
};

describe('identifier', () => {
  test('a name the database can hold stays exactly as it is', () => {
    expect(identifier(`it's "x"; select`, postgres)).toBe(`it's "x"; select`);
  });

  test('a name over the byte limit is cut at a character boundary and ends in a hash of the whole', () => {
    const name = identifier('é'.repeat(40), postgres);
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(63);
    expect(name).toMatch(/^(é)+_[0-9a-f]{8}$/);
    expect(identifier('é'.repeat(40), postgres)).toBe(name);
  });

  test('two long names sharing their prefix stay distinct', () => {
    expect(identifier(`${'a'.repeat(70)}1`, postgres)).not.toBe(identifier(`${'a'.repeat(70)}2`, postgres));
  });

  test('characters the database refuses are replaced and the name hashed', () => {
    expect(identifier('a\u0000b', postgres)).toMatch(/^a_b_[0-9a-f]{8}$/);
    expect(identifier('emoji 😀', mysql)).toMatch(/^emoji __[0-9a-f]{8}$/);
    expect(identifier('trailing  ', mysql)).toMatch(/^trailing___[0-9a-f]{8}$/);
  });

  test('an empty name becomes a hash', () => {
    expect(identifier('', postgres)).toMatch(/^_[0-9a-f]{8}$/);
  });
});

describe('distinctIdentifiers', () => {
  test('names differing only in case collide where the database ignores case, whatever the order', () => {
    const forward = distinctIdentifiers(['id', 'ID'], mysql);
    const backward = distinctIdentifiers(['ID', 'id'], mysql);
    expect(forward).toEqual(backward);
    expect(forward.get('ID')).toBe('ID');
    expect(forward.get('id')).toMatch(/^id_[0-9a-f]{8}$/);
  });

  test('names differing only in case are distinct where the database keeps case', () => {
    expect([...distinctIdentifiers(['id', 'ID'], postgres).values()]).toEqual(['ID', 'id']);
  });

  test('a field named like a reserved column is renamed', () => {
    expect(distinctIdentifiers(['_airbyte_meta'], postgres, ['_airbyte_meta']).get('_airbyte_meta')).toMatch(
      /^_airbyte_meta_[0-9a-f]{8}$/,
    );
  });
});
