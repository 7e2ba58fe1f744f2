import type { LocalDateTime } from './calendar.js';
import { Fault } from './errors.js';

/** A wall-clock time with the offset and zone it was read in: what a pattern prints. */
export interface ZonedFields extends LocalDateTime {
  offset: number;
  zoneId: string;
  zoneName: (style: 'short' | 'long') => string;
  dayOfWeek: number;
  dayOfYear: number;
}

/** What a pattern reads back; absent fields take Java's defaults for a missing part (start of the unit). */
export interface ParsedFields extends LocalDateTime {
  offset?: number;
  zoneId?: string;
}

type Piece = { kind: 'literal'; text: string } | { kind: 'field'; letter: string; count: number };

/** English month and day names (Monday first), as Java's and Python's formatting print them. */
export const MONTHS: readonly string[] = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
export const DAYS: readonly string[] = [
  'Monday',
  'Tuesday',
  'Wednesday',
  'Thursday',
  'Friday',
  'Saturday',
  'Sunday',
];

const SUPPORTED = 'GuyMLdDEaHkKhmsSnAVzOXxZQq';
const MAX_CACHED = 256;
const compiled = new Map<string, Piece[]>();

/** Splits a java.time DateTimeFormatter pattern into literals and letter runs. */
function compilePattern(pattern: string): Piece[] {
  const cached = compiled.get(pattern);
  if (cached) return cached;
  const pieces: Piece[] = [];
  const literal = (text: string): void => {
    const last = pieces[pieces.length - 1];
    if (last?.kind === 'literal') last.text += text;
    else pieces.push({ kind: 'literal', text });
  };
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i];
    if (c === "'") {
      if (pattern[i + 1] === "'") {
        literal("'");
        i += 2;
        continue;
      }
      let j = i + 1;
      let text = '';
      for (;;) {
        if (j >= pattern.length) throw new Fault(`unterminated quote in date format '${pattern}'`);
        if (pattern[j] === "'") {
          if (pattern[j + 1] === "'") {
            text += "'";
            j += 2;
            continue;
          }
          break;
        }
        text += pattern[j++];
      }
      literal(text);
      i = j + 1;
      continue;
    }
    if (/[A-Za-z]/.test(c)) {
      let j = i;
      while (pattern[j] === c) j++;
      if (!SUPPORTED.includes(c)) {
        const hint =
          c === 'Y' || c === 'w' ? ' (week-based fields are not supported; use y for the year)' : '';
        throw new Fault(`date format letter '${c}' is not supported${hint}`);
      }
      pieces.push({ kind: 'field', letter: c, count: j - i });
      i = j;
      continue;
    }
    // Optional sections only matter when a field may be absent, which never happens when formatting.
    if (c !== '[' && c !== ']') literal(c);
    i++;
  }
  if (compiled.size >= MAX_CACHED) compiled.clear();
  compiled.set(pattern, pieces);
  return pieces;
}

function pad(value: number, width: number): string {
  const text = String(Math.abs(value));
  const padded = text.length >= width ? text : '0'.repeat(width - text.length) + text;
  return value < 0 ? `-${padded}` : padded;
}

function offsetText(offset: number, colon: boolean, withSeconds: boolean, hoursOnly: boolean): string {
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const h = Math.floor(abs / 3600);
  const m = Math.floor((abs % 3600) / 60);
  const s = abs % 60;
  const sep = colon ? ':' : '';
  if (hoursOnly && m === 0) return `${sign}${pad(h, 2)}`;
  let text = `${sign}${pad(h, 2)}${sep}${pad(m, 2)}`;
  if (withSeconds && s !== 0) text += `${sep}${pad(s, 2)}`;
  return text;
}

function formatOffset(letter: string, count: number, offset: number): string {
  switch (letter) {
    case 'X':
    case 'x': {
      if (letter === 'X' && offset === 0) return 'Z';
      if (count === 1) return offsetText(offset, false, false, true);
      return offsetText(offset, count === 3 || count === 5, count >= 4, false);
    }
    case 'Z':
      if (count <= 3) return offsetText(offset, false, false, false);
      if (count === 4) return offset === 0 ? 'GMT' : `GMT${offsetText(offset, true, true, false)}`;
      return offset === 0 ? 'Z' : offsetText(offset, true, true, false);
    default: {
      if (offset === 0) return 'GMT';
      if (count >= 4) return `GMT${offsetText(offset, true, true, false)}`;
      const sign = offset < 0 ? '-' : '+';
      const abs = Math.abs(offset);
      const m = Math.floor((abs % 3600) / 60);
      return `GMT${sign}${Math.floor(abs / 3600)}${m ? `:${pad(m, 2)}` : ''}`;
    }
  }
}

function text(full: string, count: number): string {
  if (count === 4) return full;
  if (count === 5) return full[0];
  return full.slice(0, 3);
}

function formatField(letter: string, count: number, z: ZonedFields): string {
  switch (letter) {
    case 'G':
      return count === 4 ? (z.year > 0 ? 'Anno Domini' : 'Before Christ') : z.year > 0 ? 'AD' : 'BC';
    case 'u':
    case 'y': {
      const year = letter === 'y' && z.year <= 0 ? 1 - z.year : z.year;
      return count === 2 ? pad(((year % 100) + 100) % 100, 2) : pad(year, count);
    }
    case 'M':
    case 'L':
      return count >= 3 ? text(MONTHS[z.month - 1], count) : pad(z.month, count);
    case 'd':
      return pad(z.day, count);
    case 'D':
      return pad(z.dayOfYear, count);
    case 'E':
      return text(DAYS[z.dayOfWeek - 1], count);
    case 'a':
      return z.hour < 12 ? 'AM' : 'PM';
    case 'H':
      return pad(z.hour, count);
    case 'k':
      return pad(z.hour === 0 ? 24 : z.hour, count);
    case 'K':
      return pad(z.hour % 12, count);
    case 'h':
      return pad(z.hour % 12 === 0 ? 12 : z.hour % 12, count);
    case 'm':
      return pad(z.minute, count);
    case 's':
      return pad(z.second, count);
    case 'S':
      return pad(z.nano, 9).slice(0, Math.min(count, 9)).padEnd(count, '0');
    case 'n':
      return pad(z.nano, count);
    case 'A':
      return pad((z.hour * 3600 + z.minute * 60 + z.second) * 1000 + Math.floor(z.nano / 1e6), count);
    case 'Q':
    case 'q': {
      const quarter = Math.ceil(z.month / 3);
      if (count <= 2) return pad(quarter, count);
      return count === 3 ? `Q${quarter}` : `${['1st', '2nd', '3rd', '4th'][quarter - 1]} quarter`;
    }
    case 'V':
      return z.zoneId;
    case 'z':
      return z.zoneName(count >= 4 ? 'long' : 'short');
    default:
      return formatOffset(letter, count, z.offset);
  }
}

export function formatPattern(pattern: string, fields: ZonedFields): string {
  let out = '';
  for (const piece of compilePattern(pattern)) {
    out += piece.kind === 'literal' ? piece.text : formatField(piece.letter, piece.count, fields);
  }
  return out;
}

// ---- parsing with a pattern (the `existingFormat` argument)

type Target =
  'year' | 'month' | 'day' | 'hour' | 'hour12' | 'minute' | 'second' | 'nano' | 'offset' | 'zoneId' | 'pm';
type Value = number | string | boolean;
/** The regex group of one pattern field, where its value goes, and how the matched text becomes it. */
type Reading = [source: string, target: Target | null, convert: (text: string) => Value];

const OFFSET_SOURCE = 'Z|[+-]\\d{2}(?::?\\d{2}(?::?\\d{2})?)?';

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function nameIndex(names: readonly string[], value: string): number {
  const lower = value.toLowerCase();
  return (
    names.findIndex((name) => name.toLowerCase() === lower || name.slice(0, 3).toLowerCase() === lower) + 1
  );
}

function parseOffset(value: string): number {
  if (value === 'Z' || value === 'GMT') return 0;
  const match = /^(?:GMT)?([+-])(\d{1,2}):?(\d{2})?:?(\d{2})?$/.exec(value);
  if (!match) return 0;
  const total = Number(match[2]) * 3600 + Number(match[3] ?? 0) * 60 + Number(match[4] ?? 0);
  return match[1] === '-' ? -total : total;
}

function fieldParser(letter: string, count: number): Reading {
  const digits = (min: number, max: number): string => `(\\d{${min},${max}})`;
  const oneOrTwo = count === 1 ? digits(1, 2) : digits(2, 2);
  switch (letter) {
    case 'u':
    case 'y':
      if (count === 2) return [digits(2, 2), 'year', (v) => 2000 + Number(v)];
      return [count >= 4 ? '([+-]?\\d{4,9})' : '([+-]?\\d{1,9})', 'year', Number];
    case 'M':
    case 'L':
      if (count >= 3) {
        const names = count === 3 ? MONTHS.map((m) => m.slice(0, 3)) : MONTHS;
        return [`(${names.join('|')})`, 'month', (v) => nameIndex(MONTHS, v)];
      }
      return [oneOrTwo, 'month', Number];
    case 'd':
      return [oneOrTwo, 'day', Number];
    case 'D':
      return [digits(count, 3), null, Number];
    case 'E':
      return [`(${(count >= 4 ? DAYS : DAYS.map((d) => d.slice(0, 3))).join('|')})`, null, String];
    case 'a':
      return ['(AM|PM)', 'pm', (v) => v.toUpperCase() === 'PM'];
    case 'H':
    case 'k':
      return [oneOrTwo, 'hour', (v) => Number(v) % 24];
    case 'h':
    case 'K':
      return [oneOrTwo, 'hour12', (v) => Number(v) % 12];
    case 'm':
      return [oneOrTwo, 'minute', Number];
    case 's':
      return [oneOrTwo, 'second', Number];
    case 'S':
      return [digits(count, count), 'nano', (v) => Number(v.slice(0, 9).padEnd(9, '0'))];
    case 'n':
      return [digits(1, 9), 'nano', Number];
    case 'V':
    case 'z':
      return ['([A-Za-z][A-Za-z0-9/_+-]*)', 'zoneId', String];
    case 'X':
    case 'x':
    case 'Z':
      return [`(${OFFSET_SOURCE})`, 'offset', parseOffset];
    case 'O':
      return ['(GMT(?:[+-]\\d{1,2}(?::\\d{2})?)?)', 'offset', parseOffset];
    default:
      throw new Fault(`date format letter '${letter}' cannot be used to parse`);
  }
}

interface Reader {
  regex: RegExp;
  readings: Reading[];
}

const readers = new Map<string, Reader>();

function readerFor(pattern: string): Reader {
  const cached = readers.get(pattern);
  if (cached) return cached;
  let source = '^';
  const readings: Reading[] = [];
  for (const piece of compilePattern(pattern)) {
    if (piece.kind === 'literal') {
      source += escapeRegex(piece.text);
      continue;
    }
    const reading = fieldParser(piece.letter, piece.count);
    source += reading[0];
    readings.push(reading);
  }
  const reader = { regex: new RegExp(`${source}$`, 'i'), readings };
  if (readers.size >= MAX_CACHED) readers.clear();
  readers.set(pattern, reader);
  return reader;
}

/** Reads a date with a java.time pattern; null when the text does not match. */
export function parsePattern(value: string, pattern: string): ParsedFields | null {
  const reader = readerFor(pattern);
  const match = reader.regex.exec(value);
  if (!match) return null;
  const values = new Map<Target, Value>();
  reader.readings.forEach(([, target, convert], index) => {
    if (target) values.set(target, convert(match[index + 1]));
  });
  const number = (target: Target, fallback: number): number => Number(values.get(target) ?? fallback);
  const hour12 = values.has('hour12')
    ? number('hour12', 0) + (values.get('pm') === true ? 12 : 0)
    : undefined;
  const fields: ParsedFields = {
    year: number('year', 1970),
    month: number('month', 1),
    day: number('day', 1),
    hour: hour12 ?? number('hour', 0),
    minute: number('minute', 0),
    second: number('second', 0),
    nano: number('nano', 0),
  };
  if (values.has('offset')) fields.offset = number('offset', 0);
  const zoneId = values.get('zoneId');
  if (typeof zoneId === 'string') fields.zoneId = zoneId;
  return fields;
}
