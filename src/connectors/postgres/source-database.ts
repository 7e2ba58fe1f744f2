// source-postgres's side of the shared SQL source: discovery from pg_catalog, and rows streamed with
// COPY (binary) out of one REPEATABLE READ, READ ONLY transaction, each row's JSON built by PostgreSQL
// itself (row_to_json) so that Node only passes its bytes along.
//
// Numbers stay exact: an integer beyond ±(2^53 − 1), or a numeric with more than 15 significant
// digits, is emitted as a JSON string holding its exact decimal text, because a consumer that parses
// JSON numbers into doubles (Node, most tools) would round it; every other value is a JSON number.
import pg from 'pg';
import type { JsonObject } from '../../protocol/messages.js';
import type {
  RowChunk,
  RowQuery,
  SourceColumn,
  SourceDatabase,
  SourceRow,
  SourceTable,
} from '../sql/source-reader.js';
import { flatten } from '../../protocol/codec.js';
import { type CopyRow, copyBinaryRows } from './copy-binary.js';
import { copyOut } from './copy-out.js';

interface ColumnRow {
  namespace: string;
  table: string;
  column: string;
  not_null: boolean;
  type: string;
  kind: string;
  category: string;
  element: string | null;
  precision: number | null;
}

interface PostgresColumn extends SourceColumn {
  /** the expression whose JSON is the column's value */
  expression: string;
  /** for rows in COPY text instead of records (cdk/rows.ts): when a value's text is loaded exactly as
   * its JSON would be; undefined for a type this is not worked out for */
  sameAsJson: string | undefined;
}

const SAFE_INTEGER = '9007199254740991';
const EXACT_DIGITS = 15;

const COLUMNS_SQL = `
SELECT n.nspname AS namespace, c.relname AS "table", a.attname AS "column", a.attnotnull AS not_null,
       bt.typname AS type, bt.typtype AS kind, bt.typcategory AS category, et.typname AS element,
       CASE WHEN bt.typname = 'numeric' AND typmod.value > 0 THEN ((typmod.value - 4) >> 16) & 65535 END AS precision
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
  JOIN pg_type t ON t.oid = a.atttypid
  JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
  LEFT JOIN pg_type et ON et.oid = bt.typelem AND bt.typcategory = 'A'
  CROSS JOIN LATERAL (SELECT CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END AS value) typmod
 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition
   AND CASE WHEN cardinality($1::text[]) = 0
            THEN n.nspname NOT IN ('information_schema', 'pg_catalog', 'pg_toast') AND n.nspname NOT LIKE 'pg\\_%'
            ELSE n.nspname = ANY($1::text[]) END
   AND has_table_privilege(c.oid, 'SELECT')
 ORDER BY n.nspname, c.relname, a.attnum`;

const KEYS_SQL = `
SELECT n.nspname AS namespace, c.relname AS "table", array_agg(a.attname::text ORDER BY k.ord) AS keys
  FROM pg_index i
  JOIN pg_class c ON c.oid = i.indrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY k(attnum, ord)
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
 WHERE i.indisprimary
 GROUP BY n.nspname, c.relname`;

const quote = (name: string) => pg.escapeIdentifier(name);

const stringOf = (extra: JsonObject = {}): JsonObject => ({ type: 'string', ...extra });

function valueSchema(type: string, kind: string, category: string, element: string | null): JsonObject {
  if (category === 'A') {
    // elements go through to_json as they are: a bytea element is its hex text, not base64
    const items = element === 'bytea' ? stringOf() : valueSchema(element ?? 'text', 'b', '', null);
    return { type: 'array', items };
  }
  if (kind === 'c' || type === 'hstore') return { type: 'object' };
  switch (type) {
    case 'int2':
    case 'int4':
    case 'int8':
    case 'oid':
      return { type: 'integer' };
    case 'float4':
    case 'float8':
    case 'numeric':
      return { type: 'number' };
    case 'bool':
      return { type: 'boolean' };
    case 'date':
      return stringOf({ format: 'date' });
    case 'time':
      return stringOf({ format: 'time', airbyte_type: 'time_without_timezone' });
    case 'timetz':
      return stringOf({ format: 'time', airbyte_type: 'time_with_timezone' });
    case 'timestamp':
      return stringOf({ format: 'date-time', airbyte_type: 'timestamp_without_timezone' });
    case 'timestamptz':
      return stringOf({ format: 'date-time', airbyte_type: 'timestamp_with_timezone' });
    case 'json':
    case 'jsonb':
      // any JSON value: an object mostly, but a json column may hold an array or a scalar too
      return {};
    case 'bytea':
      return stringOf({ contentEncoding: 'base64' });
    default:
      return stringOf();
  }
}

function nullable(schema: JsonObject, notNull: boolean): JsonObject {
  if (notNull || schema.type === undefined) return schema;
  return { ...schema, type: ['null', schema.type as string] };
}

function expression(row: ColumnRow): string {
  const c = `t.${quote(row.column)}`;
  if (row.category === 'A') return c;
  switch (row.type) {
    case 'int8':
      return `CASE WHEN ${c} BETWEEN -${SAFE_INTEGER} AND ${SAFE_INTEGER} THEN to_json(${c}) ELSE to_json(${c}::text) END`;
    case 'numeric':
      if (row.precision !== null && row.precision <= EXACT_DIGITS) return c;
      return (
        `CASE WHEN length(trim(both '0' from replace(abs(${c})::text, '.', ''))) <= ${EXACT_DIGITS} ` +
        `THEN to_json(${c}) ELSE to_json(${c}::text) END`
      );
    case 'bytea':
      return `translate(encode(${c}, 'base64'), E'\\n', '')`;
    default:
      return c;
  }
}

/**
 * A condition that holds when the column's COPY text, loaded by destination-postgres into the column
 * type the stream's JSON schema gives, stores what the record's JSON would have stored, with nothing
 * for `_airbyte_meta` to report (the session is in UTC with ISO dates: connection.ts). Undefined for a
 * type this was not worked out for. Conservative: a value outside it goes as a record, never wrong.
 */
function sameAsJson(row: ColumnRow): string | undefined {
  if (row.category === 'A' || row.kind === 'c') return undefined;
  const c = `t.${quote(row.column)}`;
  switch (row.type) {
    case 'int2':
    case 'int4':
    case 'int8':
    case 'oid':
    case 'bool':
    case 'text':
    case 'varchar':
    case 'bpchar':
    case 'name':
    case 'uuid':
      return 'TRUE';
    case 'numeric':
      // NaN and ±Infinity are JSON strings that a number column refuses
      return `(${c} IS NULL OR (${c} > '-Infinity' AND ${c} < 'Infinity'))`;
    case 'date':
    case 'timestamp':
    case 'timestamptz':
      // ±infinity, years before 1000 or after 9999 (and BC) are left to the JSON way's checks
      return `(${c} IS NULL OR (${c} >= '1000-01-01' AND ${c} < '9999-12-31'))`;
    case 'jsonb':
      // a JSON null is a SQL NULL the JSON way
      return `(${c} IS NULL OR jsonb_typeof(${c}) <> 'null')`;
    case 'json':
      // \u0000, which jsonb cannot hold, is stripped the JSON way and reported
      return `(${c} IS NULL OR (json_typeof(${c}) <> 'null' AND strpos(${c}::text, '\\u0000') = 0))`;
    default:
      return undefined;
  }
}

/** COPY text output as chunks of whole lines of at least `minBytes` (the last one maybe less). */
async function* lineChunks(copy: AsyncIterable<Buffer>, minBytes: number): AsyncGenerator<RowChunk> {
  let held: Buffer[] = [];
  let heldBytes = 0;
  for await (const chunk of copy) {
    held.push(chunk);
    heldBytes += chunk.length;
    if (heldBytes < minBytes) continue;
    const all = held.length === 1 ? held[0] : Buffer.concat(held, heldBytes);
    const end = all.lastIndexOf(NEWLINE) + 1;
    held = end < all.length ? [all.subarray(end)] : [];
    heldBytes = all.length - end;
    if (end > 0) yield { text: all.subarray(0, end), count: countLines(all, end) };
  }
  if (heldBytes > 0) {
    const rest = Buffer.concat(held, heldBytes);
    yield { text: rest, count: countLines(rest, rest.length) };
  }
}

function countLines(text: Buffer, end: number): number {
  let count = 0;
  for (let at = text.indexOf(NEWLINE); at !== -1 && at < end; at = text.indexOf(NEWLINE, at + 1)) count++;
  return count;
}

const NEWLINE = 0x0a;
/** ≈ what a destination commits at once in several pieces, few enough messages to cost nothing */
const ROW_CHUNK_BYTES = 256 * 1024;

/** The JSON stays the bytes PostgreSQL sent; the cursor value is read, so it is decoded. */
async function* sourceRows(batches: AsyncIterable<CopyRow[]>): AsyncGenerator<SourceRow[]> {
  for await (const batch of batches) {
    yield batch.map(([json, cursor]): SourceRow => [json!, cursor === null ? null : cursor.toString('utf8')]);
  }
}

export function postgresSourceDatabase(client: pg.Client, schemas: readonly string[]): SourceDatabase {
  const table = (t: SourceTable) => `${quote(t.namespace)}.${quote(t.name)}`;
  const rows = ({ table: t, columns, cursor }: RowQuery, filter?: string): AsyncIterable<SourceRow> => {
    const projection = (columns as PostgresColumn[]).map((c) => `${c.expression} AS ${quote(c.name)}`);
    const cursorColumn = cursor && `t.${quote(cursor.column.name)}`;
    const conditions = [
      ...(cursor?.after
        ? [`${cursorColumn} ${cursor.after.inclusive ? '>=' : '>'} ${pg.escapeLiteral(cursor.after.value)}`]
        : []),
      ...(filter ? [filter] : []),
    ];
    const where = conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '';
    const sql =
      `COPY (SELECT row_to_json(x)::text, ${cursorColumn ? `${cursorColumn}::text` : 'NULL'} ` +
      `FROM ${table(t)} t CROSS JOIN LATERAL (SELECT ${projection.join(', ')}) x` +
      `${where}${cursorColumn ? ` ORDER BY ${cursorColumn}` : ''}) TO STDOUT (FORMAT binary)`;
    return flatten(sourceRows(copyBinaryRows(client.query(copyOut(sql)))));
  };
  return {
    async tables() {
      const [{ rows: columns }, { rows: keys }] = await Promise.all([
        client.query<ColumnRow>(COLUMNS_SQL, [schemas]),
        client.query<{ namespace: string; table: string; keys: string[] }>(KEYS_SQL),
      ]);
      const tables = new Map<string, SourceTable>();
      const id = (namespace: string, name: string) => JSON.stringify([namespace, name]);
      for (const row of columns) {
        const key = id(row.namespace, row.table);
        let found = tables.get(key);
        if (!found) {
          found = { namespace: row.namespace, name: row.table, columns: [], primaryKey: [] };
          tables.set(key, found);
        }
        const column: PostgresColumn = {
          name: row.column,
          schema: nullable(valueSchema(row.type, row.kind, row.category, row.element), row.not_null),
          expression: expression(row),
          sameAsJson: sameAsJson(row),
        };
        found.columns.push(column);
      }
      for (const key of keys) {
        const found = tables.get(id(key.namespace, key.table));
        if (found) found.primaryKey = key.keys;
      }
      return [...tables.values()];
    },

    rows: (query) => rows(query),

    bulkRows({ table: t, columns }, format) {
      const conditions = (columns as PostgresColumn[]).map((c) => c.sameAsJson);
      if (format !== 'postgres-copy-text' || conditions.some((c) => c === undefined)) return undefined;
      const same = conditions.filter((c) => c !== 'TRUE').join(' AND ') || 'TRUE';
      const list = columns.map((c) => `t.${quote(c.name)}`).join(', ');
      const where = same === 'TRUE' ? '' : ` WHERE ${same}`;
      const copy = client.query(copyOut(`COPY (SELECT ${list} FROM ${table(t)} t${where}) TO STDOUT`));
      // the rest is read after the bulk, in the same transaction (one snapshot)
      async function* rest(): AsyncGenerator<SourceRow> {
        if (same !== 'TRUE') yield* rows({ table: t, columns }, `NOT (${same})`);
      }
      return { bulk: lineChunks(copy, ROW_CHUNK_BYTES), rest: rest() };
    },

    async countEqual(t, column, value) {
      const { rows } = await client.query<{ n: string }>(
        `SELECT count(*) AS n FROM ${table(t)} WHERE ${quote(column.name)} = $1`,
        [value],
      );
      return Number(rows[0].n);
    },
  };
}
