// DeclarativeStream with a SimpleRetriever: for each partition and each cursor slice, the pages of
// requests, their records selected, filtered and transformed, and the state after each slice.
import { interpolateText } from '../interpolation/interpolate.js';
import { type Component, ComponentError, ctxFor } from './component.js';
import { DatetimeCursor, type Slice } from './cursor.js';
import { paginator } from './paginator.js';
import { PartitionCursor } from './partition-cursor.js';
import { type Partition, partitions } from './partitions.js';
import { recordPipeline } from './records.js';
import { mergeParts, emptyParts } from './request-options.js';
import { Requester } from './requester.js';

type Row = Record<string, unknown>;

const STATE_INTERVAL_MS = 600_000;

export interface StreamEvents {
  record(data: Row, partition: Row): Promise<void> | void;
  /** the stream's state after a slice (only for a stream with a cursor) */
  state(state: Row): Promise<void> | void;
}

export interface ReadOptions {
  /** incremental: start from `state` and emit the cursor's state after each slice */
  incremental?: boolean;
  state?: Row;
  /** stop after this many records (check reads one) */
  limit?: number;
  signal?: AbortSignal;
}

export class DeclarativeStream {
  readonly name: string;

  constructor(
    readonly def: Component,
    private readonly config: Row,
  ) {
    if (def.type !== 'DeclarativeStream') throw new ComponentError(def, `${def.type} is not supported`);
    this.name = interpolateText(String(def.name ?? ''), ctxFor(config, def).vars());
  }

  private get retriever(): Component {
    const r = this.def.retriever as Component;
    if (r.type !== 'SimpleRetriever') throw new ComponentError(r, `${r.type} is not supported`);
    return r;
  }

  get incrementalSync(): Component | undefined {
    return this.def.incremental_sync as Component | undefined;
  }

  cursorField(): string | undefined {
    const sync = this.incrementalSync;
    return sync ? interpolateText(String(sync.cursor_field), ctxFor(this.config, sync).vars()) : undefined;
  }

  schema(): Row {
    const loader = this.def.schema_loader as Component | undefined;
    if (!loader || loader.type === 'JsonFileSchemaLoader')
      return { type: 'object', $schema: 'http://json-schema.org/draft-07/schema#', properties: {} };
    if (loader.type !== 'InlineSchemaLoader')
      throw new ComponentError(loader, `${loader.type} is not supported`);
    return (loader.schema as Row | undefined) ?? {};
  }

  primaryKey(): string[][] | undefined {
    const pk = this.def.primary_key;
    if (pk === undefined || pk === null || pk === '') return undefined;
    if (typeof pk === 'string') return [[pk]];
    if (Array.isArray(pk)) return pk.map((k) => (Array.isArray(k) ? k.map(String) : [String(k)]));
    return undefined;
  }

  /** Reads the stream; `incremental` uses and emits the cursor's state. Returns the state at the
   * end (a parent read for a substream with incremental_dependency gives it to the child's). */
  async read(events: StreamEvents, options: ReadOptions = {}): Promise<Row | undefined> {
    const retriever = this.retriever;
    const parts = {
      requester: new Requester(retriever.requester as Component, this.config, options.signal),
      pages: paginator(retriever.paginator as Component | undefined, this.config),
      pipeline: recordPipeline(
        retriever.record_selector as Component,
        (this.def.transformations as Component[] | undefined) ?? [],
        this.config,
        this.schema(),
      ),
    };
    let count = 0;
    const emit = async (record: Row, partition: Row) => {
      await events.record(record, partition);
      return options.limit !== undefined && ++count >= options.limit;
    };
    const routers = retriever.partition_router as Component | Component[] | undefined;
    const cursorDef = this.incrementalSync;
    const incremental = options.incremental === true;
    if (cursorDef && routers) return this.readPartitioned(cursorDef, routers, parts, emit, events, options);
    const cursor = cursorDef ? new DatetimeCursor(cursorDef, this.config) : undefined;
    const readParent = (parent: Component) =>
      this.parentRecords(parent, undefined, undefined, options.signal);
    for await (const partition of partitions(routers, this.config, readParent)) {
      const slices: (Slice | undefined)[] = cursor
        ? cursor.slices(incremental ? options.state : undefined)
        : [undefined];
      for (const slice of slices) {
        const done = await this.readSlice(partition, slice, { ...parts, cursor }, (r) =>
          emit(r, partition.partition),
        );
        if (cursor && incremental) await events.state(cursor.state());
        if (done) return undefined;
      }
    }
    return cursor ? cursor.state() : undefined;
  }

  /** A cursor under a partition router: one cursor per partition (partition-cursor.ts). */
  private async readPartitioned(
    cursorDef: Component,
    routers: Component | Component[],
    parts: Omit<SliceParts, 'cursor'>,
    emit: (record: Row, partition: Row) => Promise<boolean>,
    events: StreamEvents,
    options: ReadOptions,
  ): Promise<Row | undefined> {
    const incremental = options.incremental === true;
    const state = incremental ? options.state : undefined;
    const perPartition = new PartitionCursor(cursorDef, this.config, state);
    // the parents read incrementally (incremental_dependency) and the state each ends with
    const parentStates: Row = {};
    const readParent = (parent: Component) =>
      this.parentRecords(
        parent,
        parent.incremental_dependency && state ? parentStateIn(parent, state, this.config) : undefined,
        parent.incremental_dependency ? parentStates : undefined,
        options.signal,
      );
    // SubstreamPartitionRouter.get_stream_state; other routers have no parent state
    const single = Array.isArray(routers) ? undefined : routers;
    const substream = single?.type === 'SubstreamPartitionRouter';
    let lastState = Date.now();
    for await (const partition of partitions(routers, this.config, readParent)) {
      const entry = perPartition.cursorFor(partition.partition);
      if (!entry) continue;
      for (const slice of entry.cursor.slices(entry.state)) {
        const done = await this.readSlice(partition, slice, { ...parts, cursor: entry.cursor }, (record) => {
          perPartition.observe(record);
          return emit(record, partition.partition);
        });
        if (done) return undefined;
      }
      perPartition.close(entry.key, entry.cursor);
      // the CDK checkpoints a partitioned stream at most every ten minutes, then at the end
      if (incremental && Date.now() - lastState > STATE_INTERVAL_MS) {
        lastState = Date.now();
        await events.state(perPartition.state(perPartition.parentState, false));
      }
    }
    const final = perPartition.state(substream ? parentStates : undefined, true);
    if (incremental) await events.state(final);
    return final;
  }

  private async readSlice(
    partition: Partition,
    slice: Slice | undefined,
    parts: SliceParts,
    emit: (record: Row) => Promise<boolean>,
  ): Promise<boolean> {
    const fields = { ...partition.fields, ...(slice?.fields ?? {}) };
    const base = mergeParts(emptyParts(), partition.parts);
    if (slice && parts.cursor) mergeParts(base, parts.cursor.parts(slice));
    let token = parts.pages.initial();
    for (let page = 0; ; page++) {
      const nextPageToken = token === undefined ? undefined : { next_page_token: token };
      const request = mergeParts(mergeParts(emptyParts(), base), parts.pages.parts(token));
      const result = await parts.requester.send(
        { stream_slice: fields, next_page_token: nextPageToken },
        request,
      );
      if (!result) return false;
      const vars = {
        stream_slice: fields,
        stream_interval: fields,
        stream_partition: fields,
        next_page_token: nextPageToken,
        response: result.body,
        headers: result.headers,
      };
      const records = parts.pipeline.records(result.body, vars);
      const feed = slice && parts.cursor?.dataFeed ? parts.cursor : undefined;
      const last = records[records.length - 1];
      const stop = feed !== undefined && last !== undefined && !feed.shouldBeSynced(last);
      for (const record of records) {
        if (feed && !feed.shouldBeSynced(record)) continue;
        if (slice && parts.cursor && !parts.cursor.observe(record, slice)) continue;
        if (await emit(record)) return true;
      }
      token = stop ? undefined : parts.pages.next(result, records, token);
      if (token === undefined) return false;
      if (page > 1_000_000)
        throw new ComponentError(
          this.retriever,
          'over a million pages in one slice: is the stop condition right?',
        );
    }
  }

  /** A parent's records with their partitions; with `stateOut`, read incrementally from `stateIn`
   * and its final state kept under its name. A parent's records are few next to the child's: read
   * them whole, then route. */
  private async *parentRecords(
    parent: Component,
    stateIn: Row | undefined,
    stateOut: Row | undefined,
    signal?: AbortSignal,
  ): AsyncGenerator<{ record: Row; partition: Row }> {
    const stream = new DeclarativeStream(parent.stream as Component, this.config);
    const buffer: { record: Row; partition: Row }[] = [];
    const final = await stream.read(
      { record: (record, partition) => void buffer.push({ record, partition }), state: () => undefined },
      { signal, incremental: stateOut !== undefined, state: stateIn },
    );
    if (stateOut) stateOut[stream.name] = final ?? {};
    yield* buffer;
  }
}

type SliceParts = {
  requester: Requester;
  pages: ReturnType<typeof paginator>;
  pipeline: ReturnType<typeof recordPipeline>;
  cursor: DatetimeCursor | undefined;
};

/** _instantiate_parent_stream_state_manager: the parent's state within the child's — under
 * parent_state, else the child's global cursor, else a lone legacy value under the parent's field. */
function parentStateIn(parent: Component, childState: Row, config: Row): Row | undefined {
  const stream = parent.stream as Component;
  const name = interpolateText(String(stream.name ?? ''), ctxFor(config, stream).vars());
  const parents = childState.parent_state as Row | undefined;
  if (parents && typeof parents === 'object' && parents[name] && typeof parents[name] === 'object')
    return parents[name] as Row;
  if (childState.state && typeof childState.state === 'object') return childState.state as Row;
  const values = Object.values(childState);
  const cursor = stream.incremental_sync as Component | undefined;
  if (values.length === 1 && cursor)
    return { [interpolateText(String(cursor.cursor_field), ctxFor(config, cursor).vars())]: values[0] };
  return undefined;
}
