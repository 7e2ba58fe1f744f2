// The columns of a destination table as Airbyte's Direct Load writes them (DESIGN.md, "Destination
// tables"): Airbyte's four columns, NOT NULL, before the stream's (PostgreSQL) or after them (MySQL),
// and what becomes of a table an earlier Sluice wrote: migrated in place, never dropped.
import type { MessageOutput } from '../../cdk/output.js';
import type { DestinationDatabase } from './destination-database.js';
import { EXTRACTED_AT, GENERATION_ID, META, RAW_ID, type TablePlan, describe } from './destination-plan.js';
import type { MetaChange } from './values.js';

export interface ColumnDefaults {
  extractedAt: string;
  meta: string;
  generationId: string;
}

/** `_airbyte_meta`: the sync's id (0 when the catalog has none) and what was changed in the record. */
export function metaJson(changes: MetaChange[], syncId: number | undefined): string {
  return JSON.stringify({ sync_id: syncId ?? 0, changes });
}

/** The table's column definitions by name, in the table's order; with `defaults`, the three Airbyte
 * columns that are the same for every row of a load in bulk have them. */
export function columnDefinitions(
  db: DestinationDatabase,
  plan: TablePlan,
  defaults?: ColumnDefaults,
): Map<string, string> {
  const meta: [string, string, string | undefined][] = [
    [RAW_ID, db.metaTypes.rawId, undefined],
    [EXTRACTED_AT, db.metaTypes.extractedAt, defaults?.extractedAt],
    [META, db.metaTypes.meta, defaults?.meta],
    [GENERATION_ID, db.metaTypes.generationId, defaults?.generationId],
  ];
  const metaColumns = meta.map(([name, type, value]): [string, string] => [
    name,
    `${db.quote(name)} ${type} NOT NULL${value === undefined ? '' : ` DEFAULT ${value}`}`,
  ]);
  const data = plan.columns.map((c): [string, string] => [
    c.name,
    `${db.quote(c.name)} ${db.sqlType(c.type)}`,
  ]);
  return new Map(db.metaFirst ? [...metaColumns, ...data] : [...data, ...metaColumns]);
}

/** The staging table of an overwrite's rows in bulk loses its defaults before it becomes the table, so
 * the table is the one records would have made. */
export function dropRowDefaults(db: DestinationDatabase, qualifiedTable: string): string {
  const drop = [EXTRACTED_AT, META, GENERATION_ID].map(
    (name) => `ALTER COLUMN ${db.quote(name)} DROP DEFAULT`,
  );
  return `ALTER TABLE ${qualifiedTable} ${drop.join(', ')}`;
}

/** An append or append_dedup table that exists: brought to Airbyte's layout, with Airbyte's indexes. */
export async function migrateTable(
  db: DestinationDatabase,
  plan: TablePlan,
  out: MessageOutput,
): Promise<void> {
  for (const change of await db.migrate(plan.schema, plan.table)) {
    await out.log('INFO', `stream ${describe(plan.stream)}: table brought to Airbyte's layout: ${change}`);
  }
  await db.createIndexes(plan.schema, plan.table, plan);
}
