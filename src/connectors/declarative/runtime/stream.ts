// DeclarativeStream with a SimpleRetriever: for each partition and each cursor slice, the pages of
// requests, their records selected, filtered and transformed, and the state after each slice.
import { interpolateText } from '../interpolation/interpolate.js';
import { type Component, ComponentError, ctxFor } from './component.js';
import { DatetimeCursor, type Slice } from './cursor.js';
import { paginator } from './paginator.js';
import { type Partition, partitions } from './partitions.js';
import { recordPipeline } from './records.js';
import { mergeParts, emptyParts } from './request-options.js';
import { Requester } from './requester.js';

type Row = Record<string, unknown>;

export interface StreamEvents {
  record(data: Row): Promise<void> | void;
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

  /** Reads the stream; `incremental` uses and emits the cursor's state. */
  async read(events: StreamEvents, options: ReadOptions = {}): Promise<void> {
    const retriever = this.retriever;
    const requester = new Requester(retriever.requester as Component, this.config, options.signal);
    const pages = paginator(retriever.paginator as Component | undefined, this.config);
    const pipeline = recordPipeline(
      retriever.record_selector as Component,
      (this.def.transformations as Component[] | undefined) ?? [],
      this.config,
    );
    const cursor = this.incrementalSync ? new DatetimeCursor(this.incrementalSync, this.config) : undefined;
    let count = 0;
    const routers = retriever.partition_router as Component | Component[] | undefined;
    const readParent = (parent: Component) => this.parentRecords(parent, options.signal);
    for await (const partition of partitions(routers, this.config, readParent)) {
      if (routers && cursor)
        throw new ComponentError(
          this.incrementalSync as Component,
          'incremental_sync with a partition router is not supported yet',
        );
      const slices: (Slice | undefined)[] = cursor
        ? cursor.slices(options.incremental ? options.state : undefined)
        : [undefined];
      for (const slice of slices) {
        const done = await this.readSlice(
          partition,
          slice,
          { requester, pages, pipeline, cursor },
          async (record) => {
            await events.record(record);
            return options.limit !== undefined && ++count >= options.limit;
          },
        );
        if (cursor && options.incremental) await events.state(cursor.state());
        if (done) return;
      }
    }
  }

  private async readSlice(
    partition: Partition,
    slice: Slice | undefined,
    parts: {
      requester: Requester;
      pages: ReturnType<typeof paginator>;
      pipeline: ReturnType<typeof recordPipeline>;
      cursor: DatetimeCursor | undefined;
    },
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
      for (const record of records) {
        if (slice && parts.cursor && !parts.cursor.observe(record, slice)) continue;
        if (await emit(record)) return true;
      }
      token = parts.pages.next(result, records, token);
      if (token === undefined) return false;
      if (page > 1_000_000)
        throw new ComponentError(
          this.retriever,
          'over a million pages in one slice: is the stop condition right?',
        );
    }
  }

  private async *parentRecords(parent: Component, signal?: AbortSignal): AsyncGenerator<Row> {
    const stream = new DeclarativeStream(parent, this.config);
    const buffer: Row[] = [];
    // a parent's records are few next to the child's: read them whole, then route
    await stream.read({ record: (r) => void buffer.push(r), state: () => undefined }, { signal });
    yield* buffer;
  }
}
