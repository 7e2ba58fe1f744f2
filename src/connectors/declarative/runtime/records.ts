// From a response to records: RecordSelector's DpathExtractor (with `*`), RecordFilter, and the
// transformations AddFields and RemoveFields.
import { interpolateBoolean, interpolateString, interpolateText } from '../interpolation/interpolate.js';
import { type Component, ComponentError, ctxFor } from './component.js';
import { normalizeRecord } from './normalize.js';

type Row = Record<string, unknown>;

export interface RecordPipeline {
  /** The records of one response body, filtered and transformed. */
  records(body: unknown, vars: Record<string, unknown>): Row[];
}

const isObject = (v: unknown): v is Row => v !== null && typeof v === 'object' && !Array.isArray(v);

/** dpath.values: every value at a path whose segments may be `*`. */
function dpathValues(node: unknown, path: string[]): unknown[] {
  if (!path.length) return [node];
  const [head, ...rest] = path as [string, ...string[]];
  if (head === '*') {
    const children = Array.isArray(node) ? node : isObject(node) ? Object.values(node) : [];
    return children.flatMap((c) => dpathValues(c, rest));
  }
  if (Array.isArray(node) && /^\d+$/.test(head))
    return node.length > Number(head) ? dpathValues(node[Number(head)], rest) : [];
  if (isObject(node) && head in node) return dpathValues(node[head], rest);
  return [];
}

export function recordPipeline(
  selector: Component,
  transformations: Component[],
  config: Row,
  /** the stream's schema, for schema_normalization */
  schema?: Row,
): RecordPipeline {
  const normalize = selector.schema_normalization === 'Default' && schema !== undefined;
  if (selector.type !== 'RecordSelector')
    throw new ComponentError(selector, `${selector.type} is not supported`);
  const extractor = selector.extractor as Component;
  if (extractor.type !== 'DpathExtractor')
    throw new ComponentError(extractor, `${extractor.type} is not supported`);
  const exCtx = ctxFor(config, extractor);
  const fieldPath = (extractor.field_path as string[] | undefined) ?? [];
  const filter = selector.record_filter as Component | undefined;
  if (filter && filter.type !== 'RecordFilter')
    throw new ComponentError(filter, `${filter.type} is not supported`);
  const filterCtx = filter ? ctxFor(config, filter) : undefined;
  const steps = transformations.map((t) => transformation(t, config));
  return {
    records(body, vars) {
      const path = fieldPath.map((p) => interpolateText(p, exCtx.vars()));
      let extracted: unknown;
      if (!path.length) extracted = body;
      else if (path.includes('*')) extracted = dpathValues(body, path);
      else {
        const found = dpathValues(body, path);
        extracted = found.length ? found[0] : [];
      }
      let rows: Row[] = Array.isArray(extracted)
        ? (extracted.filter(isObject) as Row[])
        : isObject(extracted) && Object.keys(extracted).length
          ? [extracted]
          : [];
      const filtered = (list: Row[]) =>
        filter && filterCtx
          ? list.filter((record) =>
              interpolateBoolean(filter.condition as string, filterCtx.vars({ ...vars, record })),
            )
          : list;
      const transformed = (list: Row[]) => steps.reduce((acc, step) => acc.map((r) => step(r, vars)), list);
      rows =
        selector.transform_before_filtering === true
          ? filtered(transformed(rows))
          : transformed(filtered(rows));
      return normalize ? rows.map((r) => normalizeRecord(r, schema!)) : rows;
    },
  };
}

function transformation(def: Component, config: Row): (record: Row, vars: Row) => Row {
  const ctx = ctxFor(config, def);
  switch (def.type) {
    case 'AddFields': {
      const fields = (def.fields as Component[]) ?? [];
      return (record, vars) => {
        const v = ctx.vars({ ...vars, record });
        if (def.condition && !interpolateBoolean(def.condition as string, v)) return record;
        const out = structuredClone(record);
        for (const f of fields) {
          const path = (f.path as string[]).map((p) => interpolateText(p, v));
          let value =
            typeof f.value === 'string' ? interpolateString(f.value, { ...v, record: out }) : f.value;
          value = coerce(value, f.value_type as string | undefined);
          setPath(out, path, value);
        }
        return out;
      };
    }
    case 'RemoveFields': {
      const pointers = (def.field_pointers as string[][]) ?? [];
      return (record, vars) => {
        const out = structuredClone(record);
        for (const pointer of pointers)
          removePath(out, pointer, (value) =>
            def.condition
              ? interpolateBoolean(def.condition as string, ctx.vars({ ...vars, property: value }))
              : true,
          );
        return out;
      };
    }
    default:
      throw new ComponentError(def, `${def.type} is not supported`);
  }
}

function coerce(value: unknown, type: string | undefined): unknown {
  switch (type) {
    case 'string':
      return typeof value === 'string' ? value : JSON.stringify(value);
    case 'number':
      return Number(value);
    case 'integer':
      return Math.trunc(Number(value));
    case 'boolean':
      return value === true || value === 'true' || value === 'True';
    default:
      return value;
  }
}

function setPath(record: Row, path: string[], value: unknown): void {
  let node = record;
  for (const key of path.slice(0, -1)) {
    if (!isObject(node[key])) node[key] = {};
    node = node[key] as Row;
  }
  node[path[path.length - 1]!] = value;
}

function removePath(node: unknown, path: string[], when: (value: unknown) => boolean): void {
  if (!path.length || !isObject(node)) return;
  const [head, ...rest] = path as [string, ...string[]];
  const keys = head === '*' || head === '**' ? Object.keys(node) : head in node ? [head] : [];
  for (const key of keys) {
    if (rest.length) removePath(node[key], rest, when);
    else if (when(node[key])) delete node[key];
    if (head === '**') removePath(node[key], path, when);
  }
}
