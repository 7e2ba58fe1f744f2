import { Fault } from './errors.js';
import { describe, isDate, isMap, JavaDouble } from './values.js';

/**
 * Java's Double.toString (JDK 19+, whose digits are the shortest that read back, as in JS): always a
 * fraction part (`5.0`), and computerized scientific notation outside [1e-3, 1e7) (`1.0E7`, `1.5E-4`).
 */
export function javaDoubleText(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(value);
  if (abs >= 1e-3 && abs < 1e7) {
    // JS writes this range without an exponent too
    const text = String(value);
    return text.includes('.') ? text : `${text}.0`;
  }
  const [mantissa, exponent] = value.toExponential().split('e');
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${exponent.replace('+', '')}`;
}

/**
 * A plain number that is integral prints as an integer (also past 1e21, where JS would switch to exponent
 * notation): it may well be a Java long. A non-integral one can only be a Java double and prints as one.
 */
function formatNumber(value: number): string {
  if (Number.isInteger(value)) return jsonNumber(value);
  return javaDoubleText(value);
}

/** Numbers inside lists and maps keep JS's shortest text (integers without exponent), as before. */
function jsonNumber(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) >= 1e21) return BigInt(value).toString();
  return String(value);
}

/** How a value prints in `{{ }}` and in string concatenation: null is empty, lists and maps are JSON. */
export function toText(value: unknown, maxLength = Number.POSITIVE_INFINITY): string {
  if (value === null || value === undefined) return '';
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
      return formatNumber(value);
    case 'boolean':
      return value ? 'true' : 'false';
  }
  if (value instanceof JavaDouble) return javaDoubleText(value.value);
  if (isDate(value)) return dateText(value);
  return toJson(value, maxLength);
}

export function scalarJson(item: unknown): string | undefined {
  if (item === null || item === undefined) return 'null';
  switch (typeof item) {
    case 'string':
      return JSON.stringify(item);
    case 'number':
      return Number.isFinite(item) ? jsonNumber(item) : 'null';
    case 'boolean':
      return item ? 'true' : 'false';
    case 'bigint':
      return item.toString();
  }
  return isDate(item) ? JSON.stringify(dateText(item)) : undefined;
}

export function dateText(value: Date): string {
  if (Number.isNaN(value.getTime())) throw new Fault('invalid date');
  return value.toISOString();
}

/** How one text format writes the leaves of a structure; lists are `[a,b]` and maps `{k<sep>v}` in all of them. */
export interface TextStyle {
  /** the text of a leaf, or undefined for a list or a map */
  scalar(item: unknown): string | undefined;
  key(name: string): string;
  what: string;
}

const JSON_STYLE: TextStyle = { scalar: scalarJson, key: (name) => JSON.stringify(name), what: 'JSON' };

/**
 * Compact JSON of plain data. Written by hand rather than with JSON.stringify so that no `toJSON` method
 * of a foreign object is ever called, cycles are reported, and the size limit stops it early.
 */
export function toJson(value: unknown, maxLength = Number.POSITIVE_INFINITY): string {
  return writeCompact(value, maxLength, JSON_STYLE);
}

/** Writes plain data in a compact JSON-shaped format, stopping as soon as the text passes `maxLength`. */
export function writeCompact(value: unknown, maxLength: number, style: TextStyle): string {
  const parts: string[] = [];
  let length = 0;
  const ancestors = new Set<object>();

  const push = (text: string): void => {
    length += text.length;
    if (length > maxLength) throw new Fault(`output longer than ${maxLength} characters`);
    parts.push(text);
  };

  const write = (item: unknown): void => {
    const scalar = style.scalar(item);
    if (scalar !== undefined) {
      push(scalar);
      return;
    }
    if (typeof item !== 'object' || !(Array.isArray(item) || isMap(item))) {
      throw new Fault(`cannot convert ${describe(item)} to ${style.what}`);
    }
    if (ancestors.has(item)) throw new Fault(`cannot convert a circular structure to ${style.what}`);
    ancestors.add(item);
    if (Array.isArray(item)) {
      push('[');
      for (let i = 0; i < item.length; i++) {
        if (i > 0) push(',');
        const element: unknown = item[i];
        write(typeof element === 'function' || typeof element === 'symbol' ? null : element);
      }
      push(']');
    } else {
      push('{');
      let first = true;
      for (const key of Object.keys(item)) {
        const descriptor = Object.getOwnPropertyDescriptor(item, key);
        if (!descriptor || !('value' in descriptor)) continue;
        const element: unknown = descriptor.value;
        if (element === undefined || typeof element === 'function' || typeof element === 'symbol') continue;
        if (!first) push(',');
        first = false;
        push(style.key(key));
        push(':');
        write(element);
      }
      push('}');
    }
    ancestors.delete(item);
  };

  write(value);
  return parts.join('');
}
