// Partition routers: ListPartitionRouter (one partition per listed value) and SubstreamPartitionRouter
// (one per record of a parent stream). Each partition is what templates see as stream_partition and
// what it puts in the request.
import { interpolateString, interpolateText } from '../interpolation/interpolate.js';
import { type Component, ComponentError, ctxFor } from './component.js';
import { type RequestParts, emptyParts, inject } from './request-options.js';

type Row = Record<string, unknown>;

export interface Partition {
  /** what templates see as stream_partition: the partition and a parent's extra_fields */
  fields: Row;
  /** the partition alone, as per-partition state names it */
  partition: Row;
  parts: RequestParts;
}

/** A parent stream's records, each with the partition it came from, for a SubstreamPartitionRouter. */
export type ParentReader = (parent: Component) => AsyncIterable<{ record: Row; partition: Row }>;

export async function* partitions(
  def: Component | Component[] | undefined,
  config: Row,
  readParent: ParentReader,
): AsyncGenerator<Partition> {
  if (!def) {
    yield { fields: {}, partition: {}, parts: emptyParts() };
    return;
  }
  // several routers: their cartesian product (CartesianProductStreamSlicer)
  const routers = Array.isArray(def) ? def : [def];
  yield* product(routers, config, readParent, { fields: {}, partition: {}, parts: emptyParts() });
}

async function* product(
  routers: Component[],
  config: Row,
  readParent: ParentReader,
  acc: Partition,
): AsyncGenerator<Partition> {
  if (!routers.length) {
    yield acc;
    return;
  }
  const [first, ...rest] = routers as [Component, ...Component[]];
  for await (const p of single(first, config, readParent)) {
    const parts = emptyParts();
    Object.assign(parts.params, acc.parts.params, p.parts.params);
    Object.assign(parts.headers, acc.parts.headers, p.parts.headers);
    Object.assign(parts.json, acc.parts.json, p.parts.json);
    Object.assign(parts.data, acc.parts.data, p.parts.data);
    yield* product(rest, config, readParent, {
      fields: { ...acc.fields, ...p.fields },
      partition: { ...acc.partition, ...p.partition },
      parts,
    });
  }
}

async function* single(def: Component, config: Row, readParent: ParentReader): AsyncGenerator<Partition> {
  const ctx = ctxFor(config, def);
  switch (def.type) {
    case 'ListPartitionRouter': {
      const field = interpolateText(String(def.cursor_field), ctx.vars());
      let values = def.values;
      if (typeof values === 'string') values = interpolateString(values, ctx.vars());
      if (!Array.isArray(values))
        throw new ComponentError(def, `values: expected a list, got ${JSON.stringify(values)}`);
      for (const value of values) {
        const parts = emptyParts();
        inject(def.request_option as Component | undefined, value, ctx, parts);
        yield { fields: { [field]: value }, partition: { [field]: value }, parts };
      }
      return;
    }
    case 'SubstreamPartitionRouter': {
      for (const parent of (def.parent_stream_configs as Component[]) ?? []) {
        const pctx = ctxFor(config, parent);
        const key = interpolateText(String(parent.parent_key), pctx.vars()).split('/');
        const field = interpolateText(String(parent.partition_field), pctx.vars());
        const extra = (parent.extra_fields as string[][] | undefined) ?? [];
        for await (const { record, partition: parentSlice } of readParent(parent)) {
          const value = dig(record, key);
          if (value === undefined || value === null) continue;
          const partition: Row = { [field]: value, parent_slice: parentSlice };
          const fields: Row = { ...partition };
          for (const path of extra) fields[path.join('.')] = dig(record, path);
          const parts = emptyParts();
          inject(parent.request_option as Component | undefined, value, pctx, parts);
          yield { fields, partition, parts };
        }
      }
      return;
    }
    default:
      throw new ComponentError(def, `${def.type} is not supported`);
  }
}

function dig(record: Row, path: string[]): unknown {
  let node: unknown = record;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Row)[key];
  }
  return node;
}
