// ISO-8601 durations as java.time.Duration reads them, because Kestra flows are written against Java:
// only days, hours, minutes and (fractional) seconds, case-insensitive, `.` or `,` as the decimal mark.
// Negative durations are refused: no task property of a flow means anything with one.

const DURATION = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:[.,](\d{1,9}))?S)?)?$/i;
const CALENDAR_UNITS = /^P(?:\d+[YMWD])*\d+[YMW]/i;

const MS_PER_SECOND = 1000;
const MS_PER_MINUTE = 60 * MS_PER_SECOND;
const MS_PER_HOUR = 60 * MS_PER_MINUTE;
const MS_PER_DAY = 24 * MS_PER_HOUR;

/** Why `text` is not a duration, or undefined when it is one. */
export function durationProblem(text: string): string | undefined {
  const trimmed = text.trim();
  if (trimmed.startsWith('-')) return `negative duration '${text}' is not allowed`;
  if (CALENDAR_UNITS.test(trimmed)) {
    return `invalid duration '${text}': years, months and weeks are not duration units, use days (e.g. P7D)`;
  }
  const match = DURATION.exec(trimmed);
  // `P` and `PT` alone match the pattern with every part empty, and `PT` needs at least one time part
  if (!match?.slice(1).some((part) => part !== undefined) || /T$/i.test(trimmed)) {
    return `invalid duration '${text}': expected an ISO-8601 duration such as PT30S, PT1M30S, PT0.2S or P1DT2H`;
  }
  return undefined;
}

export function isDuration(text: unknown): text is string {
  return typeof text === 'string' && durationProblem(text) === undefined;
}

/** Milliseconds in an ISO-8601 duration; throws an Error naming the value when it is not one. */
export function parseDuration(iso: string): number {
  const problem = durationProblem(iso);
  if (problem) throw new Error(problem);
  const [, days, hours, minutes, seconds, fraction] = DURATION.exec(iso.trim())!;
  // fractions are read as nanoseconds, like Java, so that PT0.2S is exactly 200 ms
  const nanos = fraction ? Number(fraction.padEnd(9, '0')) : 0;
  return (
    Number(days ?? 0) * MS_PER_DAY +
    Number(hours ?? 0) * MS_PER_HOUR +
    Number(minutes ?? 0) * MS_PER_MINUTE +
    Number(seconds ?? 0) * MS_PER_SECOND +
    nanos / 1e6
  );
}

/**
 * A duration as Java's Duration.toString writes it, which is how Kestra stores a DURATION input: days become
 * hours (`P1D` → `PT24H`, `P1DT5M6S` → `PT24H5M6S`), zero parts are left out, the fraction is kept to the
 * nanosecond without trailing zeros (`PT0.2S`), and nothing at all is `PT0S`. Throws like parseDuration.
 */
export function canonicalDuration(iso: string): string {
  const problem = durationProblem(iso);
  if (problem) throw new Error(problem);
  const [, days, hours, minutes, secondsPart, fraction] = DURATION.exec(iso.trim())!;
  // BigInt: Java counts seconds in a long, and P99999999999D must not lose digits
  const seconds =
    BigInt(days ?? 0) * 86_400n +
    BigInt(hours ?? 0) * 3_600n +
    BigInt(minutes ?? 0) * 60n +
    BigInt(secondsPart ?? 0);
  const nanos = fraction ? fraction.padEnd(9, '0').replace(/0+$/, '') : '';
  if (seconds === 0n && nanos === '') return 'PT0S';
  const h = seconds / 3_600n;
  const m = (seconds % 3_600n) / 60n;
  const s = seconds % 60n;
  let text = 'PT';
  if (h !== 0n) text += `${h}H`;
  if (m !== 0n) text += `${m}M`;
  if (s === 0n && nanos === '') return text;
  return `${text}${s}${nanos === '' ? '' : `.${nanos}`}S`;
}

/** The ISO-8601 text of a duration in milliseconds, in Java's canonical form (PT1H30M, PT0.2S). */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) throw new Error(`cannot format duration of ${ms} ms`);
  const hours = Math.floor(ms / MS_PER_HOUR);
  const minutes = Math.floor((ms % MS_PER_HOUR) / MS_PER_MINUTE);
  const seconds = (ms % MS_PER_MINUTE) / MS_PER_SECOND;
  if (hours === 0 && minutes === 0 && seconds === 0) return 'PT0S';
  return (
    'PT' +
    (hours ? `${hours}H` : '') +
    (minutes ? `${minutes}M` : '') +
    (seconds ? `${Number(seconds.toFixed(9))}S` : '')
  );
}
