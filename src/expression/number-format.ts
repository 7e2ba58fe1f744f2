import { Fault } from './errors.js';

/**
 * Rounds |value| to `digits` decimals on its decimal expansion. `exact` uses the binary value (java's
 * DecimalFormat: 1.005 is 1.00499…, so it rounds down); otherwise the shortest decimal that reads back as
 * the same double (BigDecimal.valueOf: 1.005 rounds up).
 */
export function roundDecimal(
  value: number,
  digits: number,
  mode: 'half-even' | 'half-up',
  exact: boolean,
): { int: string; frac: string } {
  const abs = Math.abs(value);
  let text: string;
  if (abs >= 1e21) text = BigInt(abs).toString();
  else if (exact || String(abs).includes('e')) text = abs.toFixed(100);
  else text = String(abs);
  const dot = text.indexOf('.');
  const intPart = dot < 0 ? text : text.slice(0, dot);
  const fracAll = dot < 0 ? '' : text.slice(dot + 1);
  const kept = intPart + fracAll.slice(0, digits).padEnd(digits, '0');
  const rest = fracAll.slice(digits);
  let up = false;
  if (rest.length > 0) {
    if (rest[0] > '5') up = true;
    else if (rest[0] === '5') {
      const tie = /^50*$/.test(rest);
      up = !tie || mode === 'half-up' || Number(kept[kept.length - 1] ?? '0') % 2 === 1;
    }
  }
  const rounded = up ? increment(kept) : kept;
  const split = rounded.length - digits;
  return { int: rounded.slice(0, split).replace(/^0+/, ''), frac: rounded.slice(split) };
}

function increment(digits: string): string {
  const chars = digits.split('');
  for (let i = chars.length - 1; i >= 0; i--) {
    if (chars[i] === '9') chars[i] = '0';
    else {
      chars[i] = String(Number(chars[i]) + 1);
      return chars.join('');
    }
  }
  return `1${chars.join('')}`;
}

interface DecimalPattern {
  prefix: string;
  suffix: string;
  multiplier: number;
  grouping: number;
  minInt: number;
  minFrac: number;
  maxFrac: number;
}

const PATTERN_CHARS = '#0,.';

function readAffix(
  pattern: string,
  start: number,
  stopAtBody: boolean,
): [text: string, end: number, multiplier: number] {
  let text = '';
  let multiplier = 1;
  let i = start;
  while (i < pattern.length) {
    const c = pattern[i];
    if (stopAtBody && PATTERN_CHARS.includes(c)) break;
    if (c === "'") {
      const close = pattern.indexOf("'", i + 1);
      if (close < 0) throw new Fault(`unterminated quote in number format '${pattern}'`);
      text += close === i + 1 ? "'" : pattern.slice(i + 1, close);
      i = close + 1;
      continue;
    }
    if (c === '%') multiplier = 100;
    else if (c === '\u2030') multiplier = 1000;
    else if (c === 'E') throw new Fault('scientific notation is not supported in number formats');
    text += c;
    i++;
  }
  return [text, i, multiplier];
}

const patterns = new Map<string, DecimalPattern>();

function compile(source: string): DecimalPattern {
  const cached = patterns.get(source);
  if (cached) return cached;
  // Java's optional negative subpattern only changes affixes; a leading '-' does the same job here.
  const positive = source.split(';')[0];
  const [prefix, bodyStart, m1] = readAffix(positive, 0, true);
  let i = bodyStart;
  while (i < positive.length && PATTERN_CHARS.includes(positive[i])) i++;
  const body = positive.slice(bodyStart, i);
  const [suffix, , m2] = readAffix(positive, i, false);
  if (!body) throw new Fault(`number format '${source}' has no digits (use # or 0)`);
  const dot = body.indexOf('.');
  const intPart = dot < 0 ? body : body.slice(0, dot);
  const fracPart = dot < 0 ? '' : body.slice(dot + 1);
  if (fracPart.includes(',') || fracPart.includes('.'))
    throw new Fault(`malformed number format '${source}'`);
  const comma = intPart.lastIndexOf(',');
  const pattern: DecimalPattern = {
    prefix,
    suffix,
    multiplier: m1 * m2,
    grouping: comma < 0 ? 0 : intPart.length - comma - 1,
    minInt: [...intPart].filter((c) => c === '0').length,
    minFrac: [...fracPart].filter((c) => c === '0').length,
    maxFrac: fracPart.length,
  };
  if (patterns.size >= 256) patterns.clear();
  patterns.set(source, pattern);
  return pattern;
}

/** A subset of java.text.DecimalFormat: `#,##0.00`, `0.000`, `#`, `0.#%`, quoted affixes; HALF_EVEN. */
export function decimalFormat(value: number, source: string): string {
  if (Number.isNaN(value)) return 'NaN';
  const pattern = compile(source);
  const sign = value < 0 ? '-' : '';
  if (!Number.isFinite(value)) return `${sign}${pattern.prefix}\u221e${pattern.suffix}`;
  const { int, frac } = roundDecimal(value * pattern.multiplier, pattern.maxFrac, 'half-even', true);
  let fraction = frac;
  while (fraction.length > pattern.minFrac && fraction.endsWith('0')) fraction = fraction.slice(0, -1);
  let digits = int.padStart(pattern.minInt, '0');
  if (pattern.grouping > 0) {
    const groups: string[] = [];
    for (let end = digits.length; end > 0; end -= pattern.grouping) {
      groups.unshift(digits.slice(Math.max(0, end - pattern.grouping), end));
    }
    digits = groups.join(',');
  }
  if (!digits && !fraction) digits = '0';
  const zero = /^0*$/.test(int) && /^0*$/.test(frac);
  const number = fraction ? `${digits}.${fraction}` : digits;
  return `${zero ? '' : sign}${pattern.prefix}${number}${pattern.suffix}`;
}
