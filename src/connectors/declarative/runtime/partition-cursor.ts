// A DatetimeBasedCursor under a partition router, as the CDK's ConcurrentPerPartitionCursor keeps it
// (incremental/concurrent_partition_cursor.py), read one partition after the other: one cursor per
// partition, `{"states": [{"partition", "cursor"}], "state": <global cursor>, "lookback_window":
// <seconds the last sync took>, "use_global_cursor", "parent_state"}`. A partition without a state
// of its own starts from the global cursor minus that lookback; past 10,000 partitions only the
// global cursor is kept (`use_global_cursor`), as with `global_substream_cursor`.
import { PyTimedelta } from '../interpolation/py-time.js';
import { DatetimeCursor } from './cursor.js';
import type { Component } from './component.js';

type Row = Record<string, unknown>;

/** ConcurrentPerPartitionCursor.SWITCH_TO_GLOBAL_LIMIT and DEFAULT_MAX_PARTITIONS_NUMBER */
const SWITCH_TO_GLOBAL_LIMIT = 10_000;
const MAX_PARTITIONS = 25_000;

const isObject = (v: unknown): v is Row => v !== null && typeof v === 'object' && !Array.isArray(v);

/** PerPartitionKeySerializer: JSON with sorted keys, recursively. */
function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sorted(value[k])]),
  );
}

export function partitionKey(partition: Row): string {
  return JSON.stringify(sorted(partition));
}

export class PartitionCursor {
  /** each partition's cursor state, oldest first */
  private readonly states = new Map<string, Row>();
  private readonly seen = new Set<string>();
  private useGlobal: boolean;
  private globalCursor: Row | undefined;
  private newGlobal: Row | undefined;
  private lookbackSeconds = 0;
  private syncedData = false;
  private readonly started = Date.now();
  readonly parentState: Row | undefined;
  private readonly template: DatetimeCursor;

  constructor(
    private readonly def: Component,
    private readonly config: Row,
    state: Row | undefined,
  ) {
    this.template = new DatetimeCursor(def, config);
    this.useGlobal = def.global_substream_cursor === true;
    if (!state || !Object.keys(state).length) return;
    if (!('states' in state) && !('state' in state)) this.setGlobal(state);
    else {
      this.useGlobal = state.use_global_cursor === true || this.useGlobal;
      this.lookbackSeconds = Math.trunc(Number(state.lookback_window ?? 0)) || 0;
      for (const entry of Array.isArray(state.states) ? state.states : [])
        if (isObject(entry) && isObject(entry.partition))
          this.states.set(partitionKey(entry.partition), isObject(entry.cursor) ? entry.cursor : {});
      if (isObject(state.state)) this.setGlobal(state.state);
    }
    if (isObject(state.parent_state) && Object.keys(state.parent_state).length)
      this.parentState = state.parent_state;
  }

  get cursorField(): string {
    return this.template.cursorField;
  }

  /** _set_global_state: the value in the cursor's own format. */
  private setGlobal(state: Row): void {
    const value = state[this.cursorField];
    if (value === undefined) return;
    const parsed = this.template.parse(value);
    const text = parsed ? this.template.output(parsed) : value;
    this.globalCursor = { [this.cursorField]: text };
    this.newGlobal = { [this.cursorField]: text };
  }

  /** The cursor of a partition, started from its own state, or the global one minus the lookback;
   * undefined when the partition came already in this sync (the CDK skips a duplicate). */
  cursorFor(partition: Row): { cursor: DatetimeCursor; state: Row | undefined; key: string } | undefined {
    const key = partitionKey(partition);
    if (this.seen.has(key)) return undefined;
    this.seen.add(key);
    let state = this.states.get(key);
    if (!state) {
      if (this.states.size + 1 > SWITCH_TO_GLOBAL_LIMIT) this.useGlobal = true;
      while (this.states.size >= MAX_PARTITIONS) this.states.delete(this.states.keys().next().value!);
      state = this.fromGlobal();
      this.states.set(key, state ?? {});
    }
    return { cursor: new DatetimeCursor(this.def, this.config), state, key };
  }

  /** The global cursor shifted back by the last sync's duration (runtime_lookback_window). */
  private fromGlobal(): Row | undefined {
    const value = this.globalCursor?.[this.cursorField];
    if (value === undefined) return undefined;
    const parsed = this.template.parse(value);
    if (!parsed || !this.lookbackSeconds) return { ...this.globalCursor };
    return {
      [this.cursorField]: this.template.output(
        parsed.plus(new PyTimedelta(this.lookbackSeconds * 1_000_000), -1),
      ),
    };
  }

  /** A record's cursor value seen (observe): the global cursor follows the latest. */
  observe(record: Row): void {
    const parsed = this.template.parse(record[this.cursorField]);
    if (!parsed) return;
    this.syncedData = true;
    this.raiseGlobal(this.template.output(parsed));
  }

  private raiseGlobal(value: unknown): void {
    // the CDK compares the formatted values
    const current = this.newGlobal?.[this.cursorField];
    if (current === undefined || String(current) < String(value))
      this.newGlobal = { [this.cursorField]: value };
  }

  /** A partition read to its end: its cursor's state is kept and counts for the global cursor. */
  close(key: string, cursor: DatetimeCursor): void {
    if (this.useGlobal) return;
    const state = cursor.state();
    this.states.set(key, state);
    if (state[this.cursorField] !== undefined) this.raiseGlobal(state[this.cursorField]);
  }

  /** The stream's state; `done` at the end of the sync, when the global cursor moves on. */
  state(parentState: Row | undefined, done: boolean): Row {
    if (done && this.syncedData) {
      this.globalCursor = this.newGlobal;
      this.lookbackSeconds = Math.ceil((Date.now() - this.started) / 1000);
    }
    const out: Row = { use_global_cursor: this.useGlobal };
    if (!this.useGlobal)
      out.states = [...this.states]
        .filter(([, cursor]) => Object.keys(cursor).length)
        .map(([key, cursor]) => ({ partition: JSON.parse(key) as Row, cursor }));
    if (this.globalCursor && Object.keys(this.globalCursor).length) out.state = this.globalCursor;
    out.lookback_window = this.lookbackSeconds;
    if (parentState !== undefined) out.parent_state = parentState;
    return out;
  }
}
