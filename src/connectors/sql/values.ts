// Record values as the text a bulk load (PostgreSQL COPY, MySQL LOAD DATA) puts into a typed column.
// Every value is checked here, before the database sees it: a bad value in a bulk load fails the whole
// batch (PostgreSQL) or is silently mangled into a warning (MySQL's LOCAL loads), so a value the column
// cannot hold becomes NULL and the record's `_airbyte_meta.changes` says so, as Airbyte's typed
// destinations do.
import type { ColumnType } from './column-types.js';
import type { ValueKind } from './json-members.js';

export interface MetaChange {
  field: string;
  change: 'NULLED' | 'TRUNCATED';
  reason: string;
}

export interface DateTimeParts {
  date: string;
  /** `HH:MM:SS`, or undefined for a date alone */
  time?: string;
  /** fractional seconds, up to six digits (microseconds: what both databases keep) */
  fraction: string;
  /** minutes east of UTC; undefined when the text had no offset */
  offset?: number;
}

/** How one database spells what the checks below accept. */
export interface ValueFormats {
  boolean(value: boolean): string;
  timestamptz(parts: DateTimeParts): string;
  timestamp(parts: DateTimeParts): string;
  time(parts: DateTimeParts): string;
  timetz(parts: DateTimeParts): string;
  /** the number's text as the column takes it, or undefined when it is out of the column's range */
  number(text: string): string | undefined;
  /** PostgreSQL text and jsonb cannot hold U+0000; MySQL can */
  stripsNul: boolean;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const INTEGER_TEXT = /^-?\d+$/;
const MAX_SURE_INTEGER_CHARS = 18;
const NUMBER_TEXT = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;
const TIME = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;
const NUL_ESCAPE = /(?<!\\)((?:\\\\)*)\\u0000/g;

const typecast = (field: string): MetaChange => ({
  field,
  change: 'NULLED',
  reason: 'DESTINATION_TYPECAST_ERROR',
});

/** The text for one value (null for SQL NULL), recording in `changes` what had to be altered. */
export function columnText(
  type: ColumnType,
  value: unknown,
  field: string,
  formats: ValueFormats,
  changes: MetaChange[],
): string | null {
  if (value === null || value === undefined) return null;
  const text = convert(type, value, formats);
  if (text === undefined) {
    changes.push(typecast(field));
    return null;
  }
  return storable(type, text, field, formats, changes);
}

/** The text for one value given as its JSON text, of the kind json-members.ts found: what columnText
 * gives for the parsed value, but that a number keeps its digits (a double would round them) and a
 * JSON column takes the text as it is. */
export function jsonValueText(
  type: ColumnType,
  kind: ValueKind,
  json: string,
  field: string,
  formats: ValueFormats,
  changes: MetaChange[],
): string | null {
  switch (kind) {
    case 'null':
      return null;
    case 'string':
      return type === 'json'
        ? storable(type, json, field, formats, changes)
        : columnText(type, json.slice(1, -1), field, formats, changes);
    case 'number':
      if (type === 'json') return json;
      if (type === 'number' || (type === 'integer' && INTEGER_TEXT.test(json))) {
        return columnText(type, json, field, formats, changes);
      }
      return columnText(type, Number(json), field, formats, changes);
    case 'true':
    case 'false':
      return columnText(type, kind === 'true', field, formats, changes);
    default:
      return type === 'json'
        ? storable(type, json, field, formats, changes)
        : columnText(type, JSON.parse(json), field, formats, changes);
  }
}

/** The text without what the database cannot hold (NUL), the change recorded. */
function storable(
  type: ColumnType,
  text: string,
  field: string,
  formats: ValueFormats,
  changes: MetaChange[],
): string {
  if (formats.stripsNul && text.includes(type === 'json' ? '\\u0000' : '\u0000')) {
    changes.push({ field, change: 'TRUNCATED', reason: 'DESTINATION_SERIALIZATION_ERROR' });
    return type === 'json' ? text.replace(NUL_ESCAPE, '$1') : text.replaceAll('\u0000', '');
  }
  return text;
}

function convert(type: ColumnType, value: unknown, formats: ValueFormats): string | undefined {
  switch (type) {
    case 'string':
      if (typeof value === 'string') return value;
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
    case 'json':
      return JSON.stringify(value);
    case 'integer':
      return integerText(value);
    case 'number':
      return numberText(value, formats);
    case 'boolean':
      return typeof value === 'boolean' ? formats.boolean(value) : undefined;
    case 'date': {
      const parts = typeof value === 'string' ? dateTimeParts(value) : undefined;
      return parts && parts.time === undefined && parts.offset === undefined ? parts.date : undefined;
    }
    case 'timestamp':
    case 'timestamptz': {
      const parts = typeof value === 'string' ? dateTimeParts(value) : undefined;
      if (!parts) return undefined;
      parts.time ??= '00:00:00';
      return formats[type](parts);
    }
    case 'time':
    case 'timetz': {
      const parts = typeof value === 'string' ? timeParts(value) : undefined;
      return parts && formats[type](parts);
    }
  }
}

function integerText(value: unknown): string | undefined {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) return undefined;
    if (Number.isSafeInteger(value)) return String(value);
    text = BigInt(value).toString();
  } else if (typeof value === 'string' && INTEGER_TEXT.test(value)) {
    // 18 digits always fit in 64 bits
    if (value.length <= MAX_SURE_INTEGER_CHARS) return value;
    text = value;
  } else {
    return undefined;
  }
  const big = BigInt(text);
  return big >= INT64_MIN && big <= INT64_MAX ? big.toString() : undefined;
}

function numberText(value: unknown, formats: ValueFormats): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? formats.number(String(value)) : undefined;
  if (typeof value === 'string' && NUMBER_TEXT.test(value)) return formats.number(value);
  return undefined;
}

/** A number's text without exponent: `1.5e-7` → `0.00000015`, `1e+21` → `1000000000000000000000`. */
export function plainDecimal(text: string): string {
  const match = /^(-?)(\d+)(?:\.(\d+))?[eE]([+-]?\d+)$/.exec(text);
  if (!match) return text;
  const [, sign, whole, fraction = '', exponentText] = match;
  const digits = whole + fraction;
  const point = whole.length + Number(exponentText);
  const body =
    point <= 0
      ? `0.${'0'.repeat(-point)}${digits}`
      : point >= digits.length
        ? digits + '0'.repeat(point - digits.length)
        : `${digits.slice(0, point)}.${digits.slice(point)}`;
  const trimmed = body
    .replace(/^0+(?=\d)/, '')
    .replace(/(\.\d*?)0+$/, '$1')
    .replace(/\.$/, '');
  return `${sign}${trimmed}`;
}

/** by offset text: a column's values mostly share a handful of offsets */
const offsetCache = new Map<string, number>();

function offsetMinutes(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  let minutes = offsetCache.get(text);
  if (minutes === undefined) {
    minutes = parseOffset(text);
    offsetCache.set(text, minutes);
  }
  return minutes;
}

function parseOffset(text: string): number {
  if (text === 'Z' || text === 'z') return 0;
  const sign = text.startsWith('-') ? -1 : 1;
  const digits = text.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2) || '0');
  if (hours > 15 || minutes > 59) return Number.NaN;
  return sign * (hours * 60 + minutes);
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function validDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]);
}

function validTime(h: string, m: string, s: string): boolean {
  return Number(h) <= 23 && Number(m) <= 59 && Number(s) <= 59;
}

export function dateTimeParts(text: string): DateTimeParts | undefined {
  return isoParts(text) ?? patternParts(text);
}

const DIGIT_POSITIONS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];
const ZERO = 0x30;
const digitAt = (text: string, at: number) => text.charCodeAt(at) - ZERO;
const twoDigits = (text: string, at: number) => digitAt(text, at) * 10 + digitAt(text, at + 1);

/** The common shape, `YYYY-MM-DDTHH:MM:SS[.fraction][Z|±HH:MM]`, read without a regular expression
 * (whose captures cost more than the rest of a value's conversion). Undefined for any other text:
 * patternParts decides about it. */
function isoParts(text: string): DateTimeParts | undefined {
  if (text.length < 19 || text[4] !== '-' || text[7] !== '-' || text[13] !== ':' || text[16] !== ':') {
    return undefined;
  }
  if (text[10] !== 'T' && text[10] !== 't' && text[10] !== ' ') return undefined;
  for (const at of DIGIT_POSITIONS) {
    const digit = digitAt(text, at);
    if (digit < 0 || digit > 9) return undefined;
  }
  const year = twoDigits(text, 0) * 100 + twoDigits(text, 2);
  if (!validDate(year, twoDigits(text, 5), twoDigits(text, 8))) return undefined;
  if (twoDigits(text, 11) > 23 || twoDigits(text, 14) > 59 || twoDigits(text, 17) > 59) return undefined;
  let at = 19;
  let fraction = '';
  if (text[at] === '.') {
    const start = ++at;
    while (at < text.length && digitAt(text, at) >= 0 && digitAt(text, at) <= 9) at++;
    if (at === start) return undefined;
    fraction = text.slice(start, Math.min(at, start + 6));
  }
  let offset: number | undefined;
  if (at < text.length) {
    const zone = text.slice(at);
    if (zone !== 'Z' && zone !== 'z' && !ZONE.test(zone)) return undefined;
    offset = offsetMinutes(zone);
    if (Number.isNaN(offset)) return undefined;
  }
  return { date: text.slice(0, 10), time: text.slice(11, 19), fraction, offset };
}

const ZONE = /^[+-]\d{2}:\d{2}$/;

function patternParts(text: string): DateTimeParts | undefined {
  const match = DATE_TIME.exec(text);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second = '00', fraction = '', zone] = match;
  if (!validDate(Number(year), Number(month), Number(day))) return undefined;
  if (hour !== undefined && !validTime(hour, minute, second)) return undefined;
  const offset = offsetMinutes(zone);
  if (Number.isNaN(offset)) return undefined;
  return {
    // the pattern holds the date as YYYY-MM-DD, and a time with its seconds as HH:MM:SS
    date: text.slice(0, 10),
    time:
      hour === undefined
        ? undefined
        : match[6] === undefined
          ? `${hour}:${minute}:${second}`
          : text.slice(11, 19),
    fraction: fraction.slice(0, 6),
    offset,
  };
}

function timeParts(text: string): DateTimeParts | undefined {
  const match = TIME.exec(text);
  if (!match) return undefined;
  const [, hour, minute, second = '00', fraction = '', zone] = match;
  const offset = offsetMinutes(zone);
  if (!validTime(hour, minute, second) || Number.isNaN(offset)) return undefined;
  return { date: '', time: `${hour}:${minute}:${second}`, fraction: fraction.slice(0, 6), offset };
}

const offsetTexts = new Map<number, string>();

/** `+HH:MM` for an offset in minutes. */
export function offsetText(minutes: number): string {
  let text = offsetTexts.get(minutes);
  if (text === undefined) {
    text = formatOffset(minutes);
    offsetTexts.set(minutes, text);
  }
  return text;
}

function formatOffset(minutes: number): string {
  const abs = Math.abs(minutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${minutes < 0 ? '-' : '+'}${hh}:${mm}`;
}

/** The parts moved to UTC (date and time), for databases without a timestamp-with-zone type. */
export function utcParts(parts: DateTimeParts): DateTimeParts {
  if (!parts.offset || parts.time === undefined) return parts;
  const [year, month, day] = parts.date.split('-').map(Number);
  const [hour, minute, second] = parts.time.split(':').map(Number);
  const at = new Date(0);
  at.setUTCFullYear(year, month - 1, day);
  at.setUTCHours(hour, minute - parts.offset, second, 0);
  const iso = at.toISOString();
  const date = at.getUTCFullYear() < 0 || at.getUTCFullYear() > 9999 ? parts.date : iso.slice(0, 10);
  return { date, time: iso.slice(11, 19), fraction: parts.fraction, offset: 0 };
}

// ------------------------------------------------------------------------------- bulk-load lines

const NEEDS_ESCAPE = /[\\\n\r\t\0]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\0': '\\0' };

/** One field in the tab-separated text format that COPY … FROM STDIN and LOAD DATA share: backslash
 * escapes for backslash, tab, newline, carriage return and NUL, and `\N` for NULL. */
export function bulkField(text: string | null): string {
  if (text === null) return '\\N';
  return NEEDS_ESCAPE.test(text) ? text.replace(/[\\\n\r\t\0]/g, (c) => ESCAPES[c]) : text;
}
