// Which table each configured stream goes to, with which columns and how it is written. Pure: the
// same catalog and rules always give the same plan, so a later sync finds the tables an earlier one
// made.
import { ConfigError } from '../../cdk/errors.js';
import type {
  ConfiguredAirbyteCatalog,
  ConfiguredAirbyteStream,
  JsonObject,
  StreamDescriptor,
} from '../../protocol/messages.js';
import { truncates } from '../../protocol/generations.js';
import { streamKey } from '../../protocol/state.js';
import { type ColumnType, columnType } from './column-types.js';
import { type IdentifierRules, columnNames, nameHash, tableNames } from './identifiers.js';

export type WriteMode = 'overwrite' | 'append' | 'append_dedup';

export interface PlannedColumn {
  /** the record field */
  field: string;
  /** the column */
  name: string;
  type: ColumnType;
}

export interface TablePlan {
  key: string;
  stream: StreamDescriptor;
  schema: string;
  table: string;
  /** the table an overwrite or a truncating refresh fills before it replaces `table` */
  staging: string;
  mode: WriteMode;
  columns: PlannedColumn[];
  primaryKey: PlannedColumn[];
  cursor?: PlannedColumn;
  syncId?: number;
  /** `_airbyte_generation_id` of every row this sync writes: the configured stream's generation_id, 0
   * without one (as Airbyte's destinations take a catalog from before generations) */
  generationId: number;
  /** the stream's rows replace the table's when it ends COMPLETE (they go to `staging` first): an
   * overwrite, and any stream whose minimum_generation_id is its generation_id (above 0), which is how
   * the platform asks a truncating refresh or a clear to keep no older generation's rows */
  replaces: boolean;
}

/** Airbyte's columns of every typed final table, named as theirs are. */
export const RAW_ID = '_airbyte_raw_id';
export const EXTRACTED_AT = '_airbyte_extracted_at';
export const META = '_airbyte_meta';
export const GENERATION_ID = '_airbyte_generation_id';
/** in the order each line of a load ends with them */
export const META_COLUMNS = [RAW_ID, EXTRACTED_AT, META, GENERATION_ID] as const;

const MODES: readonly string[] = ['overwrite', 'append', 'append_dedup'] satisfies WriteMode[];

export interface PlanOptions {
  rules: IdentifierRules;
  defaultSchema: string;
  /** column types the database keeps as another (MySQL has no time with zone: a string) */
  storage?: Partial<Record<ColumnType, ColumnType>>;
}

export function planTables(catalog: ConfiguredAirbyteCatalog, options: PlanOptions): TablePlan[] {
  const bySchema = new Map<string, ConfiguredAirbyteStream[]>();
  for (const configured of catalog.streams) {
    const schema = options.rules.clean(configured.stream.namespace ?? options.defaultSchema);
    bySchema.set(schema, [...(bySchema.get(schema) ?? []), configured]);
  }
  const plans: TablePlan[] = [];
  for (const [schema, streams] of bySchema) {
    let tables: Map<string, string>;
    try {
      tables = tableNames(
        schema,
        streams.map((s) => s.stream.name),
        options.rules,
      );
    } catch (error) {
      throw new ConfigError((error as Error).message);
    }
    for (const configured of streams) {
      plans.push(planTable(configured, schema, tables.get(configured.stream.name)!, options));
    }
  }
  const keys = new Set<string>();
  for (const plan of plans) {
    if (keys.has(plan.key)) throw new ConfigError(`the catalog lists stream ${describe(plan.stream)} twice`);
    keys.add(plan.key);
  }
  return plans;
}

export function describe(stream: StreamDescriptor): string {
  return JSON.stringify(stream.namespace === undefined ? stream.name : `${stream.namespace}.${stream.name}`);
}

function planTable(
  configured: ConfiguredAirbyteStream,
  schema: string,
  table: string,
  options: PlanOptions,
): TablePlan {
  const { stream } = configured;
  const name = describe(stream);
  const mode = configured.destination_sync_mode as WriteMode;
  if (!MODES.includes(mode)) {
    throw new ConfigError(
      `stream ${name}: destination_sync_mode ${mode} is not supported (${MODES.join(', ')})`,
    );
  }
  const properties = (stream.json_schema?.properties ?? {}) as JsonObject;
  let names: Map<string, string>;
  try {
    names = columnNames(Object.keys(properties), options.rules, META_COLUMNS);
  } catch (error) {
    throw new ConfigError(`stream ${name}: ${(error as Error).message}`);
  }
  const columns = Object.keys(properties).map((field) => {
    const type = columnType(properties[field]);
    return { field, name: names.get(field)!, type: options.storage?.[type] ?? type };
  });
  const column = (path: string[], what: string): PlannedColumn => {
    const found = path.length === 1 ? columns.find((c) => c.field === path[0]) : undefined;
    if (!found) {
      throw new ConfigError(
        `stream ${name}: ${what} ${JSON.stringify(path)} must be a top-level field of the stream's json_schema`,
      );
    }
    return found;
  };
  const keyPaths = configured.primary_key ?? stream.source_defined_primary_key ?? [];
  const cursorPath = configured.cursor_field?.length
    ? configured.cursor_field
    : stream.source_defined_cursor
      ? stream.default_cursor_field
      : undefined;
  if (mode === 'append_dedup' && keyPaths.length === 0) {
    throw new ConfigError(`stream ${name}: append_dedup needs a primary_key`);
  }
  const location = stream.namespace === undefined ? stream.name : `${stream.namespace}\u0000${stream.name}`;
  return {
    key: streamKey(stream),
    stream: { name: stream.name, ...(stream.namespace === undefined ? {} : { namespace: stream.namespace }) },
    schema,
    table,
    staging: `_sluice_stage_${nameHash(location, 16)}`,
    mode,
    columns,
    primaryKey: mode === 'append_dedup' ? keyPaths.map((p) => column(p, 'primary key')) : [],
    cursor: mode === 'append_dedup' && cursorPath?.length ? column(cursorPath, 'cursor field') : undefined,
    syncId: typeof configured.sync_id === 'number' ? configured.sync_id : undefined,
    generationId: typeof configured.generation_id === 'number' ? configured.generation_id : 0,
    replaces: mode === 'overwrite' || truncates(configured),
  };
}
