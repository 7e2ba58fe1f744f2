// Values as jq sees them: its types, its total order, its errors, indexing and slicing.
import { toJson } from './output.js';
import { isMap, type PlainMap } from './values.js';

/** A jq run-time error: `try` catches it, and it ends the filter otherwise. */
export class JqError {
  constructor(readonly value: unknown) {}
}

export type Vars = ReadonlyMap<string, unknown>;

export function typeOf(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'string') return 'string';
  if (Array.isArray(value)) return 'array';
  return 'object';
}

export function error(message: string): JqError {
  return new JqError(message);
}

export function brief(value: unknown): string {
  const text = toJson(value, 10_000);
  return text.length > 30 ? `${text.slice(0, 27)}...` : text;
}

const ORDER = ['null', 'boolean', 'number', 'string', 'array', 'object'];

/** jq's total order: null < false < true < numbers < strings < arrays < objects (by sorted keys, then values). */
export function compare(a: unknown, b: unknown): number {
  const ta = typeOf(a);
  const tb = typeOf(b);
  if (ta !== tb) return ORDER.indexOf(ta) - ORDER.indexOf(tb);
  switch (ta) {
    case 'null':
      return 0;
    case 'boolean':
    case 'number':
      return Number(a) - Number(b);
    case 'string':
      return (a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0;
    case 'array': {
      const x = a as unknown[];
      const y = b as unknown[];
      for (let i = 0; i < Math.min(x.length, y.length); i++) {
        const c = compare(x[i], y[i]);
        if (c !== 0) return c;
      }
      return x.length - y.length;
    }
  }
  const ka = Object.keys(a as PlainMap).sort();
  const kb = Object.keys(b as PlainMap).sort();
  const keys = compare(ka, kb);
  if (keys !== 0) return keys;
  for (const key of ka) {
    const c = compare((a as PlainMap)[key], (b as PlainMap)[key]);
    if (c !== 0) return c;
  }
  return 0;
}

export function truthy(value: unknown): boolean {
  return value !== null && value !== undefined && value !== false;
}

export function own(map: PlainMap, key: string): unknown {
  return Object.hasOwn(map, key) ? map[key] : null;
}

export function index(target: unknown, key: unknown): unknown {
  if (target === null) return null;
  if (typeof key === 'string' && isMap(target)) return own(target, key);
  if (typeof key === 'number' && Array.isArray(target)) {
    const i = Math.floor(key < 0 ? target.length + key : key);
    return i >= 0 && i < target.length ? (target[i] ?? null) : null;
  }
  if (isMap(key) && Array.isArray(target)) throw error('Cannot index array with object');
  throw error(`Cannot index ${typeOf(target)} with ${typeof key === 'string' ? `"${key}"` : typeOf(key)}`);
}

export function sliceOf(target: unknown, from: unknown, to: unknown): unknown {
  if (target === null) return null;
  if (typeof target !== 'string' && !Array.isArray(target))
    throw error(`Cannot index ${typeOf(target)} with object`);
  const length = target.length;
  const bound = (value: unknown, fallback: number): number => {
    if (value === null) return fallback;
    if (typeof value !== 'number') throw error('Start and end indices of an array slice must be numbers');
    const i = Math.floor(value < 0 ? length + value : value);
    return Math.max(0, Math.min(length, i));
  };
  return target.slice(bound(from, 0), bound(to, length));
}
