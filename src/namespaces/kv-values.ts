// The typed values of Kestra's KV store. A value is kept as JSON plus its type: DATETIME, DATE and
// DURATION travel as their ISO-8601 text, so every value reads back exactly as it was written.
import { canonicalDuration } from '../flow/duration.js';

export const KV_TYPES = ['STRING', 'NUMBER', 'BOOLEAN', 'DATETIME', 'DATE', 'DURATION', 'JSON'] as const;
export type KvType = (typeof KV_TYPES)[number];

export interface TypedValue {
  type: KvType;
  value: unknown;
}

/** Kestra's key rule (KVStore.validateKey). */
const KEY = /^[a-zA-Z0-9][a-zA-Z0-9._-]*$/;
const MAX_KEY_LENGTH = 512;

export class KvValueError extends Error {}

export function checkKey(key: string): string {
  if (key === '') throw new KvValueError('Key cannot be null or empty');
  if (!KEY.test(key) || key.length > MAX_KEY_LENGTH) {
    throw new KvValueError(
      `Invalid key ${JSON.stringify(key.slice(0, 100))}: a key starts with a letter or a digit and holds only letters, digits, dots (.), underscores (_) and hyphens (-)` +
        (key.length > MAX_KEY_LENGTH ? `, at most ${MAX_KEY_LENGTH} characters` : ''),
    );
  }
  return key;
}

// Kestra reads any stored text of this shape back as a Duration (InternalKVStore.DURATION_PATTERN).
const KESTRA_DURATION = /^P(?=[^T]|T.)(?:\d*D)?(?:T(?=.)(?:\d*H)?(?:\d*M)?(?:\d*S)?)?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

/** The type of a value as Kestra's KVType.from sees it, when nothing names one. */
export function typeOf(value: unknown): KvType {
  if (value === null || value === undefined) return 'STRING';
  if (typeof value === 'string') return KESTRA_DURATION.test(value) ? 'DURATION' : 'STRING';
  if (typeof value === 'number') return 'NUMBER';
  if (typeof value === 'boolean') return 'BOOLEAN';
  return 'JSON';
}

function isoDate(text: string): string | undefined {
  const match = DATE.exec(text);
  if (!match) return undefined;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text) ? text : undefined;
}

function isoInstant(text: string): string | undefined {
  if (!DATETIME.test(text)) return undefined;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** A value of the given type, from what a flow wrote (kv.Set's `kvType`): a text is converted, a
 * value of the right kind already is kept; anything else is refused naming what was expected. */
export function typed(value: unknown, type: KvType): TypedValue {
  const fail = (expected: string): never => {
    throw new KvValueError(
      `a ${type} value must be ${expected}, got ${JSON.stringify(value)?.slice(0, 100)}`,
    );
  };
  const text = typeof value === 'string' ? value.trim() : undefined;
  switch (type) {
    case 'STRING':
      return { type, value: typeof value === 'string' ? value : JSON.stringify(value) };
    case 'NUMBER': {
      if (typeof value === 'number' && Number.isFinite(value)) return { type, value };
      const n = text !== undefined && text !== '' ? Number(text) : Number.NaN;
      return Number.isFinite(n) ? { type, value: n } : fail('a number');
    }
    case 'BOOLEAN':
      // Java's Boolean.parseBoolean: "true" in any case is true, any other text false
      if (typeof value === 'boolean') return { type, value };
      return text !== undefined ? { type, value: text.toLowerCase() === 'true' } : fail('true or false');
    case 'DATETIME': {
      const instant = text !== undefined ? (isoInstant(text) ?? isoInstant(`${text}T00:00:00Z`)) : undefined;
      return instant !== undefined ? { type, value: instant } : fail('an ISO-8601 date-time');
    }
    case 'DATE': {
      const date = text !== undefined ? (isoDate(text) ?? isoInstant(text)?.slice(0, 10)) : undefined;
      return date !== undefined ? { type, value: date } : fail('an ISO-8601 date (YYYY-MM-DD)');
    }
    case 'DURATION':
      try {
        return { type, value: canonicalDuration(String(text)) };
      } catch {
        return fail('an ISO-8601 duration such as PT5M');
      }
    case 'JSON':
      if (text === undefined) return { type, value };
      try {
        return { type, value: JSON.parse(text) };
      } catch {
        return fail('JSON');
      }
  }
}

/** A value as the API takes it (Kestra reads the body as Ion, of which JSON is a part): JSON gives
 * its own type; an unquoted ISO date or date-time gives DATE or DATETIME; any other bare text is a
 * STRING, as Ion reads a symbol. */
export function parseBody(body: string): TypedValue {
  const text = body.trim();
  if (text === '')
    throw new KvValueError('the value is empty: send JSON (a quoted string, a number, true, {…}) or text');
  try {
    const value: unknown = JSON.parse(text);
    return { type: typeOf(value), value };
  } catch {
    const date = isoDate(text);
    if (date !== undefined) return { type: 'DATE', value: date };
    const instant = isoInstant(text);
    if (instant !== undefined) return { type: 'DATETIME', value: instant };
    if (/^[[{"]/.test(text)) throw new KvValueError(`Invalid JSON value for: ${text.slice(0, 100)}`);
    return { type: typeOf(text), value: text };
  }
}
