// Python's datetime, date and timedelta as manifests see them through Jinja: `.strftime()`, arithmetic
// with `duration()`, comparison, and the text `str()` gives them. Times are whole microseconds since
// the epoch (UTC), with the offset the value carries (null: a naive datetime).

import { DAYS, MONTHS } from '../../../expression/date-format.js';

const US_PER_SECOND = 1_000_000;
const US_PER_DAY = 86_400 * US_PER_SECOND;

export class PyTimedelta {
  constructor(readonly micros: number) {}

  toString(): string {
    // Python normalises so that only the days are negative: -1 day, 23:00:00
    const days = Math.floor(this.micros / US_PER_DAY);
    let rest = this.micros - days * US_PER_DAY;
    const micros = rest % US_PER_SECOND;
    rest = (rest - micros) / US_PER_SECOND;
    const clock = `${Math.floor(rest / 3600)}:${pad(Math.floor(rest / 60) % 60, 2)}:${pad(rest % 60, 2)}${
      micros ? `.${pad(micros, 6)}` : ''
    }`;
    return days ? `${days} day${Math.abs(days) === 1 ? '' : 's'}, ${clock}` : clock;
  }

  totalSeconds(): number {
    return this.micros / US_PER_SECOND;
  }
}

/** An ISO 8601 duration with years or months (isodate's Duration): calendar arithmetic only. */
export class PyDuration {
  constructor(
    readonly months: number,
    readonly delta: PyTimedelta,
  ) {}

  toString(): string {
    const years = Math.trunc(this.months / 12);
    const months = this.months % 12;
    return `${years ? `${years} years, ` : ''}${months ? `${months} months, ` : ''}${this.delta}`;
  }
}

export class PyDateTime {
  constructor(
    /** microseconds since 1970-01-01T00:00:00, in the value's own wall time shifted back to UTC */
    readonly micros: number,
    /** minutes east of UTC, null when naive */
    readonly offset: number | null,
  ) {}

  static fromMillis(ms: number, offset: number | null = 0): PyDateTime {
    return new PyDateTime(ms * 1000, offset);
  }

  /** The fields of the wall time (in the value's own offset). */
  fields(): WallTime {
    const local = this.micros + (this.offset ?? 0) * 60 * US_PER_SECOND;
    const micro = ((local % US_PER_SECOND) + US_PER_SECOND) % US_PER_SECOND;
    const d = new Date((local - micro) / 1000);
    return {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hour: d.getUTCHours(),
      minute: d.getUTCMinutes(),
      second: d.getUTCSeconds(),
      micro,
      weekday: (d.getUTCDay() + 6) % 7,
    };
  }

  withOffset(offset: number): PyDateTime {
    return new PyDateTime(this.micros, offset);
  }

  plus(delta: PyTimedelta | PyDuration, sign = 1): PyDateTime {
    if (delta instanceof PyTimedelta) return new PyDateTime(this.micros + sign * delta.micros, this.offset);
    const f = this.fields();
    const months = f.year * 12 + (f.month - 1) + sign * delta.months;
    const year = Math.floor(months / 12);
    const month = (months % 12) + 1;
    const day = Math.min(f.day, daysInMonth(year, month));
    const shifted = fromWallTime({ ...f, year, month, day }, this.offset);
    return shifted.plus(delta.delta, sign);
  }

  /** Seconds since the epoch; a naive value counts as UTC (as the CDK's UTC-only runtime does). */
  timestamp(): number {
    return this.micros / US_PER_SECOND;
  }

  isoformat(sep = 'T'): string {
    const f = this.fields();
    const time = `${pad(f.hour, 2)}:${pad(f.minute, 2)}:${pad(f.second, 2)}${f.micro ? `.${pad(f.micro, 6)}` : ''}`;
    return `${dateText(f)}${sep}${time}${this.offset === null ? '' : offsetText(this.offset, ':')}`;
  }

  toString(): string {
    return this.isoformat(' ');
  }

  date(): PyDate {
    const f = this.fields();
    return new PyDate(f.year, f.month, f.day);
  }
}

export class PyDate {
  constructor(
    readonly year: number,
    readonly month: number,
    readonly day: number,
  ) {}

  toDateTime(): PyDateTime {
    return fromWallTime(
      { year: this.year, month: this.month, day: this.day, hour: 0, minute: 0, second: 0, micro: 0 },
      null,
    );
  }

  plus(delta: PyTimedelta | PyDuration, sign = 1): PyDate {
    return this.toDateTime().plus(delta, sign).date();
  }

  toString(): string {
    return dateText(this);
  }
}

interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  micro: number;
  weekday?: number;
}

export function fromWallTime(w: WallTime, offset: number | null): PyDateTime {
  const ms = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  const utc = new Date(ms);
  // Date.UTC maps years 0-99 to 1900-1999
  if (w.year < 100) utc.setUTCFullYear(w.year);
  return new PyDateTime(utc.getTime() * 1000 + w.micro - (offset ?? 0) * 60 * US_PER_SECOND, offset);
}

export function nowUtc(): PyDateTime {
  return PyDateTime.fromMillis(Date.now(), 0);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

const pad = (n: number, width: number) => String(Math.abs(n)).padStart(width, '0');
const dateText = (f: { year: number; month: number; day: number }) =>
  `${pad(f.year, 4)}-${pad(f.month, 2)}-${pad(f.day, 2)}`;

function offsetText(offset: number, sep: string): string {
  return `${offset < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(offset) / 60), 2)}${sep}${pad(Math.abs(offset) % 60, 2)}`;
}

/** Python's `datetime.strftime` (C locale). */
export function strftime(value: PyDateTime | PyDate, format: string): string {
  const dt = value instanceof PyDate ? value.toDateTime() : value;
  const f = dt.fields();
  const weekday = f.weekday ?? 0;
  const yday = Math.round((Date.UTC(f.year, f.month - 1, f.day) - Date.UTC(f.year, 0, 1)) / 86_400_000) + 1;
  return format.replace(/%([a-zA-Z%])/g, (all, code: string) => {
    switch (code) {
      case 'Y':
        return String(f.year);
      case 'y':
        return pad(f.year % 100, 2);
      case 'm':
        return pad(f.month, 2);
      case 'd':
        return pad(f.day, 2);
      case 'e':
        return String(f.day).padStart(2, ' ');
      case 'H':
        return pad(f.hour, 2);
      case 'I':
        return pad(f.hour % 12 || 12, 2);
      case 'p':
        return f.hour < 12 ? 'AM' : 'PM';
      case 'M':
        return pad(f.minute, 2);
      case 'S':
        return pad(f.second, 2);
      case 'f':
        return pad(f.micro, 6);
      case 'z':
        return dt.offset === null ? '' : offsetText(dt.offset, '');
      case 'Z':
        return dt.offset === null ? '' : dt.offset === 0 ? 'UTC' : `UTC${offsetText(dt.offset, ':')}`;
      case 'j':
        return pad(yday, 3);
      case 'a':
        return DAYS[weekday]!.slice(0, 3);
      case 'A':
        return DAYS[weekday]!;
      case 'w':
        return String((weekday + 1) % 7);
      case 'u':
        return String(weekday + 1);
      case 'b':
      case 'h':
        return MONTHS[f.month - 1]!.slice(0, 3);
      case 'B':
        return MONTHS[f.month - 1]!;
      case 's':
        return String(Math.floor(dt.timestamp()));
      case 'T':
        return `${pad(f.hour, 2)}:${pad(f.minute, 2)}:${pad(f.second, 2)}`;
      case 'D':
        return `${pad(f.month, 2)}/${pad(f.day, 2)}/${pad(f.year % 100, 2)}`;
      case 'F':
        return dateText(f);
      case '%':
        return '%';
      default:
        return all;
    }
  });
}

/** Python's `datetime.strptime`: the whole text must match. Throws on a mismatch, as Python does. */
export function strptime(text: string, format: string): PyDateTime {
  const w: WallTime = { year: 1900, month: 1, day: 1, hour: 0, minute: 0, second: 0, micro: 0 };
  let offset: number | null = null;
  let pm: boolean | undefined;
  let pos = 0;
  const fail = (): never => {
    throw new Error(`time data ${JSON.stringify(text)} does not match format ${JSON.stringify(format)}`);
  };
  const digits = (min: number, max: number): number => {
    const m = new RegExp(`^\\d{${min},${max}}`).exec(text.slice(pos));
    if (!m) fail();
    pos += m![0].length;
    return Number(m![0]);
  };
  for (let i = 0; i < format.length; i++) {
    const ch = format[i]!;
    if (ch !== '%') {
      if (/\s/.test(ch)) {
        while (pos < text.length && /\s/.test(text[pos]!)) pos++;
      } else if (text[pos] === ch) pos++;
      else fail();
      continue;
    }
    const code = format[++i];
    switch (code) {
      case 'Y':
        w.year = digits(4, 4);
        break;
      case 'y': {
        const y = digits(2, 2);
        w.year = y < 69 ? 2000 + y : 1900 + y;
        break;
      }
      case 'm':
        w.month = digits(1, 2);
        break;
      case 'd':
        w.day = digits(1, 2);
        break;
      case 'H':
        w.hour = digits(1, 2);
        break;
      case 'I':
        w.hour = digits(1, 2);
        break;
      case 'M':
        w.minute = digits(1, 2);
        break;
      case 'S':
        w.second = digits(1, 2);
        break;
      case 'f': {
        const start = pos;
        digits(1, 6);
        w.micro = Number(text.slice(start, pos).padEnd(6, '0'));
        break;
      }
      case 'p': {
        const m = /^(AM|PM)/i.exec(text.slice(pos));
        if (!m) fail();
        pm = m![1]!.toUpperCase() === 'PM';
        pos += 2;
        break;
      }
      case 'z': {
        const m = /^(Z|([+-])(\d{2}):?(\d{2})(?::?(\d{2}))?)/.exec(text.slice(pos));
        if (!m) fail();
        pos += m![0].length;
        offset = m![1] === 'Z' ? 0 : (m![2] === '-' ? -1 : 1) * (Number(m![3]) * 60 + Number(m![4]));
        break;
      }
      case 'Z': {
        const m = /^(UTC|GMT|Z)/.exec(text.slice(pos));
        if (!m) fail();
        pos += m![0].length;
        break;
      }
      case 'j': {
        const day = digits(1, 3);
        const d = new Date(Date.UTC(w.year, 0, day));
        w.month = d.getUTCMonth() + 1;
        w.day = d.getUTCDate();
        break;
      }
      case 'b':
      case 'B':
      case 'h': {
        const rest = text.slice(pos).toLowerCase();
        const index = MONTHS.findIndex((m) => rest.startsWith(m.toLowerCase()));
        const short = MONTHS.findIndex((m) => rest.startsWith(m.slice(0, 3).toLowerCase()));
        if (index >= 0 && code === 'B') {
          w.month = index + 1;
          pos += MONTHS[index]!.length;
        } else if (short >= 0) {
          w.month = short + 1;
          pos += 3;
        } else fail();
        break;
      }
      case 'a':
      case 'A': {
        const rest = text.slice(pos).toLowerCase();
        const day = DAYS.find((d) => rest.startsWith(d.toLowerCase()));
        const short = DAYS.find((d) => rest.startsWith(d.slice(0, 3).toLowerCase()));
        if (day && code === 'A') pos += day.length;
        else if (short) pos += 3;
        else fail();
        break;
      }
      case 's': {
        const m = /^-?\d+/.exec(text.slice(pos));
        if (!m) fail();
        pos += m![0].length;
        return new PyDateTime(Number(m![0]) * US_PER_SECOND, null);
      }
      case '%':
        if (text[pos] !== '%') fail();
        pos++;
        break;
      default:
        throw new Error(`unsupported strptime directive %${code}`);
    }
  }
  if (pos !== text.length) throw new Error(`unconverted data remains: ${text.slice(pos)}`);
  if (pm !== undefined) w.hour = (w.hour % 12) + (pm ? 12 : 0);
  if (
    w.month < 1 ||
    w.month > 12 ||
    w.day < 1 ||
    w.day > daysInMonth(w.year, w.month) ||
    w.hour > 23 ||
    w.minute > 59 ||
    w.second > 61
  )
    fail();
  return fromWallTime(w, offset);
}

/** dateutil's isoparse, as `str_to_datetime` uses it: a date, or a date and time with an optional
 * offset; a value without one is UTC. */
export function isoparse(text: string): PyDateTime {
  const m =
    /^(\d{4})-?(\d{2})-?(\d{2})(?:[T ](\d{2})(?::?(\d{2})(?::?(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$/.exec(
      text.trim(),
    );
  if (!m) throw new Error(`${JSON.stringify(text)} is not an ISO 8601 date or date-time`);
  let offset = 0;
  const z = m[8];
  if (z && z !== 'Z') {
    const sign = z[0] === '-' ? -1 : 1;
    const digitsOnly = z.slice(1).replace(':', '');
    offset = sign * (Number(digitsOnly.slice(0, 2)) * 60 + Number(digitsOnly.slice(2, 4) || 0));
  }
  return fromWallTime(
    {
      year: Number(m[1]),
      month: Number(m[2]),
      day: Number(m[3]),
      hour: Number(m[4] ?? 0),
      minute: Number(m[5] ?? 0),
      second: Number(m[6] ?? 0),
      micro: Number((m[7] ?? '').slice(0, 6).padEnd(6, '0')),
    },
    offset,
  );
}

/** isodate's parse_duration: a timedelta, or a Duration when it has years or months. */
export function parseDuration(text: string): PyTimedelta | PyDuration {
  const m =
    /^([+-])?P(?:(\d+(?:[.,]\d+)?)Y)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)W)?(?:(\d+(?:[.,]\d+)?)D)?(?:T(?:(\d+(?:[.,]\d+)?)H)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$/.exec(
      text.trim(),
    );
  if (!m || text.trim() === 'P' || text.trim().endsWith('T'))
    throw new Error(`unable to parse duration string ${JSON.stringify(text)}`);
  const n = (s: string | undefined) => (s ? Number(s.replace(',', '.')) : 0);
  const sign = m[1] === '-' ? -1 : 1;
  const seconds = n(m[4]) * 7 * 86_400 + n(m[5]) * 86_400 + n(m[6]) * 3600 + n(m[7]) * 60 + n(m[8]);
  const delta = new PyTimedelta(sign * Math.round(seconds * US_PER_SECOND));
  const months = n(m[2]) * 12 + n(m[3]);
  return months ? new PyDuration(sign * months, delta) : delta;
}
