import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { MYSQL_IDENTIFIERS } from '../../../src/connectors/mysql/destination-database.js';
import { POSTGRES_IDENTIFIERS } from '../../../src/connectors/postgres/destination-database.js';
import {
  columnNames,
  javaHashCode,
  mysqlName,
  postgresName,
  tableNames,
} from '../../../src/connectors/sql/identifiers.js';

describe('postgresName (destination-postgres 3.x toPostgresCompatibleName)', () => {
  test('characters other than ASCII letters, digits and _ become _, and a run of white space one _', () => {
    expect(postgresName('order-id')).toBe('order_id');
    expect(postgresName('Weird  Col')).toBe('Weird_Col');
    expect(postgresName(`quote"col; DROP`)).toBe('quote_col__DROP');
    expect(postgresName('emoji 😀')).toBe('emoji__');
  });

  test('case is kept', () => {
    expect(postgresName('CamelCaseCol')).toBe('CamelCaseCol');
  });

  test('accents are stripped', () => {
    expect(postgresName('ünïcödé')).toBe('unicode');
  });

  test('a leading digit gets an underscore before it', () => {
    expect(postgresName('1st')).toBe('_1st');
  });

  test("a name over 63 characters is cut to 54, an underscore and the last 8 digits of Java's hashCode", () => {
    const long = 'a'.repeat(70);
    const name = postgresName(long);
    expect(name).toBe(`${'a'.repeat(54)}_${String(javaHashCode(long)).slice(-8)}`);
    expect(name.length).toBeLessThanOrEqual(63);
  });

  test('a name that cleans to nothing gets a stable default name', () => {
    expect(postgresName('\u0301')).toMatch(/^default_name_[0-9a-f]{16}$/);
    expect(postgresName('\u0301')).toBe(postgresName('\u0301'));
  });
});

describe('javaHashCode', () => {
  test("is Java's String.hashCode, overflowing as a signed 32-bit number", () => {
    expect(javaHashCode('hello')).toBe(99162322);
    expect(javaHashCode('polygenelubricants')).toBe(-2147483648);
  });
});

describe('mysqlName (destination-mysql MySQLNameTransformer)', () => {
  test('is lower case, cleaned like the others, and keeps a leading digit', () => {
    expect(mysqlName('Order-ID')).toBe('order_id');
    expect(mysqlName('1st')).toBe('1st');
  });

  test('a name over 44 characters keeps its first and last 21 joined by __', () => {
    const long = `${'a'.repeat(30)}${'b'.repeat(30)}`;
    expect(mysqlName(long)).toBe(`${'a'.repeat(21)}__${'b'.repeat(21)}`);
  });
});

describe('columnNames (the bulk CDK ColumnNameResolver)', () => {
  test('a name taken already gets _1, then _2, in the order of the schema', () => {
    const names = columnNames(['a-b', 'a_b', 'a b'], POSTGRES_IDENTIFIERS);
    expect([...names.values()]).toEqual(['a_b', 'a_b_1', 'a_b_2']);
  });

  test('names differing only in case are distinct in PostgreSQL and collide in MySQL', () => {
    expect([...columnNames(['id', 'ID'], POSTGRES_IDENTIFIERS).values()]).toEqual(['id', 'ID']);
    expect([...columnNames(['ID', 'id'], MYSQL_IDENTIFIERS).values()]).toEqual(['id', 'id_1']);
  });

  test("a field named like one of Airbyte's columns is renamed", () => {
    expect(columnNames(['_airbyte_meta'], POSTGRES_IDENTIFIERS, ['_airbyte_meta']).get('_airbyte_meta')).toBe(
      '_airbyte_meta_1',
    );
  });
});

describe('tableNames (the bulk CDK TableNameResolver)', () => {
  test('a stream whose table name is taken gets 3 hex digits of sha1(schema&airbyte&name)', () => {
    const hash = createHash('sha1').update('public&airbyte&a_b').digest('hex').slice(0, 3);
    expect([...tableNames('public', ['a-b', 'a_b'], POSTGRES_IDENTIFIERS).values()]).toEqual([
      'a_b',
      `a_b_${hash}`,
    ]);
  });
});
