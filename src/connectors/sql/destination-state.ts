// The destination's own record of what it committed (docs/sync.md, "Exactly once"): one row per
// table, written in the same transaction as the records, holding the latest state that covers the
// table's committed records and whether its stream is all committed, for the sync (`sync_id`) that
// wrote them. The platform reads it back when an attempt of that sync starts again after a crash,
// since the acknowledgement of the last commit may never have reached it.
import type { MessageOutput } from '../../cdk/output.js';
import type { AirbyteStateMessage, ConfiguredAirbyteCatalog } from '../../protocol/messages.js';
import type { DestinationDatabase } from './destination-database.js';
import { type TablePlan, planTables } from './destination-plan.js';

export const STATE_TABLE = '_sluice_destination_state';

export interface CommittedStream {
  plan: TablePlan;
  /** the latest state that covers its committed records; undefined when none did */
  state?: AirbyteStateMessage;
  /** every record of this stream of the sync is committed */
  complete: boolean;
  /** the order in which rows were written: a later row holds a later state */
  position: number;
}

export class DestinationStateTable {
  private position = 0;

  private constructor(
    private readonly db: DestinationDatabase,
    private readonly table: string,
  ) {}

  /** Creates the table in `schema` when it is not there yet. */
  static async open(db: DestinationDatabase, schema: string): Promise<DestinationStateTable> {
    await db.createSchema(schema);
    const table = `${db.quote(schema)}.${db.quote(STATE_TABLE)}`;
    // a table's schema and name are identifiers: 255 characters hold any database's
    await db.execute(
      `CREATE TABLE IF NOT EXISTS ${table} (stream_namespace VARCHAR(255) NOT NULL, ` +
        `stream_name VARCHAR(255) NOT NULL, sync_id BIGINT NOT NULL, position BIGINT NOT NULL, ` +
        `complete BOOLEAN NOT NULL, state ${db.sqlType('string')}, PRIMARY KEY (stream_namespace, stream_name))`,
    );
    const opened = new DestinationStateTable(db, table);
    const [row] = await db.rows(`SELECT MAX(position) AS position FROM ${table}`);
    opened.position = Number(row?.position ?? 0);
    return opened;
  }

  /** The statements that replace the rows of these streams; run them in the records' transaction. */
  async save(rows: Omit<CommittedStream, 'position'>[]): Promise<void> {
    if (rows.length === 0) return;
    const { db } = this;
    const text = (value: string) => db.literal(value);
    const where = rows
      .map(({ plan }) => `(stream_namespace = ${text(plan.schema)} AND stream_name = ${text(plan.table)})`)
      .join(' OR ');
    await db.execute(`DELETE FROM ${this.table} WHERE ${where}`);
    const position = ++this.position;
    const values = rows.map(
      ({ plan, state, complete }) =>
        `(${text(plan.schema)}, ${text(plan.table)}, ${plan.syncId ?? 0}, ${position}, ` +
        `${complete ? 'TRUE' : 'FALSE'}, ${state === undefined ? 'NULL' : text(JSON.stringify(state))})`,
    );
    await db.execute(
      `INSERT INTO ${this.table} (stream_namespace, stream_name, sync_id, position, complete, state) ` +
        `VALUES ${values.join(', ')}`,
    );
  }
}

/** What the destination committed for these streams in the sync each one's `syncId` names, oldest
 * first; nothing for a stream without a sync id, or when the table does not exist. */
export async function committedStreams(
  db: DestinationDatabase,
  schema: string,
  plans: TablePlan[],
): Promise<CommittedStream[]> {
  const wanted = plans.filter((plan) => plan.syncId !== undefined);
  if (wanted.length === 0 || !(await db.columns(schema, STATE_TABLE))) return [];
  const text = (value: string) => db.literal(value);
  const rows = await db.rows(
    `SELECT stream_namespace, stream_name, sync_id, position, complete, state ` +
      `FROM ${db.quote(schema)}.${db.quote(STATE_TABLE)} WHERE ` +
      wanted
        .map((plan) => `(stream_namespace = ${text(plan.schema)} AND stream_name = ${text(plan.table)})`)
        .join(' OR '),
  );
  const found: CommittedStream[] = [];
  for (const row of rows) {
    const plan = wanted.find((p) => p.schema === row.stream_namespace && p.table === row.stream_name);
    if (!plan || Number(row.sync_id) !== plan.syncId) continue;
    found.push({
      plan,
      state: row.state == null ? undefined : (JSON.parse(String(row.state)) as AirbyteStateMessage),
      complete: Boolean(Number(row.complete)),
      position: Number(row.position),
    });
  }
  return found.sort((a, b) => a.position - b.position);
}

/** A SQL destination's `committedState` (cdk/connector.ts): the latest states its tables' rows hold,
 * each once, oldest first, then a COMPLETE stream status for each stream all committed. */
export async function reportCommitted(
  db: DestinationDatabase,
  catalog: ConfiguredAirbyteCatalog,
  defaultSchema: string,
  out: MessageOutput,
): Promise<void> {
  const plans = planTables(catalog, { rules: db.rules, defaultSchema, storage: db.storage });
  const committed = await committedStreams(db, db.rules.clean(defaultSchema), plans);
  const sent = new Set<string>();
  for (const { state } of committed) {
    const text = JSON.stringify(state);
    if (state === undefined || sent.has(text)) continue;
    sent.add(text);
    await out.message({ type: 'STATE', state });
  }
  for (const { plan, complete } of committed) {
    if (!complete) continue;
    await out.message({
      type: 'TRACE',
      trace: {
        type: 'STREAM_STATUS',
        emitted_at: Date.now(),
        stream_status: { stream_descriptor: plan.stream, status: 'COMPLETE' },
      },
    });
  }
}
