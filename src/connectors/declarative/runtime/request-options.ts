// Where a value goes in a request (RequestOption / RequestPath), and the request being assembled.
import { interpolateText } from '../interpolation/interpolate.js';
import { type Component, ComponentError, type Ctx } from './component.js';

export interface RequestParts {
  params: Record<string, string>;
  headers: Record<string, string>;
  /** body_json, built up field by field (nested with field_path) */
  json: Record<string, unknown>;
  /** body_data (form fields) */
  data: Record<string, string>;
  /** a full URL that replaces the requester's (a RequestPath page token) */
  url?: string;
}

export function emptyParts(): RequestParts {
  return { params: {}, headers: {}, json: {}, data: {} };
}

/** Merges `from` into `into`, later sources winning, as the CDK combines request options. */
export function mergeParts(into: RequestParts, from: RequestParts): RequestParts {
  Object.assign(into.params, from.params);
  Object.assign(into.headers, from.headers);
  deepAssign(into.json, from.json);
  Object.assign(into.data, from.data);
  if (from.url !== undefined) into.url = from.url;
  return into;
}

function deepAssign(into: Record<string, unknown>, from: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(from)) {
    const cur = into[k];
    if (
      v &&
      typeof v === 'object' &&
      !Array.isArray(v) &&
      cur &&
      typeof cur === 'object' &&
      !Array.isArray(cur)
    )
      deepAssign(cur as Record<string, unknown>, v as Record<string, unknown>);
    else into[k] = v;
  }
}

/** Text for a query parameter, header or form field: Python's str() of the value. */
export function asText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (v === null || v === undefined) return 'None';
  return typeof v === 'number' ? String(v) : JSON.stringify(v);
}

/** Puts `value` where a RequestOption (or RequestPath) says. */
export function inject(option: Component | undefined, value: unknown, ctx: Ctx, parts: RequestParts): void {
  if (!option || value === undefined || value === null) return;
  if (option.type === 'RequestPath') {
    parts.url = asText(value);
    return;
  }
  const where = option.inject_into as string;
  const vars = ctx.vars();
  const path = Array.isArray(option.field_path)
    ? (option.field_path as string[]).map((p) => interpolateText(p, vars))
    : [interpolateText(String(option.field_name ?? ''), vars)];
  const name = path[0]!;
  switch (where) {
    case 'request_parameter':
      parts.params[name] = asText(value);
      break;
    case 'header':
      parts.headers[name] = asText(value);
      break;
    case 'body_data':
      parts.data[name] = asText(value);
      break;
    case 'body_json': {
      let node = parts.json;
      for (const key of path.slice(0, -1)) {
        if (!node[key] || typeof node[key] !== 'object') node[key] = {};
        node = node[key] as Record<string, unknown>;
      }
      node[path[path.length - 1]!] = value;
      break;
    }
    default:
      throw new ComponentError(option, `inject_into ${JSON.stringify(where)} is not supported`);
  }
}
