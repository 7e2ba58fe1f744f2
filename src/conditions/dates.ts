// Kestra's date conditions read their `date` (a rendered template) and compare it with properties
// given as ISO-8601 text. Java's parsers decide what is accepted; these helpers accept the same shapes.

export interface ZonedDate {
  /** milliseconds since the epoch */
  instant: number;
  /** the calendar date as written, in its own offset (Java's toLocalDate) */
  localDate: string;
  /** milliseconds since midnight UTC of the time as written: how Java compares OffsetTimes */
  utcTimeOfDay: number;
}

const ZONED =
  /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2}(?::\d{2})?)(?:\[[^\]]+\])?$/;
const LOCAL_DATE = /^\d{4}-\d{2}-\d{2}$/;
const OFFSET_TIME = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2}(?::\d{2})?)$/;

function offsetMs(offset: string): number {
  if (offset === 'Z') return 0;
  const sign = offset.startsWith('-') ? -1 : 1;
  const [h, m, s = '0'] = offset.slice(1).split(':');
  return sign * ((Number(h) * 60 + Number(m)) * 60 + Number(s)) * 1000;
}

function timeMs(h: string, m: string, s: string | undefined, fraction: string | undefined): number {
  const millis = Math.floor(Number(`0.${fraction ?? '0'}`) * 1000);
  return ((Number(h) * 60 + Number(m)) * 60 + Number(s ?? 0)) * 1000 + millis;
}

/** Java's ZonedDateTime.parse: a date-time with an offset (and perhaps a zone id after it). */
export function parseZoned(text: string): ZonedDate {
  const m = ZONED.exec(text.trim());
  const day = m ? Date.parse(`${m[1]}T00:00:00Z`) : NaN;
  if (!m || Number.isNaN(day)) throw new Error(`'${text}' is not a date-time with an offset`);
  const local = timeMs(m[2], m[3], m[4], m[5]);
  const utcTimeOfDay = local - offsetMs(m[6]);
  return { instant: day + utcTimeOfDay, localDate: m[1], utcTimeOfDay };
}

/** Java's LocalDate.parse, falling back to the date of a date-time as Kestra's DateUtils does. */
export function parseLocalDate(text: string): string {
  const trimmed = text.trim();
  if (LOCAL_DATE.test(trimmed) && !Number.isNaN(Date.parse(`${trimmed}T00:00:00Z`))) return trimmed;
  return parseZoned(trimmed).localDate;
}

/** Java's OffsetTime.parse, as the milliseconds it is compared with (see ZonedDate.utcTimeOfDay). */
export function parseOffsetTime(text: string): number {
  const m = OFFSET_TIME.exec(text.trim());
  if (!m) throw new Error(`'${text}' is not a time with an offset such as 08:00:00+02:00`);
  return timeMs(m[1], m[2], m[3], m[4]) - offsetMs(m[5]);
}

export const DAYS_OF_WEEK = [
  'MONDAY',
  'TUESDAY',
  'WEDNESDAY',
  'THURSDAY',
  'FRIDAY',
  'SATURDAY',
  'SUNDAY',
] as const;
export type DayOfWeek = (typeof DAYS_OF_WEEK)[number];

/** The ISO day of week of a calendar date 'YYYY-MM-DD'. */
export function dayOfWeek(localDate: string): DayOfWeek {
  const sundayFirst = new Date(`${localDate}T00:00:00Z`).getUTCDay();
  return DAYS_OF_WEEK[(sundayFirst + 6) % 7];
}

/** Whether a value parses, for schemas: a problem message or undefined. */
export function problemOf(parse: (text: string) => unknown, text: string): string | undefined {
  try {
    parse(text);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
