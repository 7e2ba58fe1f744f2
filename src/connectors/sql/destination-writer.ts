// The write loop every SQL destination shares. Records are encoded at once into bulk-load lines and
// buffered per table; a full buffer is loaded into the write's open transaction, which commits only
// when a STATE covers everything it holds, together with that state in the destination's own state
// table (destination-state.ts). So the records committed and the state acknowledged with them are one
// fact, and an attempt that resumes from what the destination committed adds nothing twice
// (docs/sync.md, "Exactly once"). A STATE is emitted (with the records it covers as
// `destinationStats`) once that commit is done, so the platform never persists a state ahead of the data.
// Overwrite streams are written to a staging table that replaces the final table only once the platform
// has said the stream is COMPLETE (Airbyte's stream status): an input that merely ends (the platform
// died, its pipe closed) is not a whole one, and the old table stays. Append and append_dedup write to
// the final table, adding columns a newer schema brings.
// An overwrite's rows in bulk (cdk/rows.ts) are not batched: each run of them goes to the staging table
// in one load, pulled from the input as the database takes it, so the database never waits for a batch
// to fill and nothing is held.
import { randomUUID } from 'node:crypto';
import type { MessageOutput } from '../../cdk/output.js';
import type { RowBatch } from '../../cdk/rows.js';
import type {
  AirbyteMessage,
  AirbyteRecordMessage,
  AirbyteStateMessage,
  ConfiguredAirbyteCatalog,
  ConfiguredAirbyteStream,
  StateMessage,
} from '../../protocol/messages.js';
import { recordDataJson } from '../../protocol/codec.js';
import { streamKey } from '../../protocol/state.js';
import { TransientError } from '../../cdk/errors.js';
import { BulkBuffer } from './bulk-buffer.js';
import type { ColumnType } from './column-types.js';
import { SEQUENCE, dedupStatements } from './dedup.js';
import type { DestinationDatabase } from './destination-database.js';
import { DestinationStateTable } from './destination-state.js';
import { META_COLUMNS, RAW_ID, type TablePlan, describe, planTables } from './destination-plan.js';
import { JsonMembers } from './json-members.js';
import { withRawIds } from './raw-ids.js';
import { columnDefinitions, dropRowDefaults, metaJson, migrateTable } from './table-layout.js';
import { type MetaChange, bulkField, columnText, jsonValueText } from './values.js';

export interface SqlWriteOptions {
  /** the schema of streams without a namespace */
  defaultSchema: string;
  /** buffered line text (UTF-16 code units) that triggers a commit */
  batchChars?: number;
}

/** line text encoded between two turns of the event loop while a commit is under way: 128 Ki chars
 * (≈ 800 small records) made a 1M-record append in process 6.3–7.4 s, against 8.3–9.7 s without
 * turns; 256 Ki chars, 7.4–9.5 s */
const TURN_CHARS = 128 * 1024;

// 4 Mi chars (≈ 25,000 small records): a batch is held twice at most (one encoding, one committing);
// larger batches cost memory and garbage collection without making COPY any faster
const DEFAULT_BATCH_CHARS = 4 * 1024 * 1024;

interface TableWriter {
  plan: TablePlan;
  /** where batches go: the final table, or the staging table of an overwrite */
  target: string;
  /** the temporary table an append_dedup batch goes through */
  temp?: string;
  loadColumns: string[];
  types: ColumnType[];
  merge: string[];
  buffer: BulkBuffer;
  /** the columns an overwrite's rows in bulk (cdk/rows.ts) are loaded into, when it takes them */
  rowColumns?: string[];
  /** records since this stream's last STATE, for its destinationStats */
  sinceState: number;
  /** how much of `buffer` a STATE covers (bytes, lines): what a stream that does not end COMPLETE
   * may commit at the end, so that what is committed and what is acknowledged stay one */
  covered: { bytes: number; lines: number };
  /** `_airbyte_meta` of a record without changes, as a bulk-load field */
  cleanMeta: string;
  /** column index by record field */
  fields: Map<string, number>;
  /** per column, the member of the record's JSON that holds its value (-1: none), record by record */
  members: Int32Array;
  /** record fields outside the schema that were reported already */
  unknown: Set<string>;
  /** the open transaction holds records of this stream that no state covers yet: it cannot commit */
  dirty: boolean;
  /** a full refresh appended that its source cannot resume (not `is_resumable`): a new attempt reads
   * it all again, so no state covers its records, only COMPLETE does */
  untilComplete: boolean;
  /** the latest state that covers this stream, for its row of the state table */
  state?: AirbyteStateMessage;
  /** every record of the stream is covered (it ended COMPLETE), for its row of the state table */
  complete: boolean;
  /** `state` or `complete` changed since the last commit */
  stateChanged: boolean;
}

export async function writeSql(
  db: DestinationDatabase,
  catalog: ConfiguredAirbyteCatalog,
  input: AsyncIterable<AirbyteMessage | RowBatch>,
  out: MessageOutput,
  options: SqlWriteOptions,
): Promise<void> {
  const batchChars = options.batchChars ?? DEFAULT_BATCH_CHARS;
  const plans = planTables(catalog, {
    rules: db.rules,
    defaultSchema: options.defaultSchema,
    storage: db.storage,
  });
  const writers = new Map<string, TableWriter>();
  for (const plan of plans) {
    const configured = catalog.streams.find((s) => streamKey(s.stream) === plan.key);
    writers.set(plan.key, await prepare(db, plan, configured, out));
  }
  // without a sync id (a write by hand) there is no attempt to resume: nothing to record
  const stateTable = plans.some((plan) => plan.syncId !== undefined)
    ? await DestinationStateTable.open(db, db.rules.clean(options.defaultSchema))
    : undefined;

  /** states since the last commit, which it acknowledges */
  const pending: StateMessage[] = [];
  /** the terminal stream status each stream got, by plan key */
  const ended = new Map<string, 'COMPLETE' | 'INCOMPLETE'>();
  let buffered = 0;
  let sequence = 0;
  let sinceState = 0;
  let sinceTurn = 0;
  const extractedAt = timestampCache(db);
  // one batch loads while the next is being encoded: the database and the encoding overlap
  let inflight: Promise<void> | undefined;
  /** the write's transaction is open: what was loaded since the last commit is in it */
  let open = false;
  const begin = async () => {
    if (open) return;
    await db.execute('BEGIN');
    open = true;
  };

  const loadInto = async (writer: TableWriter, chunks: Buffer[]) => {
    if (writer.temp) {
      await db.load(writer.temp, [...writer.loadColumns, SEQUENCE], chunks);
      for (const sql of writer.merge) await db.execute(sql);
    } else {
      await db.load(writer.target, writer.loadColumns, chunks);
    }
  };

  /** Loads `first`; commits with `states` when `commit`; then loads `after` into the next transaction. */
  const run = async (
    first: [TableWriter, Buffer[]][],
    commit: StateRows | undefined,
    states: StateMessage[],
    after: [TableWriter, Buffer[]][],
  ) => {
    await begin();
    for (const [writer, chunks] of first) await loadInto(writer, chunks);
    if (commit) {
      await stateTable?.save(commit);
      await db.execute('COMMIT');
      open = false;
      for (const state of states) await out.message(state);
    }
    if (after.length > 0) await begin();
    for (const [writer, chunks] of after) await loadInto(writer, chunks);
    for (const [, chunks] of [...first, ...after]) BulkBuffer.recycle(chunks);
  };

  /**
   * Starts loading what is buffered, once the previous load is done. When states are pending and every
   * record the transaction holds is covered by one, what they cover commits with them; what no state
   * covers yet stays buffered, or (when it is much) goes into the next transaction, which then waits
   * for a state that covers it. `final`: everything buffered is covered (the input ended).
   */
  const flush = async (final = false) => {
    if (inflight) await inflight;
    inflight = undefined;
    const all = [...writers.values()];
    const commit = final || (pending.length > 0 && !all.some((w) => w.dirty));
    const first: [TableWriter, Buffer[]][] = [];
    const after: [TableWriter, Buffer[]][] = [];
    for (const w of all) {
      if (commit && !final && w.covered.lines < w.buffer.lines) {
        if (w.covered.lines > 0) first.push([w, w.buffer.takeFirst(w.covered.bytes, w.covered.lines)]);
      } else if (w.buffer.lines > 0) {
        if (!commit && w.covered.lines < w.buffer.lines) w.dirty = true;
        first.push([w, w.buffer.take()]);
      }
      w.covered = { bytes: 0, lines: 0 };
    }
    buffered = all.reduce((total, w) => total + w.buffer.bytes, 0);
    // memory stays bounded: records no state covers go to the database when they are many
    if (commit && buffered >= batchChars / 2) {
      for (const w of all) {
        if (w.buffer.lines === 0) continue;
        w.dirty = true;
        after.push([w, w.buffer.take()]);
      }
      buffered = 0;
    }
    const rows = commit ? changedStates(writers) : undefined;
    const states = commit ? pending.splice(0) : [];
    const idle = first.length === 0 && after.length === 0;
    if (idle && (!commit || (!open && states.length === 0 && rows!.length === 0))) return;
    const loading = run(first, rows, states, after);
    // awaited at the next flush; until then a failure must not count as unhandled
    loading.catch(() => {});
    inflight = loading;
  };

  try {
    const members = new JsonMembers();
    /** fields of the record being written that no column holds and that were not reported yet */
    const unknown: string[] = [];
    // records come in runs of one stream: the last stream's writer is found without building its key
    let last: { stream: string; namespace: string | undefined; writer: TableWriter } | undefined;
    const writerOf = (stream: string, namespace: string | undefined): TableWriter => {
      if (last === undefined || stream !== last.stream || namespace !== last.namespace) {
        const found = writers.get(streamKey({ name: stream, namespace }));
        if (!found) {
          throw new Error(
            `a record of stream ${describe({ name: stream, namespace })}, which the ` +
              'configured catalog does not have: records must only come for the catalog’s streams',
          );
        }
        last = { stream, namespace, writer: found };
      }
      return last.writer;
    };
    const messages = lookahead(input);
    for (let message = await messages.next(); message; message = await messages.next()) {
      if (message.type === 'RECORD') {
        const { record } = message;
        const writer = writerOf(record.stream, record.namespace);
        // the data's JSON text, when it came as text, goes to the line without being parsed
        const json = recordDataJson(record);
        const fromText = json !== undefined && members.read(json);
        const line = fromText
          ? encodeMembers(db, writer, members, extractedAt(record.emitted_at), sequence++, unknown)
          : encode(db, writer, record, extractedAt(record.emitted_at), sequence++, unknown);
        if (unknown.length > 0) await reportUnknownFields(writer, unknown.splice(0), out);
        writer.buffer.push(line);
        writer.sinceState++;
        if (writer.untilComplete) writer.dirty = true;
        sinceState++;
        buffered += line.length;
        if (buffered >= batchChars) await flush();
        else if (inflight && (sinceTurn += line.length) >= TURN_CHARS) {
          // The batch being loaded goes to the database's socket only when the event loop turns,
          // and an input that always has the next message ready (a source in this process) never lets
          // it: the load stalled until this batch was full, and the two never overlapped.
          sinceTurn = 0;
          await new Promise((resolve) => setImmediate(resolve));
        }
      } else if (message.type === 'ROWS') {
        const writer = writerOf(message.stream, message.namespace);
        const columns = bulkColumns(db, writer, message);
        // the connection is the load's until the run of rows ends: what is buffered goes first
        await flush();
        if (inflight) await inflight;
        inflight = undefined;
        const counted = (batch: RowBatch) => {
          bulkColumns(db, writer, batch);
          writer.sinceState += batch.count;
          sinceState += batch.count;
          return withRawIds(batch.text, batch.count);
        };
        await begin();
        // no state covers these rows yet: the transaction waits for one that does
        writer.dirty = true;
        await db.load(writer.target, columns, messages.run(message, writer, writerOf, counted));
      } else if (message.type === 'STATE') {
        markCovered(message, writers);
        pending.push(withStats(message, writers, sinceState));
        sinceState = 0;
        if (buffered === 0) await flush();
      } else if (message.type === 'TRACE' && message.trace.stream_status) {
        const { status, stream_descriptor: descriptor } = message.trace.stream_status;
        if (status === 'COMPLETE' || status === 'INCOMPLETE') ended.set(streamKey(descriptor), status);
        const writer = writers.get(streamKey(descriptor));
        if (status === 'COMPLETE' && writer) completed(writer);
      }
    }

    // Records after a stream's last state are not committed unless the stream is COMPLETE: a sync
    // that resumes from that state sends them again.
    const all = [...writers.values()];
    for (const writer of all) {
      if (ended.get(writer.plan.key) !== 'COMPLETE') {
        writer.buffer.truncate(writer.covered.bytes, writer.covered.lines);
      }
    }
    if (inflight) await inflight;
    inflight = undefined;
    // Records of such a stream in the open transaction: it cannot commit, nor the states pending
    // with it; the attempt that resumes from the last committed state sends them all again.
    const uncovered = all.filter((w) => w.dirty);
    if (uncovered.length > 0) {
      if (open) await db.execute('ROLLBACK');
      open = false;
      await out.log(
        'WARN',
        `stream ${uncovered.map((w) => describe(w.plan.stream)).join(', ')} ended without COMPLETE ` +
          'with records no state covers: nothing since the last state that covered every stream was ' +
          'committed, and no table was replaced',
      );
    } else {
      await flush(true);
      if (inflight) await inflight;
      inflight = undefined;
      await swapCompleted(db, writers, ended, out);
    }
    // Airbyte's bulk CDK fails too on an input without a terminal status: what its states cover is
    // committed, no table was replaced
    const unended = plans.filter((plan) => !ended.has(plan.key));
    if (unended.length > 0) {
      throw new TransientError(
        'the input ended without a terminal stream status (COMPLETE or INCOMPLETE) for ' +
          `${unended.map((plan) => describe(plan.stream)).join(', ')}: taken as an incomplete sync, ` +
          'only what its states cover was committed and no table was replaced',
      );
    }
  } finally {
    // a failure elsewhere still lets a load under way finish (or fail) before the connection closes;
    // what was not committed is rolled back with it
    await inflight?.catch(() => {});
  }
}

/** Each overwrite stream that ended COMPLETE replaces its table by its staging table. */
async function swapCompleted(
  db: DestinationDatabase,
  writers: Map<string, TableWriter>,
  ended: Map<string, 'COMPLETE' | 'INCOMPLETE'>,
  out: MessageOutput,
): Promise<void> {
  for (const { plan, rowColumns } of writers.values()) {
    if (!plan.replaces) continue;
    const status = ended.get(plan.key);
    if (status === 'INCOMPLETE') {
      await out.log(
        'WARN',
        `stream ${describe(plan.stream)} ended INCOMPLETE: its table was left as it was ` +
          '(what was staged stays for an attempt that resumes it)',
      );
    } else if (status === 'COMPLETE') {
      if (rowColumns) await db.execute(dropRowDefaults(db, qualified(db, plan.schema, plan.staging)));
      // built once the rows are in, faster than kept up row by row, and before the swap so that
      // readers of the old table never wait for it
      await db.createIndexes(plan.schema, plan.staging, plan, plan.staging);
      await db.swap(plan.schema, plan.table, plan.staging);
    }
  }
}

/** A COMPLETE stream: everything it sent is covered, and (but for an overwrite, whose swap comes after
 * the commit) its row of the state table says the attempt that resumes this sync may skip it. */
function completed(writer: TableWriter): void {
  writer.covered = { bytes: writer.buffer.bytes, lines: writer.buffer.lines };
  writer.dirty = false;
  writer.untilComplete = false;
  if (!writer.plan.replaces) {
    writer.complete = true;
    writer.stateChanged = true;
  }
}

type StateRows = Parameters<DestinationStateTable['save']>[0];

/** The rows of the state table the next commit writes: the streams whose covering state or
 * completion changed since the last one. */
function changedStates(writers: Map<string, TableWriter>): StateRows {
  const rows: StateRows = [];
  for (const writer of writers.values()) {
    if (!writer.stateChanged || writer.plan.syncId === undefined) continue;
    writer.stateChanged = false;
    rows.push({ plan: writer.plan, state: writer.state, complete: writer.complete });
  }
  return rows;
}

function qualified(db: DestinationDatabase, schema: string, table: string): string {
  return `${db.quote(schema)}.${db.quote(table)}`;
}

async function prepare(
  db: DestinationDatabase,
  plan: TablePlan,
  configured: ConfiguredAirbyteStream | undefined,
  out: MessageOutput,
): Promise<TableWriter> {
  const q = (name: string) => db.quote(name);
  const layout = columnDefinitions(db, plan);
  const definitions = [...layout.values()];
  await db.createSchema(plan.schema);
  const final = qualified(db, plan.schema, plan.table);
  const loadColumns = [...plan.columns.map((c) => c.name), ...META_COLUMNS];
  let types = plan.columns.map((c) => c.type);
  let target = final;
  let rowColumns: string[] | undefined;
  if (plan.replaces) {
    target = qualified(db, plan.schema, plan.staging);
    // Rows in bulk leave the columns that are the same for every row of a load to defaults: parsing
    // them for each of a million rows was a quarter of PostgreSQL's work. The defaults go before the
    // swap, so the table is the one records would have made.
    const defaults = db.rowFormat && db.rowDefaults?.(metaJson([], plan.syncId), plan.generationId);
    const staged = defaults ? [...columnDefinitions(db, plan, defaults).values()] : definitions;
    if (defaults) rowColumns = [...plan.columns.map((c) => c.name), RAW_ID];
    // An earlier attempt of the same sync (the same sync_id in its rows) staged rows its acknowledged
    // state covers: an attempt that resumes (its minimum generation keeps them) goes on from them,
    // Airbyte's resumable full refresh. Anything else staged there goes.
    const resumed =
      plan.syncId !== undefined && (await db.stagedSyncId(plan.schema, plan.staging)) === plan.syncId;
    if (resumed) {
      await out.log(
        'INFO',
        `stream ${describe(plan.stream)}: resuming, the rows earlier attempts staged are kept`,
      );
    } else {
      await db.execute(`DROP TABLE IF EXISTS ${target}`);
      await db.execute(`CREATE TABLE ${target} (${staged.join(', ')})`);
    }
  } else {
    const existing = await db.columns(plan.schema, plan.table);
    if (!existing) {
      await db.execute(`CREATE TABLE ${final} (${definitions.join(', ')})`);
      await db.createIndexes(plan.schema, plan.table, plan);
    } else {
      await migrateTable(db, plan, out);
      for (const name of loadColumns) {
        if (existing.has(name) || META_COLUMNS.some((m) => m === name)) continue;
        await db.execute(`ALTER TABLE ${final} ADD COLUMN ${layout.get(name)}`);
        await out.log('INFO', `stream ${describe(plan.stream)}: added column ${JSON.stringify(name)}`);
      }
      // a column that exists already keeps its type: values are checked against what it is (a type
      // not of ours is given the text and left to the database's own cast)
      types = plan.columns.map((c) => {
        const holds = existing.get(c.name);
        if (!holds) return c.type;
        return holds.includes(c.type) ? c.type : (holds[0] ?? 'string');
      });
    }
  }
  let temp: string | undefined;
  let merge: string[] = [];
  if (plan.mode === 'append_dedup') {
    const name = `_sluice_dedup_${plan.staging.slice('_sluice_stage_'.length)}`;
    await db.createTempTable(name, [...definitions, `${q(SEQUENCE)} ${db.metaTypes.sequence}`]);
    temp = db.tempName(name);
    merge = dedupStatements(db, plan, loadColumns, target, temp);
  }
  return {
    plan,
    target,
    temp,
    loadColumns,
    types,
    merge,
    buffer: new BulkBuffer(),
    rowColumns,
    sinceState: 0,
    covered: { bytes: 0, lines: 0 },
    cleanMeta: bulkField(metaJson([], plan.syncId)),
    fields: new Map(plan.columns.map((c, i) => [c.field, i])),
    members: new Int32Array(plan.columns.length),
    unknown: new Set(),
    dirty: false,
    untilComplete:
      plan.mode === 'append' &&
      configured?.sync_mode === 'full_refresh' &&
      configured.stream.is_resumable !== true,
    complete: false,
    stateChanged: false,
  };
}

/** Adds `field` to `unknown` when no column holds it and it was not reported yet. */
function noteUnknown(writer: TableWriter, field: string, unknown: string[]): void {
  if (!writer.fields.has(field) && !writer.unknown.has(field) && !unknown.includes(field))
    unknown.push(field);
}

/** A field the stream's schema does not have has no column: said once per field, not silently lost. */
async function reportUnknownFields(writer: TableWriter, fields: string[], out: MessageOutput) {
  for (const field of fields) {
    writer.unknown.add(field);
    await out.log(
      'WARN',
      `stream ${describe(writer.plan.stream)}: field ${JSON.stringify(field)} is not in the stream's json_schema; ` +
        'it is not stored',
    );
  }
}

function encode(
  db: DestinationDatabase,
  writer: TableWriter,
  record: AirbyteRecordMessage,
  extractedAt: string,
  sequence: number,
  unknown: string[],
): string {
  const { plan, types } = writer;
  const { columns } = plan;
  const data = record.data ?? {};
  for (const field in data) noteUnknown(writer, field, unknown);
  const changes: MetaChange[] = [];
  let line = '';
  for (let i = 0; i < columns.length; i++) {
    const { field } = columns[i];
    line += bulkField(columnText(types[i], data[field], field, db.formats, changes));
    line += '\t';
  }
  if (plan.primaryKey.length > 0) {
    checkPrimaryKey(plan, (field) => data[field] === null || data[field] === undefined, changes);
  }
  return endLine(writer, line, [...(record.meta?.changes ?? []), ...changes], extractedAt, sequence);
}

/** encode() for data read by JsonMembers from its JSON text: the same line, without parsing it. */
function encodeMembers(
  db: DestinationDatabase,
  writer: TableWriter,
  members: JsonMembers,
  extractedAt: string,
  sequence: number,
  unknown: string[],
): string {
  const { plan, types, fields } = writer;
  const { columns } = plan;
  const at = writer.members.fill(-1);
  for (let m = 0; m < members.count; m++) {
    // members mostly come in the columns' order: the name is compared before it is looked up
    if (m < columns.length && members.keyIs(m, columns[m].field)) {
      at[m] = m;
      continue;
    }
    const key = members.key(m);
    const column = fields.get(key);
    // a repeated field keeps its last value, as JSON.parse does
    if (column === undefined) noteUnknown(writer, key, unknown);
    else at[column] = m;
  }
  const changes: MetaChange[] = [];
  let line = '';
  for (let i = 0; i < columns.length; i++) {
    const m = at[i];
    const text =
      m === -1
        ? null
        : jsonValueText(
            types[i],
            members.valueKind[m],
            members.value(m),
            columns[i].field,
            db.formats,
            changes,
          );
    line += bulkField(text);
    line += '\t';
  }
  if (plan.primaryKey.length > 0) {
    const missing = (field: string) => {
      const m = at[fields.get(field)!];
      return m === -1 || members.valueKind[m] === 'null';
    };
    checkPrimaryKey(plan, missing, changes);
  }
  return endLine(writer, line, changes, extractedAt, sequence);
}

/**
 * The staging table's columns for the stream's rows in bulk: the stream's fields then the raw id
 * (withRawIds; the staging table's defaults fill the other two metadata columns). The source produces
 * them only for an overwrite's fresh staging table, whose columns are the stream's fields in order and
 * of the types the records' JSON would have been converted to: anything else is a mismatch between our
 * own connectors.
 */
function bulkColumns(db: DestinationDatabase, writer: TableWriter, batch: RowBatch): string[] {
  const { plan, rowColumns: columns } = writer;
  const fitting =
    columns !== undefined &&
    db.rowFormat === 'postgres-copy-text' &&
    batch.fields.length === plan.columns.length &&
    batch.fields.every((field, i) => plan.columns[i].field === field);
  if (!fitting) {
    throw new Error(
      `rows of stream ${describe(plan.stream)} that its table cannot take as they are (fields ` +
        `${JSON.stringify(batch.fields)}, mode ${plan.mode}): the source must send records instead`,
    );
  }
  return columns;
}

type Item = AirbyteMessage | RowBatch;

/** The input read one message at a time, where a run of one stream's rows can be taken as chunks of a
 * load and the message after them is kept for the main loop. */
function lookahead(input: AsyncIterable<Item>) {
  const iterator = input[Symbol.asyncIterator]();
  let kept: Item | undefined;
  let ended = false;
  const next = async (): Promise<Item | undefined> => {
    if (kept) {
      const item = kept;
      kept = undefined;
      return item;
    }
    if (ended) return undefined;
    const result = await iterator.next();
    ended = result.done === true;
    return result.done ? undefined : result.value;
  };
  return {
    next,
    /** `first` and the rows of the same table right after it, each as `chunk` makes it */
    async *run(
      first: RowBatch,
      writer: TableWriter,
      writerOf: (stream: string, namespace: string | undefined) => TableWriter,
      chunk: (batch: RowBatch) => Buffer,
    ): AsyncGenerator<Buffer> {
      let item: Item | undefined = first;
      while (item?.type === 'ROWS' && writerOf(item.stream, item.namespace) === writer) {
        yield chunk(item);
        item = await next();
      }
      kept = item;
    },
  };
}

/** The line's metadata columns after its data columns. */
function endLine(
  writer: TableWriter,
  line: string,
  changes: MetaChange[],
  extractedAt: string,
  sequence: number,
): string {
  const meta = changes.length === 0 ? writer.cleanMeta : bulkField(metaJson(changes, writer.plan.syncId));
  line += `${randomUUID()}\t${extractedAt}\t${meta}\t${writer.plan.generationId}`;
  return writer.temp ? `${line}\t${sequence}\n` : `${line}\n`;
}

function checkPrimaryKey(plan: TablePlan, missing: (field: string) => boolean, changes: MetaChange[]): void {
  for (const key of plan.primaryKey) {
    if (missing(key.field) || changes.some((c) => c.field === key.field)) {
      throw new Error(
        `stream ${describe(plan.stream)}: a record without a usable value of primary key field ` +
          `${JSON.stringify(key.field)}; append_dedup needs one in every record`,
      );
    }
  }
}

/** `_airbyte_extracted_at` from `emitted_at`; records of one batch mostly share the millisecond. */
function timestampCache(db: DestinationDatabase): (ms: number) => string {
  let lastMs = Number.NaN;
  let last = '';
  return (ms) => {
    if (ms !== lastMs) {
      const iso = new Date(Number.isFinite(ms) ? ms : Date.now()).toISOString();
      last = db.formats.timestamptz({
        date: iso.slice(0, 10),
        time: iso.slice(11, 19),
        fraction: iso.slice(20, 23),
        offset: 0,
      });
      lastMs = ms;
    }
    return last;
  };
}

/** A STREAM state covers what its stream's buffer and the open transaction hold; a GLOBAL or LEGACY
 * one every stream's. (Not a full refresh appended that cannot resume: see untilComplete.) */
function markCovered(message: StateMessage, writers: Map<string, TableWriter>): void {
  const descriptor = message.state.stream?.stream_descriptor;
  const covering =
    message.state.type === 'STREAM' && descriptor
      ? [writers.get(streamKey(descriptor))].filter((w) => w !== undefined)
      : [...writers.values()];
  const { destinationStats: _stats, ...state } = message.state;
  for (const writer of covering) {
    if (writer.untilComplete) continue;
    writer.covered = { bytes: writer.buffer.bytes, lines: writer.buffer.lines };
    writer.dirty = false;
    writer.state = state;
    writer.stateChanged = true;
  }
}

/** The state with the records it covers: its stream's since that stream's last state, or all of them
 * for a GLOBAL or LEGACY state. */
function withStats(message: StateMessage, writers: Map<string, TableWriter>, total: number): StateMessage {
  const descriptor = message.state.stream?.stream_descriptor;
  let recordCount = total;
  if (message.state.type === 'STREAM' && descriptor) {
    const writer = writers.get(streamKey(descriptor));
    recordCount = writer?.sinceState ?? 0;
    if (writer) writer.sinceState = 0;
  } else {
    for (const writer of writers.values()) writer.sinceState = 0;
  }
  return { ...message, state: { ...message.state, destinationStats: { recordCount } } };
}
