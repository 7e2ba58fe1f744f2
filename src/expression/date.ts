import {
  dayOfWeek,
  dayOfYear,
  daysInMonth,
  type LocalDateTime,
  localFromSeconds,
  localSeconds,
} from './calendar.js';
import { formatPattern, type ParsedFields, parsePattern, type ZonedFields } from './date-format.js';
import { Fault } from './errors.js';
import { describe } from './values.js';
import { type Zone, zoneOf } from './time-zone.js';

/** A point in time with nanosecond precision, because Kestra dates carry microseconds. */
export interface Instant {
  seconds: number;
  nano: number;
}

const MAX_DATE_TEXT = 100;

/** JS dates only span ±8.64e15 ms; refusing beyond keeps every later Date/Intl call valid. */
const MAX_SECONDS = 8.64e12;

function checked(instant: Instant): Instant {
  if (!(Math.abs(instant.seconds) <= MAX_SECONDS)) throw new Fault('date out of range');
  return instant;
}

export function instantOfDate(date: Date): Instant {
  const ms = date.getTime();
  if (Number.isNaN(ms)) throw new Fault('invalid date');
  const seconds = Math.floor(ms / 1000);
  return { seconds, nano: (ms - seconds * 1000) * 1e6 };
}

function zoned(instant: Instant, zone: Zone): ZonedFields {
  const offset = zone.offsetAt(instant.seconds);
  const local = localFromSeconds(instant.seconds + offset, instant.nano);
  return {
    ...local,
    offset,
    zoneId: zone.id,
    zoneName: (style) => zone.name(instant.seconds, style),
    dayOfWeek: dayOfWeek(local.year, local.month, local.day),
    dayOfYear: dayOfYear(local.year, local.month, local.day),
  };
}

/**
 * The instant of a wall-clock time in a zone, resolved as java.time does: in an overlap the preferred (or
 * earlier) offset wins, a time inside a gap moves forward by the gap's length.
 */
function fromLocal(local: LocalDateTime, zone: Zone, preferredOffset?: number): Instant {
  const wall = localSeconds(local);
  const before = zone.offsetAt(wall - 86400);
  const after = zone.offsetAt(wall + 86400);
  const valid = [before, after].filter((offset) => zone.offsetAt(wall - offset) === offset);
  let offset: number;
  if (valid.length === 0) offset = before;
  else if (preferredOffset !== undefined && valid.includes(preferredOffset)) offset = preferredOffset;
  else offset = Math.max(...valid);
  return checked({ seconds: wall - offset, nano: local.nano });
}

const ISO =
  /^([+-]?\d{4,6})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?(Z|[+-]\d{2}(?::?\d{2}(?::?\d{2})?)?)?(?:\[([^\]]+)\])?$/i;

function validate(fields: LocalDateTime): void {
  const ok =
    fields.month >= 1 &&
    fields.month <= 12 &&
    fields.day >= 1 &&
    fields.day <= daysInMonth(fields.year, fields.month) &&
    fields.hour <= 23 &&
    fields.minute <= 59 &&
    fields.second <= 59;
  if (!ok) throw new Fault('invalid date: a field is out of range');
}

function resolve(fields: ParsedFields, zone: Zone): Instant {
  validate(fields);
  if (fields.offset !== undefined)
    return checked({ seconds: localSeconds(fields) - fields.offset, nano: fields.nano });
  return fromLocal(fields, fields.zoneId ? zoneOf(fields.zoneId) : zone);
}

function parseIso(value: string): ParsedFields | null {
  const match = ISO.exec(value.trim());
  if (!match) return null;
  const [, year, month, day, hour, minute, second, fraction, offset, zoneId] = match;
  const fields: ParsedFields = {
    year: Number(year),
    month: Number(month),
    day: Number(day),
    hour: Number(hour ?? 0),
    minute: Number(minute ?? 0),
    second: Number(second ?? 0),
    nano: fraction ? Number(fraction.padEnd(9, '0')) : 0,
  };
  if (offset) {
    const sign = offset.startsWith('-') ? -1 : 1;
    const digits = offset.replace(/[^0-9]/g, '');
    fields.offset =
      offset.toUpperCase() === 'Z'
        ? 0
        : sign *
          (Number(digits.slice(0, 2)) * 3600 +
            Number(digits.slice(2, 4) || 0) * 60 +
            Number(digits.slice(4, 6) || 0));
  }
  if (zoneId) fields.zoneId = zoneId;
  return fields;
}

/**
 * Turns a filter's input into an instant: a Date, epoch seconds (as Kestra reads a number), or a string in
 * ISO-8601 or in `existingFormat`. Times without an offset are read in `zone`.
 */
export function toInstant(
  input: unknown,
  zone: Zone,
  existingFormat: string | undefined,
  owner: string,
): Instant {
  if (input instanceof Date) return instantOfDate(input);
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) throw new Fault(`${owner} cannot read ${input} as epoch seconds`);
    const seconds = Math.floor(input);
    return checked({ seconds, nano: Math.round((input - seconds) * 1e9) });
  }
  if (typeof input !== 'string') throw new Fault(`${owner} expects a date, got ${describe(input)}`);
  // Dates are short; a cap keeps the regexes built from user patterns from backtracking over megabytes.
  if (input.length > MAX_DATE_TEXT)
    throw new Fault(`${owner} expects a date, got a string of ${input.length} characters`);
  const fields = existingFormat ? parsePattern(input, existingFormat) : parseIso(input);
  if (!fields) {
    const how = existingFormat ? `with the format '${existingFormat}'` : 'as an ISO-8601 date';
    throw new Fault(`${owner} cannot parse '${preview(input)}' ${how}`);
  }
  return resolve(fields, zone);
}

function preview(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

const TIME_UNITS = new Map<string, number>([
  ['NANOS', 1e-9],
  ['MICROS', 1e-6],
  ['MILLIS', 1e-3],
  ['SECONDS', 1],
  ['MINUTES', 60],
  ['HOURS', 3600],
  ['HALF_DAYS', 43200],
]);

const DATE_UNITS = new Map<string, [days: number, months: number]>([
  ['DAYS', [1, 0]],
  ['WEEKS', [7, 0]],
  ['MONTHS', [0, 1]],
  ['YEARS', [0, 12]],
  ['DECADES', [0, 120]],
  ['CENTURIES', [0, 1200]],
  ['MILLENNIA', [0, 12000]],
]);

/** java.time's ZonedDateTime.plus: time units move the instant, date units move the wall clock. */
export function plus(instant: Instant, amount: number, unit: string, zone: Zone): Instant {
  const key = unit.toUpperCase();
  const seconds = TIME_UNITS.get(key);
  if (seconds !== undefined) {
    if (seconds >= 1) return checked({ seconds: instant.seconds + amount * seconds, nano: instant.nano });
    const nanos = instant.nano + Math.round(amount * seconds * 1e9);
    const carry = Math.floor(nanos / 1e9);
    return checked({ seconds: instant.seconds + carry, nano: nanos - carry * 1e9 });
  }
  const dateUnit = DATE_UNITS.get(key);
  if (!dateUnit) {
    const units = [...TIME_UNITS.keys(), ...DATE_UNITS.keys()].join(', ');
    throw new Fault(`unknown time unit '${unit}' (expected one of ${units})`);
  }
  const current = zoned(instant, zone);
  const [days, months] = dateUnit;
  const local: LocalDateTime = { ...current };
  if (months) {
    const total = local.year * 12 + (local.month - 1) + amount * months;
    local.year = Math.floor(total / 12);
    local.month = total - local.year * 12 + 1;
    local.day = Math.min(local.day, daysInMonth(local.year, local.month));
  }
  if (days) {
    const shifted = localFromSeconds(localSeconds(local) + amount * days * 86400, local.nano);
    return fromLocal(shifted, zone, current.offset);
  }
  return fromLocal(local, zone, current.offset);
}

function fraction(nano: number, groupsOfThree: boolean): string {
  if (nano === 0) return '';
  let digits = String(nano).padStart(9, '0');
  if (groupsOfThree)
    digits = digits.endsWith('000000')
      ? digits.slice(0, 3)
      : digits.endsWith('000')
        ? digits.slice(0, 6)
        : digits;
  else digits = digits.replace(/0+$/, '');
  return `.${digits}`;
}

const localDate = (z: ZonedFields): string => formatPattern('yyyy-MM-dd', z);
const localTime = (z: ZonedFields): string => formatPattern('HH:mm:ss', z) + fraction(z.nano, false);
const offsetId = (z: ZonedFields): string => formatPattern('XXX', z);

/** Kestra's named formats; the ISO_* ones print fractions only when present, like java.time. */
const NAMED = new Map<string, (z: ZonedFields) => string>([
  ['iso', (z) => formatPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX", z)],
  ['iso_sec', (z) => formatPattern("yyyy-MM-dd'T'HH:mm:ssXXX", z)],
  ['sql', (z) => formatPattern('yyyy-MM-dd HH:mm:ss.SSSSSS', z)],
  ['sql_seq', (z) => formatPattern('yyyy-MM-dd HH:mm:ss', z)],
  ['iso_local_date', localDate],
  ['iso_local_time', localTime],
  ['iso_local_date_time', (z) => `${localDate(z)}T${localTime(z)}`],
  ['iso_date', (z) => localDate(z) + offsetId(z)],
  ['iso_time', (z) => localTime(z) + offsetId(z)],
  ['iso_offset_time', (z) => localTime(z) + offsetId(z)],
  ['iso_offset_date_time', (z) => `${localDate(z)}T${localTime(z)}${offsetId(z)}`],
  ['iso_ordinal_date', (z) => formatPattern('yyyy-DDDXXX', z)],
  [
    'rfc_1123_date_time',
    (z) => formatPattern('EEE, d MMM yyyy HH:mm:ss ', z) + (z.offset === 0 ? 'GMT' : formatPattern('Z', z)),
  ],
]);

export function formatDate(instant: Instant, format: string, zone: Zone): string {
  const fields = zoned(instant, zone);
  const named = NAMED.get(format);
  if (named) return named(fields);
  if (format === 'iso_date_time' || format === 'iso_zoned_date_time') {
    const text = `${localDate(fields)}T${localTime(fields)}${offsetId(fields)}`;
    return zone.region ? `${text}[${zone.id}]` : text;
  }
  if (format === 'iso_instant') {
    const utc = zoned(instant, zoneOf('UTC'));
    return `${localDate(utc)}T${formatPattern('HH:mm:ss', utc)}${fraction(instant.nano, true)}Z`;
  }
  return formatPattern(format, fields);
}
