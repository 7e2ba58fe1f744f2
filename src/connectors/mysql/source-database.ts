// source-mysql's side of the shared SQL source: discovery from information_schema, and rows streamed
// out of one consistent-snapshot, read-only transaction, each row's JSON text built by the server
// (CONCAT of per-column JSON text: JSON_OBJECT differs between MySQL and MariaDB in how it embeds JSON
// columns) so that Node only passes text along.
//
// Numbers stay exact as in source-postgres: a BIGINT beyond ±(2^53 − 1) or a DECIMAL with more than
// 15 significant digits is a JSON string of its exact text.
import type mysql from 'mysql2';
import type { JsonObject } from '../../protocol/messages.js';
import type { SourceColumn, SourceDatabase, SourceTable } from '../sql/source-reader.js';
import { quote } from './destination-database.js';

interface ColumnRow {
  table: string;
  column: string;
  dataType: string;
  columnType: string;
  nullable: string;
  precision: number | null;
}

interface MysqlColumn extends SourceColumn {
  /** SQL whose value is the column's JSON text (never NULL) */
  json: string;
  /** how a cursor value given as text is compared with the column */
  cast: string;
}

const SAFE_INTEGER = '9007199254740991';
const EXACT_DIGITS = 15;
const INTEGERS = new Set(['tinyint', 'smallint', 'mediumint', 'int', 'integer', 'bigint', 'year']);
const BINARIES = new Set(['binary', 'varbinary', 'tinyblob', 'blob', 'mediumblob', 'longblob']);
const GEOMETRIES = new Set([
  'geometry',
  'point',
  'linestring',
  'polygon',
  'multipoint',
  'multilinestring',
  'multipolygon',
  'geometrycollection',
]);

const stringOf = (extra: JsonObject = {}): JsonObject => ({ type: 'string', ...extra });

/** The JSON schema, the JSON text expression and the cursor cast of one column. */
function describeColumn(row: ColumnRow, isJson: boolean): Omit<MysqlColumn, 'name'> {
  const c = quote(row.column);
  const text = `CAST(${c} AS CHAR)`;
  const quoted = `JSON_QUOTE(${text})`;
  const type = row.dataType.toLowerCase();
  const unsigned = /unsigned/i.test(row.columnType);
  if (isJson || type === 'json') return { schema: {}, json: c, cast: '?' };
  if (/^tinyint\(1\)/i.test(row.columnType) || (type === 'bit' && /^bit\(1\)$/i.test(row.columnType))) {
    return { schema: { type: 'boolean' }, json: `IF(${c} <> 0, 'true', 'false')`, cast: 'CAST(? AS SIGNED)' };
  }
  if (type === 'bit')
    return { schema: { type: 'integer' }, json: `CAST(${c} + 0 AS CHAR)`, cast: 'CAST(? AS UNSIGNED)' };
  if (INTEGERS.has(type)) {
    const cast = unsigned ? 'CAST(? AS UNSIGNED)' : 'CAST(? AS SIGNED)';
    const json =
      type === 'bigint' ? `IF(${c} BETWEEN -${SAFE_INTEGER} AND ${SAFE_INTEGER}, ${text}, ${quoted})` : text;
    return { schema: { type: 'integer' }, json, cast };
  }
  if (type === 'decimal') {
    const exact = `LENGTH(TRIM(BOTH '0' FROM REPLACE(REPLACE(${text}, '-', ''), '.', ''))) <= ${EXACT_DIGITS}`;
    const json =
      row.precision !== null && row.precision <= EXACT_DIGITS ? text : `IF(${exact}, ${text}, ${quoted})`;
    return { schema: { type: 'number' }, json, cast: 'CAST(? AS DECIMAL(65, 30))' };
  }
  if (type === 'float' || type === 'double' || type === 'real')
    return { schema: { type: 'number' }, json: text, cast: '?' };
  if (type === 'date') {
    return {
      schema: stringOf({ format: 'date' }),
      json: `JSON_QUOTE(DATE_FORMAT(${c}, '%Y-%m-%d'))`,
      cast: '?',
    };
  }
  if (type === 'datetime') {
    return {
      schema: stringOf({ format: 'date-time', airbyte_type: 'timestamp_without_timezone' }),
      json: `JSON_QUOTE(DATE_FORMAT(${c}, '%Y-%m-%dT%H:%i:%s.%f'))`,
      cast: '?',
    };
  }
  if (type === 'timestamp') {
    // the session is in UTC, so a TIMESTAMP reads as UTC
    return {
      schema: stringOf({ format: 'date-time', airbyte_type: 'timestamp_with_timezone' }),
      json: `JSON_QUOTE(DATE_FORMAT(${c}, '%Y-%m-%dT%H:%i:%s.%fZ'))`,
      cast: '?',
    };
  }
  if (type === 'time') {
    return {
      schema: stringOf({ format: 'time', airbyte_type: 'time_without_timezone' }),
      json: quoted,
      cast: '?',
    };
  }
  if (BINARIES.has(type)) {
    // TO_BASE64 breaks its output into lines of 76 characters
    return {
      schema: stringOf({ contentEncoding: 'base64' }),
      json: `JSON_QUOTE(REPLACE(TO_BASE64(${c}), CHAR(10), ''))`,
      cast: '?',
    };
  }
  if (GEOMETRIES.has(type)) return { schema: stringOf(), json: `JSON_QUOTE(ST_AsText(${c}))`, cast: '?' };
  return { schema: stringOf(), json: `JSON_QUOTE(${c})`, cast: '?' };
}

function nullable(schema: JsonObject, isNullable: boolean): JsonObject {
  if (!isNullable || schema.type === undefined) return schema;
  return { ...schema, type: ['null', schema.type as string] };
}

export function mysqlSourceDatabase(connection: mysql.Connection, database: string): SourceDatabase {
  const db = connection.promise();
  const table = (t: SourceTable) => `${quote(t.namespace)}.${quote(t.name)}`;
  return {
    async tables() {
      const [[columns], [keys], [checks]] = await Promise.all([
        db.query<mysql.RowDataPacket[]>(
          `SELECT c.TABLE_NAME AS \`table\`, c.COLUMN_NAME AS \`column\`, c.DATA_TYPE AS dataType,
                  c.COLUMN_TYPE AS columnType, c.IS_NULLABLE AS nullable, c.NUMERIC_PRECISION AS \`precision\`
             FROM information_schema.COLUMNS c
            WHERE c.TABLE_SCHEMA = ?
            ORDER BY c.TABLE_NAME, c.ORDINAL_POSITION`,
          [database],
        ),
        db.query<mysql.RowDataPacket[]>(
          `SELECT TABLE_NAME AS \`table\`, COLUMN_NAME AS \`column\` FROM information_schema.KEY_COLUMN_USAGE
            WHERE TABLE_SCHEMA = ? AND CONSTRAINT_NAME = 'PRIMARY' ORDER BY TABLE_NAME, ORDINAL_POSITION`,
          [database],
        ),
        // MariaDB's JSON is a LONGTEXT with a json_valid() check named after the column
        db
          .query<mysql.RowDataPacket[]>(
            `SELECT TABLE_NAME AS \`table\`, CONSTRAINT_NAME AS \`column\` FROM information_schema.CHECK_CONSTRAINTS
              WHERE CONSTRAINT_SCHEMA = ? AND CHECK_CLAUSE LIKE 'json_valid(%'`,
            [database],
          )
          .catch(() => [[]] as unknown as [mysql.RowDataPacket[]]),
      ]);
      const json = new Set(checks.map((r) => JSON.stringify([r.table, r.column])));
      const tables = new Map<string, SourceTable>();
      for (const row of columns as ColumnRow[]) {
        let found = tables.get(row.table);
        if (!found) {
          found = { namespace: database, name: row.table, columns: [], primaryKey: [] };
          tables.set(row.table, found);
        }
        const described = describeColumn(row, json.has(JSON.stringify([row.table, row.column])));
        const column: MysqlColumn = {
          name: row.column,
          ...described,
          schema: nullable(described.schema, row.nullable === 'YES'),
        };
        found.columns.push(column);
      }
      for (const key of keys) tables.get(key.table as string)?.primaryKey.push(key.column as string);
      return [...tables.values()];
    },

    async *rows({ table: t, columns, cursor }) {
      const fields = (columns as MysqlColumn[]).map(
        (c, i) =>
          `${connection.escape(`${i === 0 ? '{' : ','}${JSON.stringify(c.name)}:`)}, COALESCE(${c.json}, 'null')`,
      );
      const json = fields.length === 0 ? `'{}'` : `CONCAT(${fields.join(', ')}, '}')`;
      const column = cursor && (cursor.column as MysqlColumn);
      const values: string[] = [];
      let where = '';
      if (column && cursor.after) {
        where = ` WHERE ${quote(column.name)} ${cursor.after.inclusive ? '>=' : '>'} ${column.cast}`;
        values.push(cursor.after.value);
      }
      const sql =
        `SELECT ${json}, ${column ? `CAST(${quote(column.name)} AS CHAR)` : 'NULL'} FROM ${table(t)}${where}` +
        `${column ? ` ORDER BY ${quote(column.name)}` : ''}`;
      const stream = connection.query({ sql, values, rowsAsArray: true }).stream({ highWaterMark: 1000 });
      for await (const [text, value] of stream as AsyncIterable<[string | Buffer, string | Buffer | null]>) {
        yield [String(text), value === null ? null : String(value)];
      }
    },

    async countEqual(t, column, value) {
      const [rows] = await db.query<mysql.RowDataPacket[]>(
        `SELECT COUNT(*) AS n FROM ${table(t)} WHERE ${quote(column.name)} = ${(column as MysqlColumn).cast}`,
        [value],
      );
      return Number(rows[0].n);
    },
  };
}
