import { describe, expect, test } from 'vitest';
import {
  type MetaChange,
  type ValueFormats,
  bulkField,
  columnText,
  plainDecimal,
  utcParts,
  dateTimeParts,
} from '../../../src/connectors/sql/values.js';
import { columnType } from '../../../src/connectors/sql/column-types.js';

const formats: ValueFormats = {
  boolean: (v) => (v ? 't' : 'f'),
  timestamptz: (p) => `${p.date} ${p.time}.${p.fraction}${p.offset ?? 'none'}`,
  timestamp: (p) => `${p.date} ${p.time}`,
  time: (p) => p.time!,
  timetz: (p) => `${p.time}${p.offset}`,
  number: (text) => text,
  stripsNul: true,
};

const text = (type: Parameters<typeof columnText>[0], value: unknown) => {
  const changes: MetaChange[] = [];
  return { text: columnText(type, value, 'f', formats, changes), changes };
};

describe('columnText', () => {
  test('integers beyond 2^53 given as strings keep every digit', () => {
    expect(text('integer', '9007199254740993').text).toBe('9007199254740993');
  });

  test('an integer beyond 64 bits is NULLED with a typecast change', () => {
    expect(text('integer', '99999999999999999999')).toEqual({
      text: null,
      changes: [{ field: 'f', change: 'NULLED', reason: 'DESTINATION_TYPECAST_ERROR' }],
    });
  });

  test('a fractional number is not an integer', () => {
    expect(text('integer', 1.5).text).toBeNull();
  });

  test('timestamps with offsets, fractions and a space separator parse', () => {
    expect(text('timestamptz', '2024-02-29 23:59:59.1234567-05:30').text).toBe(
      '2024-02-29 23:59:59.123456-330',
    );
  });

  test('ISO timestamps read the same in every accepted spelling', () => {
    expect(
      [
        '2024-02-29T23:59:59Z',
        '2024-02-29t23:59:59.1234567+05:30',
        '2024-02-29 23:59:59.5 -01:00',
        '2024-02-29T23:59+0100',
        '2024-02-29',
      ].map(dateTimeParts),
    ).toEqual([
      { date: '2024-02-29', time: '23:59:59', fraction: '', offset: 0 },
      { date: '2024-02-29', time: '23:59:59', fraction: '123456', offset: 330 },
      { date: '2024-02-29', time: '23:59:59', fraction: '5', offset: -60 },
      { date: '2024-02-29', time: '23:59:00', fraction: '', offset: 60 },
      { date: '2024-02-29', time: undefined, fraction: '', offset: undefined },
    ]);
  });

  test('timestamps with an impossible date, time or offset are refused', () => {
    expect(
      [
        '2023-02-29T00:00:00Z',
        '2024-01-01T24:00:00Z',
        '2024-01-01T00:60:00Z',
        '2024-01-01T00:00:00.Z',
        '2024-01-01T00:00:00+16:00',
        '2024-01-01T00:00:00+01:00x',
      ].map(dateTimeParts),
    ).toEqual([undefined, undefined, undefined, undefined, undefined, undefined]);
  });

  test('an impossible date is NULLED', () => {
    expect(text('date', '2023-02-29').text).toBeNull();
  });

  test('NUL characters are removed where the database cannot hold them, and the change recorded', () => {
    expect(text('json', { a: 'x\u0000y', b: '\\u0000' })).toEqual({
      text: '{"a":"xy","b":"\\\\u0000"}',
      changes: [{ field: 'f', change: 'TRUNCATED', reason: 'DESTINATION_SERIALIZATION_ERROR' }],
    });
  });

  test('objects in a string column are kept as their JSON', () => {
    expect(text('string', { a: 1 }).text).toBe('{"a":1}');
  });
});

describe('helpers', () => {
  test('plainDecimal writes exponents out', () => {
    expect([
      plainDecimal('1.5e-7'),
      plainDecimal('1e+21'),
      plainDecimal('-2.50e1'),
      plainDecimal('12'),
    ]).toEqual(['0.00000015', '1000000000000000000000', '-25', '12']);
  });

  test('utcParts moves a timestamp across midnight', () => {
    expect(utcParts(dateTimeParts('2024-01-01T01:30:00+02:00')!)).toMatchObject({
      date: '2023-12-31',
      time: '23:30:00',
    });
  });

  test('bulkField escapes what separates fields and lines', () => {
    expect(bulkField('a\tb\nc\\d\re')).toBe('a\\tb\\nc\\\\d\\re');
    expect(bulkField(null)).toBe('\\N');
  });

  test('columnType reads nullable unions, formats and airbyte_type', () => {
    expect(
      [
        { type: ['null', 'integer'] },
        { type: 'number', airbyte_type: 'integer' },
        { type: 'string', format: 'date-time', airbyte_type: 'timestamp_without_timezone' },
        { type: 'string', format: 'date-time' },
        { type: ['string', 'integer'] },
        { $ref: 'WellKnownTypes.json#/definitions/Date' },
        {},
      ].map(columnType),
    ).toEqual(['integer', 'integer', 'timestamp', 'timestamptz', 'json', 'date', 'json']);
  });
});
