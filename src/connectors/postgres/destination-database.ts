// destination-postgres's side of the shared SQL destination: COPY for bulk loads, transactional DDL
// for the overwrite swap, PostgreSQL's types for Airbyte's.
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { ColumnType } from '../sql/column-types.js';
import type { DestinationDatabase } from '../sql/destination-database.js';
import { type IdentifierRules, identifier } from '../sql/identifiers.js';
import { type ValueFormats, offsetText } from '../sql/values.js';

export const POSTGRES_IDENTIFIERS: IdentifierRules = {
  maxLength: 63,
  lengthUnit: 'bytes',
  caseInsensitive: false,
  invalid: /\u0000/g,
};

const SQL_TYPES: Record<ColumnType, string> = {
  string: 'text',
  integer: 'bigint',
  number: 'numeric',
  boolean: 'boolean',
  date: 'date',
  time: 'time',
  timetz: 'timetz',
  timestamp: 'timestamp',
  timestamptz: 'timestamptz',
  json: 'jsonb',
};

/** information_schema's data_type of our columns, back to their type; json (not jsonb) is JSON too */
const FROM_DATA_TYPE: Record<string, ColumnType> = {
  text: 'string',
  'character varying': 'string',
  character: 'string',
  uuid: 'string',
  bigint: 'integer',
  integer: 'integer',
  smallint: 'integer',
  numeric: 'number',
  real: 'number',
  'double precision': 'number',
  boolean: 'boolean',
  date: 'date',
  'time without time zone': 'time',
  'time with time zone': 'timetz',
  'timestamp without time zone': 'timestamp',
  'timestamp with time zone': 'timestamptz',
  jsonb: 'json',
  json: 'json',
};

const fraction = (digits: string) => (digits ? `.${digits}` : '');

const FORMATS: ValueFormats = {
  boolean: (value) => (value ? 't' : 'f'),
  timestamptz: (p) => `${p.date}T${p.time}${fraction(p.fraction)}${offsetText(p.offset ?? 0)}`,
  timestamp: (p) => `${p.date}T${p.time}${fraction(p.fraction)}`,
  time: (p) => `${p.time}${fraction(p.fraction)}`,
  timetz: (p) => `${p.time}${fraction(p.fraction)}${offsetText(p.offset ?? 0)}`,
  number: (text) => text,
  stripsNul: true,
};

const quote = (name: string) => pg.escapeIdentifier(name);

export function postgresDestinationDatabase(client: pg.Client): DestinationDatabase {
  return {
    rules: POSTGRES_IDENTIFIERS,
    formats: FORMATS,
    storage: {},
    rowFormat: 'postgres-copy-text',
    rowDefaults: (metaJson) => ({ extractedAt: 'now()', meta: `${pg.escapeLiteral(metaJson)}::jsonb` }),
    sqlType: (type) => SQL_TYPES[type],
    metaTypes: { rawId: 'uuid', extractedAt: 'timestamptz', meta: 'jsonb', sequence: 'bigint' },
    quote,
    literal: (value) => pg.escapeLiteral(value),

    async execute(sql) {
      await client.query(sql);
    },

    async rows(sql) {
      return (await client.query(sql)).rows;
    },

    async createSchema(schema) {
      // CREATE SCHEMA IF NOT EXISTS still needs the CREATE privilege on the database: ask first
      const { rowCount } = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
      if (!rowCount) await client.query(`CREATE SCHEMA IF NOT EXISTS ${quote(schema)}`);
    },

    async columns(schema, table) {
      const { rows } = await client.query<{ column_name: string; data_type: string }>(
        `SELECT a.attname AS column_name, format_type(a.atttypid, NULL) AS data_type
           FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped`,
        [schema, table],
      );
      if (rows.length === 0) {
        const exists = await client.query(
          `SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2`,
          [schema, table],
        );
        if (!exists.rowCount) return undefined;
      }
      return new Map(
        rows.map((r) => [r.column_name, FROM_DATA_TYPE[r.data_type] ? [FROM_DATA_TYPE[r.data_type]] : []]),
      );
    },

    async createKeyIndex(schema, table, keys) {
      // index names share the schema's namespace with tables
      const index = identifier(`${table}_sluice_pk`, POSTGRES_IDENTIFIERS);
      await client.query(
        `CREATE INDEX IF NOT EXISTS ${quote(index)} ` +
          `ON ${quote(schema)}.${quote(table)} (${keys.map((k) => quote(k.name)).join(', ')})`,
      );
    },

    async createTempTable(table, columnDefinitions) {
      await client.query(`CREATE TEMPORARY TABLE ${quote(table)} (${columnDefinitions.join(', ')})`);
    },

    tempName: (table) => `pg_temp.${quote(table)}`,

    async load(qualifiedTable, columns, chunks) {
      const copy = client.query(
        copyFrom(`COPY ${qualifiedTable} (${columns.map(quote).join(', ')}) FROM STDIN`),
      );
      // a few chunks read ahead of COPY, not Readable.from's 16: a stream's rows come pulled through here
      await pipeline(Readable.from(chunks, { highWaterMark: 2 }), copy);
    },

    deleteMatching: (target, source, condition) =>
      `DELETE FROM ${target} f USING ${source} WHERE ${condition}`,

    async stagedSyncId(schema, staging) {
      const { rows } = await client.query<{ id: string | null }>(
        `SELECT CASE WHEN to_regclass($1) IS NULL THEN NULL ELSE 'probe' END AS id`,
        [`${quote(schema)}.${quote(staging)}`],
      );
      if (rows[0].id === null) return undefined;
      const found = await client.query<{ id: string | null }>(
        `SELECT ${quote('_airbyte_meta')}->>'sync_id' AS id FROM ${quote(schema)}.${quote(staging)} LIMIT 1`,
      );
      const id = found.rows[0]?.id;
      return id == null ? undefined : Number(id);
    },

    async swap(schema, table, staging) {
      await this.transaction(async () => {
        await client.query(`DROP TABLE IF EXISTS ${quote(schema)}.${quote(table)}`);
        await client.query(`ALTER TABLE ${quote(schema)}.${quote(staging)} RENAME TO ${quote(table)}`);
      });
    },

    async transaction(work) {
      await client.query('BEGIN');
      try {
        await work();
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      }
    },

    async close() {
      await client.end();
    },
  };
}
