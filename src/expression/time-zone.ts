import { type LocalDateTime, localSeconds } from './calendar.js';
import { Fault } from './errors.js';

export interface Zone {
  readonly id: string;
  /** True for IANA regions (printed as `[Europe/Paris]` by ISO_ZONED_DATE_TIME), false for fixed offsets. */
  readonly region: boolean;
  /** Offset from UTC in seconds at an instant (epoch seconds). */
  offsetAt(epochSeconds: number): number;
  name(epochSeconds: number, style: 'short' | 'long'): string;
}

class FixedZone implements Zone {
  readonly region = false;

  constructor(
    readonly id: string,
    private readonly offset: number,
  ) {}

  offsetAt(): number {
    return this.offset;
  }

  name(): string {
    return this.id;
  }
}

/** IANA zones through Intl, the only time zone database Node ships. */
class RegionZone implements Zone {
  readonly region = true;
  private readonly fields: Intl.DateTimeFormat;
  private readonly names = new Map<string, Intl.DateTimeFormat>();

  constructor(readonly id: string) {
    this.fields = new Intl.DateTimeFormat('en-US', {
      timeZone: id,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  }

  offsetAt(epochSeconds: number): number {
    const local: LocalDateTime = { year: 1970, month: 1, day: 1, hour: 0, minute: 0, second: 0, nano: 0 };
    let bc = false;
    for (const part of this.fields.formatToParts(new Date(epochSeconds * 1000))) {
      const value = Number(part.value);
      switch (part.type) {
        case 'era':
          bc = part.value.startsWith('B');
          break;
        case 'year':
          local.year = value;
          break;
        case 'month':
          local.month = value;
          break;
        case 'day':
          local.day = value;
          break;
        case 'hour':
          local.hour = value;
          break;
        case 'minute':
          local.minute = value;
          break;
        case 'second':
          local.second = value;
          break;
      }
    }
    if (bc) local.year = 1 - local.year;
    return localSeconds(local) - epochSeconds;
  }

  name(epochSeconds: number, style: 'short' | 'long'): string {
    let format = this.names.get(style);
    if (!format) {
      format = new Intl.DateTimeFormat('en-US', { timeZone: this.id, timeZoneName: style });
      this.names.set(style, format);
    }
    const part = format.formatToParts(new Date(epochSeconds * 1000)).find((p) => p.type === 'timeZoneName');
    return part?.value ?? this.id;
  }
}

export const UTC: Zone = new FixedZone('UTC', 0);

const FIXED = /^(UTC|GMT|UT)?([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?$/;
const MAX_CACHED_ZONES = 256;
const zones = new Map<string, Zone>();

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Resolves what Java's ZoneId.of accepts: `UTC`, `Z`, `+02:00`, `UTC+2`, `Europe/Paris`. */
export function zoneOf(id: string | undefined | null): Zone {
  if (id === undefined || id === null || id === 'UTC') return UTC;
  const cached = zones.get(id);
  if (cached) return cached;
  const zone = createZone(id);
  if (zones.size >= MAX_CACHED_ZONES) zones.clear();
  zones.set(id, zone);
  return zone;
}

function createZone(id: string): Zone {
  if (id === 'Z') return new FixedZone('Z', 0);
  if (id === 'GMT' || id === 'UT') return new FixedZone(id, 0);
  const fixed = FIXED.exec(id);
  if (fixed) {
    const [, prefix, sign, hours, minutes = '0', seconds = '0'] = fixed;
    const h = Number(hours);
    const m = Number(minutes);
    const s = Number(seconds);
    if (h > 18 || m > 59 || s > 59) throw new Fault(`invalid time zone offset '${id}'`);
    const total = (sign === '-' ? -1 : 1) * (h * 3600 + m * 60 + s);
    const text = total === 0 ? 'Z' : `${sign}${two(h)}:${two(m)}${s ? `:${two(s)}` : ''}`;
    return new FixedZone(prefix ? `${prefix}${total === 0 ? '' : text}` : text, total);
  }
  try {
    return new RegionZone(id);
  } catch {
    throw new Fault(`unknown time zone '${id}'`);
  }
}
