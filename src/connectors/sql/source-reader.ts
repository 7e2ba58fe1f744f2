// The read loop every SQL source shares: each configured stream's rows, as JSON text the database
// built, go out through recordJson without being parsed; incremental streams are read in cursor order
// and checkpointed.
//
// Checkpoints and the boundary: a STREAM state holds the last cursor value and how many rows had it
// (`cursor_record_count`, Airbyte's field). A checkpoint is only taken when the cursor value changes,
// so every row with the checkpointed value has been emitted by then (the read is one snapshot). The next
// read counts the rows with that value: if there are no more than recorded, it reads `> value`;
// if rows were added since with the same value (a coarse cursor such as a date), it reads `>= value`,
// re-emitting the counted ones rather than losing the new ones. Reading `>=` always would duplicate
// the last value's rows on every sync; reading `>` always would lose late rows that share it.
import { ConfigError } from '../../cdk/errors.js';
import type { RowFormat } from '../../cdk/rows.js';
import type { InputState } from '../../cdk/state.js';
import type { MessageOutput } from '../../cdk/output.js';
import type {
  AirbyteStream,
  ConfiguredAirbyteCatalog,
  ConfiguredAirbyteStream,
  JsonObject,
  StreamDescriptor,
} from '../../protocol/messages.js';

export interface SourceColumn {
  name: string;
  /** the column's JSON schema */
  schema: JsonObject;
}

export interface SourceTable {
  namespace: string;
  name: string;
  columns: SourceColumn[];
  primaryKey: string[];
}

export interface CursorBound {
  value: string;
  inclusive: boolean;
}

export interface RowQuery {
  table: SourceTable;
  columns: SourceColumn[];
  /** incremental: order by this column, from `after` on */
  cursor?: { column: SourceColumn; after?: CursorBound };
}

/** a row as JSON (text, or its UTF-8 bytes), with the cursor column's value as text (null without a
 * cursor) */
export type SourceRow = [json: string | Uint8Array, cursor: string | null];

/** whole lines of a bulk-load format (cdk/rows.ts) and how many */
export interface RowChunk {
  text: Buffer;
  count: number;
}

export interface SourceDatabase {
  tables(): Promise<SourceTable[]>;
  rows(query: RowQuery): AsyncIterable<SourceRow>;
  /**
   * A full read's rows in `format`, as the destination would load them from the records' JSON, and
   * the rows it cannot promise that for (a value the JSON way would change or drop) as records, in the
   * same snapshot; undefined when the query's columns are not all of types it can do this for.
   */
  bulkRows?(
    query: RowQuery,
    format: RowFormat,
  ): { bulk: AsyncIterable<RowChunk>; rest: AsyncIterable<SourceRow> } | undefined;
  countEqual(table: SourceTable, column: SourceColumn, value: string): Promise<number>;
}

export function airbyteStream(table: SourceTable): AirbyteStream {
  return {
    name: table.name,
    namespace: table.namespace,
    json_schema: {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: Object.fromEntries(table.columns.map((c) => [c.name, c.schema])),
    },
    supported_sync_modes: ['full_refresh', 'incremental'],
    source_defined_cursor: false,
    default_cursor_field: [],
    source_defined_primary_key: table.primaryKey.map((k) => [k]),
  };
}

export interface ReadOptions {
  /** rows between two checkpoints of an incremental stream (taken at the next change of value) */
  checkpointRows?: number;
}

const DEFAULT_CHECKPOINT_ROWS = 10_000;

export async function readSql(
  db: SourceDatabase,
  catalog: ConfiguredAirbyteCatalog,
  state: InputState,
  out: MessageOutput,
  options: ReadOptions = {},
): Promise<void> {
  const tables = await db.tables();
  for (const configured of catalog.streams) {
    const { name, namespace } = configured.stream;
    const table = tables.find(
      (t) => t.name === name && (namespace === undefined || t.namespace === namespace),
    );
    if (!table) {
      throw new ConfigError(
        `stream ${JSON.stringify(`${namespace ?? '?'}.${name}`)} is not a readable table or view`,
      );
    }
    await readStream(db, configured, table, state, out, options.checkpointRows ?? DEFAULT_CHECKPOINT_ROWS);
  }
}

function selectedColumns(configured: ConfiguredAirbyteStream, table: SourceTable): SourceColumn[] {
  const properties = configured.stream.json_schema?.properties;
  if (typeof properties !== 'object' || properties === null) return table.columns;
  return table.columns.filter((c) => Object.hasOwn(properties, c.name));
}

async function readStream(
  db: SourceDatabase,
  configured: ConfiguredAirbyteStream,
  table: SourceTable,
  state: InputState,
  out: MessageOutput,
  checkpointRows: number,
): Promise<void> {
  const descriptor: StreamDescriptor = { name: table.name, namespace: table.namespace };
  const columns = selectedColumns(configured, table);
  if (configured.sync_mode !== 'incremental') {
    let count = 0;
    // rows instead of records only where the destination replaces its table with them
    const format = configured.destination_sync_mode === 'overwrite' ? out.rowFormat : undefined;
    const bulk = format && db.bulkRows?.({ table, columns }, format);
    if (bulk) {
      const fields = columns.map((c) => c.name);
      for await (const { text, count: rows } of bulk.bulk) {
        const pending = out.rows({
          type: 'ROWS',
          stream: table.name,
          namespace: table.namespace,
          emitted_at: Date.now(),
          fields,
          text,
          count: rows,
        });
        count += rows;
        if (pending) await pending;
      }
    }
    for await (const [json] of bulk?.rest ?? db.rows({ table, columns })) {
      const pending = out.recordJson(table.name, lineSafe(json), table.namespace);
      count++;
      if (pending) await pending;
    }
    await out.streamState(descriptor, {}, { recordCount: count });
    return;
  }

  const path = configured.cursor_field ?? [];
  const column = path.length === 1 ? table.columns.find((c) => c.name === path[0]) : undefined;
  if (!column) {
    throw new ConfigError(
      `stream ${JSON.stringify(table.name)}: incremental needs cursor_field naming one column of the table, ` +
        `got ${JSON.stringify(path)}`,
    );
  }
  const previous = cursorState(state.stream(descriptor), column.name);
  let after: CursorBound | undefined;
  if (previous) {
    const now = await db.countEqual(table, column, previous.value);
    after = { value: previous.value, inclusive: now > previous.count };
  }
  const stateOf = (value: string | undefined, count: number): JsonObject => ({
    version: 2,
    state_type: 'cursor_based',
    stream_name: table.name,
    stream_namespace: table.namespace,
    cursor_field: [column.name],
    ...(value === undefined ? {} : { cursor: value, cursor_record_count: count }),
  });

  let value = previous?.value;
  let atValue = after?.inclusive === false ? previous!.count : 0;
  let sinceCheckpoint = 0;
  for await (const [json, cursor] of db.rows({ table, columns, cursor: { column, after } })) {
    if (cursor !== null && cursor !== value) {
      if (sinceCheckpoint >= checkpointRows && value !== undefined) {
        await out.streamState(descriptor, stateOf(value, atValue), { recordCount: sinceCheckpoint });
        sinceCheckpoint = 0;
      }
      value = cursor;
      atValue = 0;
    }
    if (cursor !== null) atValue++;
    sinceCheckpoint++;
    const pending = out.recordJson(table.name, lineSafe(json), table.namespace);
    if (pending) await pending;
  }
  // a read with nothing new still checkpoints, so the state stays where it was
  await out.streamState(descriptor, stateOf(value, atValue), { recordCount: sinceCheckpoint });
}

function cursorState(
  previous: JsonObject | undefined,
  column: string,
): { value: string; count: number } | undefined {
  if (!previous || typeof previous.cursor !== 'string') return undefined;
  const field = previous.cursor_field;
  // a state of another cursor column says nothing about this one: read everything again
  if (Array.isArray(field) && (field.length !== 1 || field[0] !== column)) return undefined;
  const count = typeof previous.cursor_record_count === 'number' ? previous.cursor_record_count : 0;
  return { value: previous.cursor, count };
}

/** A record must stay on one line. JSON a database keeps verbatim (PostgreSQL's json, MySQL's JSON
 * text) may hold line breaks between its tokens; inside a JSON string a line break is always escaped,
 * so every raw one is whitespace and a space does as well, without parsing (and rounding) anything. */
function lineSafe(json: string | Uint8Array): string | Uint8Array {
  if (typeof json === 'string') return json.includes('\n') ? json.replaceAll('\n', ' ') : json;
  return json.includes(NEWLINE) ? json.map((byte) => (byte === NEWLINE ? SPACE : byte)) : json;
}

const NEWLINE = 0x0a;
const SPACE = 0x20;
