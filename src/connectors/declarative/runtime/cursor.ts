// DatetimeBasedCursor as the CDK's concurrent cursor runs it: slices from the later of the start and
// the saved cursor (minus the lookback window) to the end, `step` long, each but the last ending one
// `cursor_granularity` before the next begins; the state is the latest cursor value seen, in the
// cursor's datetime_format, {cursor_field: value}, so Airbyte and Sluice can resume each other's state.
import { formatDatetime, parseDatetime } from '../interpolation/builtins.js';
import { interpolateText } from '../interpolation/interpolate.js';
import { PyDateTime, PyDuration, PyTimedelta, nowUtc, parseDuration } from '../interpolation/py-time.js';
import { type Component, ComponentError, type Ctx, ctxFor } from './component.js';
import { type RequestParts, emptyParts, inject } from './request-options.js';

type Row = Record<string, unknown>;

export interface Slice {
  /** what templates see as stream_interval */
  fields: Record<string, string>;
  start: PyDateTime;
  end: PyDateTime;
}

export class DatetimeCursor {
  private readonly ctx: Ctx;
  readonly cursorField: string;
  private readonly format: string;
  private readonly parseFormats: string[];
  private readonly startKey: string;
  private readonly endKey: string;
  /** the latest cursor value seen so far, or the start of this sync */
  private latest: PyDateTime | undefined;
  private syncStart: PyDateTime | undefined;
  private syncEnd: PyDateTime | undefined;

  constructor(
    private readonly def: Component,
    config: Row,
  ) {
    if (def.type !== 'DatetimeBasedCursor') throw new ComponentError(def, `${def.type} is not supported`);
    if (def.clamping) throw new ComponentError(def, 'clamping is not supported');
    this.ctx = ctxFor(config, def);
    this.cursorField = interpolateText(String(def.cursor_field), this.ctx.vars());
    this.format = String(def.datetime_format);
    this.parseFormats = [...((def.cursor_datetime_formats as string[] | undefined) ?? []), this.format];
    this.startKey = interpolateText(String(def.partition_field_start ?? 'start_time'), this.ctx.vars());
    this.endKey = interpolateText(String(def.partition_field_end ?? 'end_time'), this.ctx.vars());
  }

  /** a data feed filters on its cursor itself (below), so client-side filtering adds nothing */
  get clientSide(): boolean {
    return this.def.is_client_side_incremental === true && !this.dataFeed;
  }

  /** is_data_feed: the API gives the newest records first, so the first record older than the sync's
   * start ends the pagination (CursorStopCondition) and such records are dropped. */
  get dataFeed(): boolean {
    return this.def.is_data_feed === true;
  }

  /** ConcurrentCursor.should_be_synced: a record without a readable cursor value is kept. */
  shouldBeSynced(record: Row): boolean {
    const value = this.parse(record[this.cursorField]);
    if (!value || !this.syncStart || !this.syncEnd) return true;
    return this.syncStart.micros <= value.micros && value.micros <= this.syncEnd.micros;
  }

  parse(value: unknown): PyDateTime | undefined {
    for (const f of this.parseFormats) {
      try {
        return parseDatetime(value, f);
      } catch {
        // the next format
      }
    }
    return undefined;
  }

  private boundary(def: unknown): PyDateTime | undefined {
    if (def === undefined || def === null) return undefined;
    const m: Component =
      typeof def === 'string' ? { type: 'MinMaxDatetime', datetime: def } : (def as Component);
    const format = (m.datetime_format as string | undefined) || this.format;
    const vars = ctxFor(this.ctx.config, m).vars();
    const text = interpolateText(String(m.datetime), vars);
    let time = this.parseWith(text, format, m);
    for (const [key, pick] of [
      ['min_datetime', (a: PyDateTime, b: PyDateTime) => (a.micros > b.micros ? a : b)],
      ['max_datetime', (a: PyDateTime, b: PyDateTime) => (a.micros < b.micros ? a : b)],
    ] as const) {
      if (m[key] === undefined) continue;
      const limit = interpolateText(String(m[key]), vars);
      if (limit) time = pick(time, this.parseWith(limit, format, m));
    }
    return time;
  }

  private parseWith(text: string, format: string, m: Component): PyDateTime {
    try {
      return parseDatetime(text, format);
    } catch (error) {
      throw new ComponentError(
        m,
        `${JSON.stringify(text)} does not match the datetime format ${format}: ${(error as Error).message}`,
      );
    }
  }

  private duration(value: unknown): PyTimedelta | PyDuration | undefined {
    if (value === undefined || value === null || value === '') return undefined;
    const text = interpolateText(String(value), this.ctx.vars());
    return text ? parseDuration(text) : undefined;
  }

  /** The slices of this sync, given the stream's saved state. */
  slices(state: Row | undefined): Slice[] {
    const start = this.boundary(this.def.start_datetime);
    if (!start) throw new ComponentError(this.def, 'start_datetime is required');
    const end = this.boundary(this.def.end_datetime) ?? nowUtc();
    const saved =
      state && state[this.cursorField] !== undefined ? this.parse(state[this.cursorField]) : undefined;
    const syncStart = saved && saved.micros >= start.micros ? saved : start;
    this.syncStart = syncStart;
    this.syncEnd = end;
    this.latest = syncStart;
    const lookback = this.duration(this.def.lookback_window);
    let lower = lookback ? syncStart.plus(lookback, -1) : syncStart;
    if (lower.micros < start.micros) lower = start;
    const step = this.duration(this.def.step);
    const granularity = this.duration(this.def.cursor_granularity);
    if (step && !granularity) throw new ComponentError(this.def, 'cursor_granularity is required with step');
    const out: Slice[] = [];
    const make = (a: PyDateTime, b: PyDateTime) =>
      out.push({
        start: a,
        end: b,
        fields: { [this.startKey]: this.output(a), [this.endKey]: this.output(b) },
      });
    if (lower.micros >= end.micros) return out;
    if (!step || lower.plus(step).micros >= end.micros) {
      make(lower, end);
      return out;
    }
    let current = lower;
    for (;;) {
      const next = current.plus(step);
      const upper = next.micros < end.micros ? next : end;
      const reached = upper.micros >= end.micros;
      if (current.micros >= upper.micros) break;
      make(current, reached ? upper : upper.plus(granularity!, -1));
      current = upper;
      if (reached) break;
      if (out.length > 100_000)
        throw new ComponentError(this.def, 'more than 100,000 slices: is step too small?');
    }
    return out;
  }

  /** Sees a record: keeps the latest cursor value. Returns false when a client-side cursor drops it. */
  observe(record: Row, slice: Slice): boolean {
    const value = this.parse(record[this.cursorField]);
    if (!value) return true;
    if (
      this.clientSide &&
      (value.micros < this.syncStart!.micros ||
        value.micros < slice.start.micros ||
        value.micros > slice.end.micros)
    )
      return false;
    if (!this.latest || value.micros > this.latest.micros) this.latest = value;
    return true;
  }

  state(): Row {
    return this.latest ? { [this.cursorField]: this.output(this.latest) } : {};
  }

  /** A datetime in the cursor's datetime_format, as its state holds it. */
  output(dt: PyDateTime): string {
    return formatDatetime(dt, this.format);
  }

  /** What the slice puts in the request (start_time_option / end_time_option). */
  parts(slice: Slice): RequestParts {
    const parts = emptyParts();
    inject(this.def.start_time_option as Component | undefined, slice.fields[this.startKey], this.ctx, parts);
    inject(this.def.end_time_option as Component | undefined, slice.fields[this.endKey], this.ctx, parts);
    return parts;
  }
}
