// destination-mysql's side of the shared SQL destination: LOAD DATA LOCAL for bulk loads, an atomic
// RENAME TABLE for the overwrite swap (MySQL's DDL is not transactional), MySQL's types for Airbyte's.
import { Readable } from 'node:stream';
import type mysql from 'mysql2';
import type { ColumnType } from '../sql/column-types.js';
import type { DestinationDatabase } from '../sql/destination-database.js';
import { EXTRACTED_AT, GENERATION_ID, META, RAW_ID } from '../sql/destination-plan.js';
import { type IdentifierRules, mysqlName, nameHash } from '../sql/identifiers.js';
import { type ValueFormats, plainDecimal, utcParts } from '../sql/values.js';

// column names are compared without case; table names too where lower_case_table_names is set
export const MYSQL_IDENTIFIERS: IdentifierRules = { clean: mysqlName, caseInsensitive: true };

/** the index name destination-mysql gives each index (MySQL's index names are per table) */
const INDEXES = { dedup: 'dedup_idx', extractedAt: 'extracted_at_idx', rawId: 'raw_id_idx' };
/** destination-mysql indexes text columns by their first 50 characters: whole, they pass MySQL's key
 * length limit */
const TEXT_PREFIX = 50;

const SQL_TYPES: Record<ColumnType, string> = {
  string: 'LONGTEXT',
  integer: 'BIGINT',
  number: 'DECIMAL(65, 30)',
  boolean: 'BOOLEAN',
  date: 'DATE',
  time: 'TIME(6)',
  // no time-with-zone type: such values are kept as their text (storage below)
  timetz: 'LONGTEXT',
  timestamp: 'DATETIME(6)',
  // no timestamp type with a range past 2038 keeps a zone: DATETIME, in UTC
  timestamptz: 'DATETIME(6)',
  json: 'JSON',
};

/** information_schema's DATA_TYPE back to our types; MariaDB's JSON is a LONGTEXT */
const FROM_DATA_TYPE: Record<string, ColumnType[]> = {
  longtext: ['string', 'json'],
  mediumtext: ['string'],
  text: ['string'],
  varchar: ['string'],
  char: ['string'],
  bigint: ['integer'],
  int: ['integer'],
  smallint: ['integer'],
  decimal: ['number'],
  double: ['number'],
  float: ['number'],
  tinyint: ['boolean', 'integer'],
  date: ['date'],
  time: ['time'],
  datetime: ['timestamptz', 'timestamp'],
  timestamp: ['timestamptz', 'timestamp'],
  json: ['json'],
};

const MAX_INTEGER_DIGITS = 35;
const MAX_FRACTION_DIGITS = 30;

const fraction = (digits: string) => (digits ? `.${digits}` : '');

const FORMATS: ValueFormats = {
  boolean: (value) => (value ? '1' : '0'),
  timestamptz: (p) => {
    const utc = utcParts(p);
    return `${utc.date} ${utc.time}${fraction(utc.fraction)}`;
  },
  timestamp: (p) => `${p.date} ${p.time}${fraction(p.fraction)}`,
  time: (p) => `${p.time}${fraction(p.fraction)}`,
  timetz: (p) => `${p.time}${fraction(p.fraction)}`,
  // DECIMAL(65, 30): a plain decimal with at most 35 integer digits; digits past the 30th decimal
  // (beyond any double's precision) are cut, as LOAD DATA would otherwise warn
  number: (text) => {
    const [whole, decimals = ''] = plainDecimal(text).split('.');
    if (whole.replace(/^-?0*/, '').length > MAX_INTEGER_DIGITS) return undefined;
    return decimals ? `${whole}.${decimals.slice(0, MAX_FRACTION_DIGITS)}` : whole;
  },
  stripsNul: false,
};

export const quote = (name: string) => `\`${name.replaceAll('`', '``')}\``;

export function mysqlDestinationDatabase(connection: mysql.Connection): DestinationDatabase {
  const db = connection.promise();
  return {
    rules: MYSQL_IDENTIFIERS,
    formats: FORMATS,
    storage: { timetz: 'string' },
    sqlType: (type) => SQL_TYPES[type],
    metaTypes: {
      rawId: 'VARCHAR(36)',
      extractedAt: 'TIMESTAMP(6)',
      meta: 'JSON',
      generationId: 'BIGINT',
      sequence: 'BIGINT',
    },
    metaFirst: false,
    quote,
    literal: (value) => connection.escape(value),

    async execute(sql) {
      await db.query(sql);
    },

    async rows(sql) {
      const [rows] = await db.query<mysql.RowDataPacket[]>(sql);
      return rows;
    },

    async createSchema(schema) {
      const [rows] = await db.query<mysql.RowDataPacket[]>(
        'SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?',
        [schema],
      );
      if (rows.length === 0)
        await db.query(`CREATE DATABASE IF NOT EXISTS ${quote(schema)} CHARACTER SET utf8mb4`);
    },

    async columns(schema, table) {
      const [tables] = await db.query<mysql.RowDataPacket[]>(
        'SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
        [schema, table],
      );
      if (tables.length === 0) return undefined;
      const [rows] = await db.query<mysql.RowDataPacket[]>(
        'SELECT COLUMN_NAME AS name, DATA_TYPE AS type FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
        [schema, table],
      );
      return new Map(rows.map((r) => [r.name as string, FROM_DATA_TYPE[String(r.type).toLowerCase()] ?? []]));
    },

    async createIndexes(schema, table, plan) {
      const [rows] = await db.query<mysql.RowDataPacket[]>(
        'SELECT DISTINCT INDEX_NAME AS name FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
        [schema, table],
      );
      const existing = new Set(rows.map((r) => r.name as string));
      const create = async (name: string, columns: string[]) => {
        if (existing.has(name)) return;
        await db.query(
          `CREATE INDEX ${quote(name)} ON ${quote(schema)}.${quote(table)} (${columns.join(', ')})`,
        );
      };
      const keyed = [...plan.primaryKey, ...(plan.cursor ? [plan.cursor] : [])];
      // MySQL cannot index JSON; a cursor that is also a key is listed once
      if (keyed.length > 0 && !keyed.some((k) => k.type === 'json')) {
        const columns = [...new Set(keyed)].map(
          (k) => `${quote(k.name)}${SQL_TYPES[k.type].endsWith('TEXT') ? `(${TEXT_PREFIX})` : ''}`,
        );
        await create(INDEXES.dedup, [...columns, quote(EXTRACTED_AT)]);
      }
      await create(INDEXES.extractedAt, [quote(EXTRACTED_AT)]);
      await create(INDEXES.rawId, [quote(RAW_ID)]);
    },

    async migrate(schema, table) {
      const on = `${quote(schema)}.${quote(table)}`;
      const [rows] = await db.query<mysql.RowDataPacket[]>(
        'SELECT COLUMN_NAME AS name, DATA_TYPE AS type, IS_NULLABLE AS nullable FROM information_schema.COLUMNS ' +
          'WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
        [schema, table],
      );
      const columns = new Map(rows.map((r) => [r.name as string, r]));
      const changes: string[] = [];
      if (!columns.has(GENERATION_ID)) {
        // rows from before generations are generation 0, as in Airbyte's tables
        await db.query(`ALTER TABLE ${on} ADD COLUMN ${quote(GENERATION_ID)} BIGINT NOT NULL DEFAULT 0`);
        await db.query(`ALTER TABLE ${on} ALTER COLUMN ${quote(GENERATION_ID)} DROP DEFAULT`);
        changes.push(`added ${GENERATION_ID} (0 for the rows there)`);
      }
      const wanted: [string, string, string][] = [
        [RAW_ID, 'VARCHAR(36)', 'UUID()'],
        [EXTRACTED_AT, 'TIMESTAMP(6)', 'CURRENT_TIMESTAMP(6)'],
        [META, 'JSON', `'{"changes":[]}'`],
      ];
      for (const [name, type, value] of wanted) {
        const column = columns.get(name);
        if (!column) continue;
        const retyped = name === EXTRACTED_AT && String(column.type).toLowerCase() !== 'timestamp';
        if (column.nullable !== 'YES' && !retyped) continue;
        await db.query(`UPDATE ${on} SET ${quote(name)} = ${value} WHERE ${quote(name)} IS NULL`);
        await db.query(`ALTER TABLE ${on} MODIFY COLUMN ${quote(name)} ${type} NOT NULL`);
        changes.push(`${name} ${type} NOT NULL`);
      }
      // the index an earlier Sluice made on an append_dedup table's key
      const [old] = await db.query<mysql.RowDataPacket[]>(
        "SELECT 1 FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND INDEX_NAME = '_sluice_pk'",
        [schema, table],
      );
      if (old.length > 0) {
        await db.query(`DROP INDEX \`_sluice_pk\` ON ${on}`);
        changes.push("index _sluice_pk replaced by Airbyte's");
      }
      return changes;
    },

    async createTempTable(table, columnDefinitions) {
      await db.query(`CREATE TEMPORARY TABLE ${quote(table)} (${columnDefinitions.join(', ')})`);
    },

    tempName: (table) => quote(table),

    async load(qualifiedTable, columns, chunks) {
      const [result] = await db.query<mysql.ResultSetHeader>({
        sql:
          `LOAD DATA LOCAL INFILE 'batch' INTO TABLE ${qualifiedTable} CHARACTER SET utf8mb4 ` +
          `FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (${columns.map(quote).join(', ')})`,
        infileStreamFactory: () => Readable.from(chunks),
      });
      // LOCAL loads turn errors into warnings and go on: values are checked before, so a warning is a bug
      if (result.warningStatus > 0) {
        const [warnings] = await db.query<mysql.RowDataPacket[]>('SHOW WARNINGS LIMIT 5');
        throw new Error(
          `loading ${qualifiedTable} gave ${result.warningStatus} warnings: ` +
            warnings.map((w) => w.Message as string).join('; '),
        );
      }
    },

    deleteMatching: (target, source, condition) => `DELETE f FROM ${target} f JOIN ${source} ON ${condition}`,

    async stagedSyncId(schema, staging, generationId) {
      const [tables] = await db.query<mysql.RowDataPacket[]>(
        'SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
        [schema, staging],
      );
      if (tables.length === 0) return undefined;
      const [rows] = await db.query<mysql.RowDataPacket[]>(
        `SELECT JSON_UNQUOTE(JSON_EXTRACT(${quote('_airbyte_meta')}, '$.sync_id')) AS id ` +
          `FROM ${quote(schema)}.${quote(staging)} WHERE ${quote('_airbyte_generation_id')} = ? LIMIT 1`,
        [generationId],
      );
      const id = rows[0]?.id as string | null | undefined;
      return id == null || id === 'null' ? undefined : Number(id);
    },

    async swap(schema, table, staging) {
      const final = `${quote(schema)}.${quote(table)}`;
      const [rows] = await db.query<mysql.RowDataPacket[]>(
        'SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
        [schema, table],
      );
      if (rows.length === 0) {
        await db.query(`RENAME TABLE ${quote(schema)}.${quote(staging)} TO ${final}`);
        return;
      }
      const old = `${quote(schema)}.${quote(`_sluice_old_${nameHash(table, 16)}`)}`;
      await db.query(`DROP TABLE IF EXISTS ${old}`);
      // one RENAME TABLE of both is atomic: readers see the old table or the new one
      await db.query(`RENAME TABLE ${final} TO ${old}, ${quote(schema)}.${quote(staging)} TO ${final}`);
      await db.query(`DROP TABLE ${old}`);
    },

    async transaction(work) {
      await db.query('START TRANSACTION');
      try {
        await work();
        await db.query('COMMIT');
      } catch (error) {
        await db.query('ROLLBACK').catch(() => {});
        throw error;
      }
    },

    async close() {
      await db.end();
    },
  };
}
