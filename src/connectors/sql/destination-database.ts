// What a SQL destination needs from its database: one connection, and the few statements whose
// spelling differs between PostgreSQL and MySQL. Everything else (planning, batching, modes, state
// acknowledgement) is shared and lives in destination-writer.ts.
import type { RowFormat } from '../../cdk/rows.js';
import type { ColumnType } from './column-types.js';
import type { TablePlan } from './destination-plan.js';
import type { IdentifierRules } from './identifiers.js';
import type { ValueFormats } from './values.js';

export interface DestinationDatabase {
  readonly rules: IdentifierRules;
  readonly formats: ValueFormats;
  readonly storage: Partial<Record<ColumnType, ColumnType>>;
  /** the bulk-load text `load` takes, when rows in it may come instead of records (cdk/rows.ts) */
  readonly rowFormat?: RowFormat;
  /** with rowFormat: DEFAULT expressions that fill `_airbyte_extracted_at` (the loading transaction's
   * time), `_airbyte_meta` (this JSON) and `_airbyte_generation_id` of rows loaded without them */
  rowDefaults?(
    metaJson: string,
    generationId: number,
  ): { extractedAt: string; meta: string; generationId: string };
  /** the SQL type of a column of this type */
  sqlType(type: ColumnType): string;
  /** the types of Airbyte's columns (each NOT NULL), and of the dedup sequence */
  readonly metaTypes: {
    rawId: string;
    extractedAt: string;
    meta: string;
    generationId: string;
    sequence: string;
  };
  /** Airbyte's columns come before the stream's (destination-postgres 3.x) or after them (destination-mysql) */
  readonly metaFirst: boolean;
  quote(name: string): string;
  /** a string literal of the database's SQL */
  literal(value: string): string;

  execute(sql: string): Promise<void>;
  /** the rows a query answers, by column name */
  rows(sql: string): Promise<Record<string, unknown>[]>;
  createSchema(schema: string): Promise<void>;
  /** the table's columns with the types each can hold as we write them (several when the database
   * spells two of ours alike: MySQL's DATETIME), or undefined when the table does not exist */
  columns(schema: string, table: string): Promise<Map<string, readonly ColumnType[]> | undefined>;
  /** the indexes Airbyte's destination makes on a table of this plan (when missing), named for
   * `namedFor` (PostgreSQL's index names share the schema with tables: a staging table's are named for
   * it and renamed by swap) */
  createIndexes(schema: string, table: string, plan: TablePlan, namedFor?: string): Promise<void>;
  /** Brings a table an earlier Sluice wrote (raw id as uuid, no generation column, nullable Airbyte
   * columns, its own index names) to Airbyte's layout in place; says what it changed. */
  migrate(schema: string, table: string): Promise<string[]>;
  /** a session-private table, dropped with the connection */
  createTempTable(table: string, columnDefinitions: string[]): Promise<void>;
  /** the temporary table as a statement names it */
  tempName(table: string): string;
  /** bulk-loads tab-separated lines (values.ts bulkField), as UTF-8, into the table's listed columns;
   * chunks that come asynchronously are pulled as the database takes them */
  load(
    qualifiedTable: string,
    columns: string[],
    chunks: Iterable<Buffer> | AsyncIterable<Buffer>,
  ): Promise<void>;
  /** DELETE of the rows of `target` (aliased f) that have a match in `source` (aliased n) */
  deleteMatching(target: string, source: string, condition: string): string;
  /** the `sync_id` in `_airbyte_meta` of a row of the staging table of generation `generationId`,
   * undefined when the table does not exist or holds no row of that generation */
  stagedSyncId(schema: string, staging: string, generationId: number): Promise<number | undefined>;
  /** replaces `table` by `staging` (and its indexes) so that readers see the old table or the new one,
   * never neither */
  swap(schema: string, table: string, staging: string): Promise<void>;
  /** Runs `work` in one transaction. (The writer's own transaction, which batches join until a state
   * covers them, is `BEGIN` … `COMMIT` through execute: both databases spell them so.) */
  transaction(work: () => Promise<void>): Promise<void>;
  close(): Promise<void>;
}
