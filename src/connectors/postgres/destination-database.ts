// destination-postgres's side of the shared SQL destination: COPY for bulk loads, transactional DDL
// for the overwrite swap, PostgreSQL's types for Airbyte's.
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { ColumnType } from '../sql/column-types.js';
import type { DestinationDatabase } from '../sql/destination-database.js';
import { EXTRACTED_AT, GENERATION_ID, META, RAW_ID } from '../sql/destination-plan.js';
import { type IdentifierRules, nameHash, postgresName } from '../sql/identifiers.js';
import { type ValueFormats, offsetText } from '../sql/values.js';

export const POSTGRES_IDENTIFIERS: IdentifierRules = { clean: postgresName, caseInsensitive: false };

/** destination-postgres 3.x's PostgresDataType for each of Airbyte's types */
const SQL_TYPES: Record<ColumnType, string> = {
  string: 'varchar',
  integer: 'bigint',
  number: 'decimal',
  boolean: 'boolean',
  date: 'date',
  time: 'time',
  timetz: 'time with time zone',
  timestamp: 'timestamp',
  timestamptz: 'timestamp with time zone',
  json: 'jsonb',
};

/** destination-postgres 3.x's index names: a prefix and the table's name, cut as PostgreSQL cuts them */
const INDEX_PREFIXES = { primaryKey: 'idx_pk_', cursor: 'idx_cursor_', extractedAt: 'idx_extracted_at_' };
const indexName = (prefix: string, table: string) => `${prefix}${table}`.slice(0, 63);

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

/** the longest prefix of `text` within `max` UTF-8 bytes, not splitting a character */
function truncateBytes(text: string, max: number): string {
  let out = '';
  for (const char of text) {
    if (Buffer.byteLength(out + char) > max) break;
    out += char;
  }
  return out;
}

export function postgresDestinationDatabase(client: pg.Client): DestinationDatabase {
  return {
    rules: POSTGRES_IDENTIFIERS,
    formats: FORMATS,
    storage: {},
    rowFormat: 'postgres-copy-text',
    rowDefaults: (metaJson, generationId) => ({
      extractedAt: 'now()',
      meta: `${pg.escapeLiteral(metaJson)}::jsonb`,
      generationId: String(generationId),
    }),
    sqlType: (type) => SQL_TYPES[type],
    metaTypes: {
      rawId: 'varchar',
      extractedAt: 'timestamp with time zone',
      meta: 'jsonb',
      generationId: 'bigint',
      sequence: 'bigint',
    },
    metaFirst: true,
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

    async createIndexes(schema, table, plan, namedFor = table) {
      const on = `${quote(schema)}.${quote(table)}`;
      const create = (prefix: string, columns: string[]) =>
        client.query(
          `CREATE INDEX IF NOT EXISTS ${quote(indexName(prefix, namedFor))} ON ${on} (${columns.map(quote).join(', ')})`,
        );
      if (plan.primaryKey.length > 0) {
        await create(
          INDEX_PREFIXES.primaryKey,
          plan.primaryKey.map((k) => k.name),
        );
      }
      if (plan.cursor) await create(INDEX_PREFIXES.cursor, [plan.cursor.name]);
      await create(INDEX_PREFIXES.extractedAt, [EXTRACTED_AT]);
    },

    async migrate(schema, table) {
      const on = `${quote(schema)}.${quote(table)}`;
      const { rows } = await client.query<{ name: string; type: string; notnull: boolean }>(
        `SELECT a.attname AS name, format_type(a.atttypid, NULL) AS type, a.attnotnull AS notnull
           FROM pg_attribute a WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped`,
        [on],
      );
      const columns = new Map(rows.map((r) => [r.name, r]));
      const changes: string[] = [];
      const alter: string[] = [];
      if (!columns.has(GENERATION_ID)) {
        // rows from before generations are generation 0, as in Airbyte's tables
        alter.push(`ADD COLUMN ${quote(GENERATION_ID)} bigint NOT NULL DEFAULT 0`);
        changes.push(`added ${GENERATION_ID} (0 for the rows there)`);
      }
      if (columns.get(RAW_ID)?.type === 'uuid') {
        alter.push(`ALTER COLUMN ${quote(RAW_ID)} TYPE varchar USING ${quote(RAW_ID)}::text`);
        changes.push(`${RAW_ID} from uuid to varchar`);
      }
      const backfill: [string, string][] = [
        [RAW_ID, 'gen_random_uuid()::text'],
        [EXTRACTED_AT, 'now()'],
        [META, `'{"changes":[]}'::jsonb`],
      ];
      const nullable = backfill.filter(([name]) => columns.get(name)?.notnull === false);
      await this.transaction(async () => {
        if (alter.length > 0) await client.query(`ALTER TABLE ${on} ${alter.join(', ')}`);
        if (!columns.has(GENERATION_ID)) {
          await client.query(`ALTER TABLE ${on} ALTER COLUMN ${quote(GENERATION_ID)} DROP DEFAULT`);
        }
        for (const [name, value] of nullable) {
          await client.query(`UPDATE ${on} SET ${quote(name)} = ${value} WHERE ${quote(name)} IS NULL`);
        }
        if (nullable.length > 0) {
          await client.query(
            `ALTER TABLE ${on} ${nullable.map(([name]) => `ALTER COLUMN ${quote(name)} SET NOT NULL`).join(', ')}`,
          );
          changes.push(`${nullable.map(([name]) => name).join(', ')} NOT NULL`);
        }
        // the index an earlier Sluice made on an append_dedup table's key, named as its identifiers were
        const raw = `${table}_sluice_pk`;
        const old = Buffer.byteLength(raw) <= 63 ? raw : `${truncateBytes(raw, 54)}_${nameHash(raw)}`;
        const dropped = await client.query(
          `SELECT 1 FROM pg_indexes WHERE schemaname = $1 AND tablename = $2 AND indexname = $3`,
          [schema, table, old],
        );
        if (dropped.rowCount) {
          await client.query(`DROP INDEX ${quote(schema)}.${quote(old)}`);
          changes.push(`index ${old} replaced by Airbyte's`);
        }
      });
      return changes;
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

    async stagedSyncId(schema, staging, generationId) {
      const { rows } = await client.query<{ id: string | null }>(
        `SELECT CASE WHEN to_regclass($1) IS NULL THEN NULL ELSE 'probe' END AS id`,
        [`${quote(schema)}.${quote(staging)}`],
      );
      if (rows[0].id === null) return undefined;
      const found = await client.query<{ id: string | null }>(
        `SELECT ${quote('_airbyte_meta')}->>'sync_id' AS id FROM ${quote(schema)}.${quote(staging)} ` +
          `WHERE ${quote('_airbyte_generation_id')} = $1 LIMIT 1`,
        [generationId],
      );
      const id = found.rows[0]?.id;
      return id == null ? undefined : Number(id);
    },

    async swap(schema, table, staging) {
      await this.transaction(async () => {
        await client.query(`DROP TABLE IF EXISTS ${quote(schema)}.${quote(table)}`);
        await client.query(`ALTER TABLE ${quote(schema)}.${quote(staging)} RENAME TO ${quote(table)}`);
        for (const prefix of Object.values(INDEX_PREFIXES)) {
          await client.query(
            `ALTER INDEX IF EXISTS ${quote(schema)}.${quote(indexName(prefix, staging))} ` +
              `RENAME TO ${quote(indexName(prefix, table))}`,
          );
        }
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
