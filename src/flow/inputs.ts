// Input values as Kestra accepts them: each declared input takes the provided value, else its
// default, else null when optional; every value is coerced to the declared type and checked against
// its constraints. A request with any bad or missing input is refused as a whole, so all problems are
// collected before anything runs.
import { parse as parseYaml } from 'yaml';
import { REDACTED } from '../secrets/redactor.js';
import { holdsSealed, SEALED_PREFIX } from '../secrets/sealed-inputs.js';
import { canonicalDuration, durationProblem } from './duration.js';
import { isTemplate } from './expressions.js';
import { describeValue } from './issues.js';
import type { InputDef, InputType } from './model.js';

/** Why a value does not fit an input: what was expected, and the part of the value that did not fit. */
export interface Misfit {
  expected: string;
  got: unknown;
  /** `[2]` when one item of a list is at fault */
  at?: string;
}

export type Coerced = { ok: true; value: unknown } | { ok: false; misfit: Misfit };

const fits = (value: unknown): Coerced => ({ ok: true, value });
const misfit = (expected: string, got: unknown, at?: string): Coerced => ({
  ok: false,
  misfit: { expected, got, at },
});

type Coercer = (raw: unknown, def: InputDef, fromStrings: boolean) => Coerced;

function asText(raw: unknown): string | undefined {
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
  return undefined;
}

function fullMatch(pattern: string, value: string): boolean {
  try {
    return new RegExp(`^(?:${pattern})$`, 'u').test(value);
  } catch {
    return false;
  }
}

function coerceString(raw: unknown, def: InputDef): Coerced {
  const value = asText(raw);
  if (value === undefined) return misfit(def.type, raw);
  if (def.validator !== undefined && !fullMatch(def.validator, value)) {
    return misfit(`${def.type} matching ${def.validator}`, raw);
  }
  if (def.minLength !== undefined && value.length < def.minLength) {
    return misfit(`${def.type} of at least ${def.minLength} characters`, raw);
  }
  if (def.maxLength !== undefined && value.length > def.maxLength) {
    return misfit(`${def.type} of at most ${def.maxLength} characters`, raw);
  }
  return fits(value);
}

/** A SECRET is checked as a STRING, but a misfit never quotes the value it was given. */
function coerceSecret(raw: unknown, def: InputDef): Coerced {
  const coerced = coerceString(raw, def);
  if (coerced.ok || typeof raw !== 'string') return coerced;
  return misfit(coerced.misfit.expected, REDACTED);
}

function withinBounds(value: number, raw: unknown, def: InputDef): Coerced {
  if (def.min !== undefined && value < def.min) return misfit(`${def.type} >= ${def.min}`, raw);
  if (def.max !== undefined && value > def.max) return misfit(`${def.type} <= ${def.max}`, raw);
  return fits(value);
}

const INTEGER = /^[-+]?\d+$/;
const DECIMAL = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

function coerceInt(raw: unknown, def: InputDef): Coerced {
  const value = typeof raw === 'string' && INTEGER.test(raw.trim()) ? Number(raw.trim()) : raw;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) return misfit('INT', raw);
  return withinBounds(value, raw, def);
}

function coerceFloat(raw: unknown, def: InputDef): Coerced {
  const value = typeof raw === 'string' && DECIMAL.test(raw.trim()) ? Number(raw.trim()) : raw;
  if (typeof value !== 'number' || !Number.isFinite(value)) return misfit('FLOAT', raw);
  return withinBounds(value, raw, def);
}

/**
 * Kestra reads a BOOLEAN with Java's Boolean.valueOf(String): "true" in any case is true and any other text
 * is false, never an error. A value that is neither text nor a boolean (a number, a list) cannot be read
 * that way (Kestra fails on the cast) and is refused.
 */
function coerceBoolean(raw: unknown, def: InputDef): Coerced {
  if (typeof raw === 'boolean') return fits(raw);
  if (typeof raw === 'string') return fits(raw.toLowerCase() === 'true');
  return misfit(def.type, raw);
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/;
const DATETIME = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:\d{2})$/i;

function isCalendarDate(text: string): boolean {
  const match = DATE.exec(text);
  if (!match) return false;
  const [year, month, day] = match.slice(1).map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/**
 * Java's LocalTime.toString, which is how Kestra stores a TIME: `HH:mm` when seconds and fraction are zero,
 * else `HH:mm:ss`, with a fraction of 3, 6 or 9 digits (`18:27:00` → `18:27`, `09:00:05.5` → `09:00:05.500`).
 */
function localTimeText(text: string): string {
  const [, hours, minutes, seconds = '00', fraction = ''] = TIME.exec(text)!;
  const nanos = Number(fraction.padEnd(9, '0'));
  if (seconds === '00' && nanos === 0) return `${hours}:${minutes}`;
  if (nanos === 0) return `${hours}:${minutes}:${seconds}`;
  const digits = nanos % 1_000_000 === 0 ? 3 : nanos % 1_000 === 0 ? 6 : 9;
  return `${hours}:${minutes}:${seconds}.${fraction.padEnd(9, '0').slice(0, digits)}`;
}

/** Seconds since midnight (with fraction), or undefined when text is not a time of day. */
function timeOfDay(text: string): number | undefined {
  const match = TIME.exec(text);
  if (!match) return undefined;
  const [hours, minutes, seconds] = [match[1], match[2], match[3] ?? '0'].map(Number);
  if (hours > 23 || minutes > 59 || seconds > 59) return undefined;
  return hours * 3600 + minutes * 60 + seconds + Number(`0.${match[4] ?? '0'}`);
}

/** Milliseconds since the epoch; an offset or Z is required, because a bare local time names no instant. */
function instant(text: string): number | undefined {
  const match = DATETIME.exec(text);
  if (!match || !isCalendarDate(match[1]) || timeOfDay(match[2]) === undefined) return undefined;
  const offset = match[3].toUpperCase();
  if (offset !== 'Z' && (Number(offset.slice(1, 3)) > 18 || Number(offset.slice(4)) > 59)) return undefined;
  return Date.parse(text.toUpperCase());
}

/** Java's Instant.toString: UTC, with milliseconds only when there are some. */
function instantText(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** Comparable form of a DATETIME, DATE or TIME, for `after` and `before`. */
const ORDER: Partial<Record<InputType, (text: string) => number | string | undefined>> = {
  DATETIME: instant,
  DATE: (text) => (isCalendarDate(text) ? text : undefined),
  TIME: timeOfDay,
};

function inOrder(text: string, raw: unknown, def: InputDef): Coerced | undefined {
  const key = ORDER[def.type]!;
  const value = key(text);
  if (value === undefined) return misfit(def.type, raw);
  const after = typeof def.after === 'string' ? key(def.after) : undefined;
  const before = typeof def.before === 'string' ? key(def.before) : undefined;
  if (after !== undefined && value <= after) return misfit(`${def.type} after ${def.after}`, raw);
  if (before !== undefined && value >= before) return misfit(`${def.type} before ${def.before}`, raw);
  return undefined;
}

function coerceDateTime(raw: unknown, def: InputDef): Coerced {
  const text = raw instanceof Date ? raw.toISOString() : raw;
  if (typeof text !== 'string') return misfit('DATETIME', raw);
  return inOrder(text.trim(), raw, def) ?? fits(instantText(instant(text.trim())!));
}

function coerceDateOrTime(raw: unknown, def: InputDef): Coerced {
  if (typeof raw !== 'string') return misfit(def.type, raw);
  const text = raw.trim();
  return inOrder(text, raw, def) ?? fits(def.type === 'TIME' ? localTimeText(text) : text);
}

/** Stored as Java's Duration.toString writes it (`P1D` → `PT24H`), as Kestra does. */
function coerceDuration(raw: unknown): Coerced {
  if (typeof raw !== 'string' || durationProblem(raw) !== undefined) return misfit('DURATION', raw);
  return fits(canonicalDuration(raw));
}

function coerceJson(raw: unknown): Coerced {
  if (typeof raw !== 'string') return fits(raw);
  try {
    return fits(JSON.parse(raw));
  } catch {
    return misfit('JSON', raw);
  }
}

function coerceYaml(raw: unknown): Coerced {
  if (typeof raw !== 'string') return fits(raw);
  try {
    return fits(parseYaml(raw));
  } catch {
    return misfit('YAML', raw);
  }
}

/** A list given as a list, as a JSON array, or (typed on a command line) as comma-separated items. */
function asList(raw: unknown, fromStrings: boolean): unknown[] | undefined {
  if (Array.isArray(raw)) return raw;
  if (typeof raw !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    return Array.isArray(parsed) ? parsed : undefined;
  } catch {
    if (!fromStrings) return undefined;
    return raw.trim() === '' ? [] : raw.split(',').map((item) => item.trim());
  }
}

function coerceArray(raw: unknown, def: InputDef, fromStrings: boolean): Coerced {
  const itemType = def.itemType ?? 'STRING';
  const list = asList(raw, fromStrings);
  if (!list) return misfit(`ARRAY of ${itemType}`, raw);
  const values: unknown[] = [];
  for (const [index, item] of list.entries()) {
    const coerced = coerceInput({ id: def.id, type: itemType, required: true }, item, fromStrings);
    if (!coerced.ok) return misfit(coerced.misfit.expected, coerced.misfit.got, `[${index}]`);
    values.push(coerced.value);
  }
  return fits(values);
}

function isChoice(value: string, def: InputDef): boolean {
  return def.allowCustomValue === true || (def.values ?? []).includes(value);
}

function coerceChoice(raw: unknown, def: InputDef): Coerced {
  const value = asText(raw);
  if (value === undefined || !isChoice(value, def)) {
    return misfit(`${def.type} (one of ${(def.values ?? []).join('|')})`, raw);
  }
  return fits(value);
}

function coerceMultiselect(raw: unknown, def: InputDef, fromStrings: boolean): Coerced {
  const expected = `MULTISELECT (some of ${(def.values ?? []).join('|')})`;
  const list = asList(raw, fromStrings);
  if (!list) return misfit(expected, raw);
  const values = list.map(asText);
  const bad = values.findIndex((value) => value === undefined || !isChoice(value, def));
  if (bad >= 0) return misfit(expected, list[bad], `[${bad}]`);
  return fits(values);
}

function coerceUri(raw: unknown): Coerced {
  if (typeof raw !== 'string' || !URL.canParse(raw.trim())) return misfit('URI', raw);
  return fits(raw.trim());
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;

function coerceEmail(raw: unknown): Coerced {
  if (typeof raw !== 'string' || !EMAIL.test(raw.trim())) return misfit('EMAIL', raw);
  return fits(raw.trim());
}

/** Files are uploaded by the caller; here the value only has to name one (a sluice:/// URI or a path). */
function coerceFile(raw: unknown): Coerced {
  if (typeof raw !== 'string' || raw.trim() === '') return misfit('FILE', raw);
  return fits(raw);
}

const COERCERS: Record<InputType, Coercer> = {
  STRING: coerceString,
  SECRET: coerceSecret,
  INT: coerceInt,
  FLOAT: coerceFloat,
  BOOLEAN: coerceBoolean,
  BOOL: coerceBoolean,
  DATETIME: coerceDateTime,
  DATE: coerceDateOrTime,
  TIME: coerceDateOrTime,
  DURATION: coerceDuration,
  JSON: coerceJson,
  YAML: coerceYaml,
  ARRAY: coerceArray,
  ENUM: coerceChoice,
  SELECT: coerceChoice,
  MULTISELECT: coerceMultiselect,
  FILE: coerceFile,
  URI: coerceUri,
  EMAIL: coerceEmail,
};

/** The value raw becomes for an input of def's type, or why it cannot. */
export function coerceInput(def: InputDef, raw: unknown, fromStrings = false): Coerced {
  return COERCERS[def.type](raw, def, fromStrings);
}

export function misfitMessage(m: Misfit): string {
  return `expected ${m.expected}, got ${describeValue(m.got)}`;
}

export interface ResolvedInputs {
  values: Record<string, unknown>;
  errors: string[];
  /** the clear values of the SECRET inputs, sealed in `values` */
  secrets: string[];
}

export interface ResolveOptions {
  /** the values were typed on a command line (`--input k=v`): a list may be written `a,b,c` */
  fromStrings?: boolean;
  /** false keeps dotted ids flat, as Kestra keeps typed flow outputs */
  nest?: boolean;
  /** what a SECRET value is stored as (sealed, or masked for outputs); without it, a SECRET value is
   * refused rather than kept in clear */
  seal?: (clear: string) => string;
  /** tells a value that holds a secret the caller knows of: only a SECRET input may take one */
  holdsSecret?: (value: unknown) => boolean;
}

const isSecret = (def: InputDef) =>
  def.type === 'SECRET' || (def.type === 'ARRAY' && def.itemType === 'SECRET');

/** A SECRET value (each item of an ARRAY of SECRET) as it is stored, its clear text noted. */
function sealSecret(value: unknown, seal: (clear: string) => string, secrets: string[]): unknown {
  if (Array.isArray(value)) return value.map((item) => sealSecret(item, seal, secrets));
  if (typeof value !== 'string') return value;
  secrets.push(value);
  return seal(value);
}

/** Java's String.split("\\."): empty segments at the end are dropped. */
function idPath(id: string): string[] {
  const keys = id.split('.');
  while (keys.length > 1 && keys[keys.length - 1] === '') keys.pop();
  return keys;
}

function put(map: Record<string, unknown>, key: string, value: unknown): void {
  // defineProperty: a segment named __proto__ must be a key, not the prototype
  Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Kestra's MapUtils.flattenToNestedMap, applied to the typed inputs of an execution: an id with dots
 * becomes nested maps (`nested.more.int` → `{nested: {more: {int: …}}}`), so that both
 * `{{ inputs.nested.more.int }}` and `execution.inputs` see the nesting. An id that is both a value and the
 * prefix of another (`a` and `a.b`) is a conflict, as in Kestra.
 */
function nestDottedIds(flat: Record<string, unknown>, errors: string[]): Record<string, unknown> {
  const ids = Object.keys(flat);
  if (!ids.some((id) => id.includes('.'))) return flat;
  const nested: Record<string, unknown> = {};
  const built = new Set<unknown>([nested]);
  for (const id of ids) {
    const keys = idPath(id);
    let current = nested;
    let conflict = false;
    for (const key of keys.slice(0, -1)) {
      if (!Object.hasOwn(current, key)) {
        const child: Record<string, unknown> = {};
        built.add(child);
        put(current, key, child);
      } else if (!built.has(current[key])) {
        conflict = true;
        break;
      }
      current = current[key] as Record<string, unknown>;
    }
    const last = keys[keys.length - 1];
    if (conflict || Object.hasOwn(current, last)) {
      errors.push(`Conflict at input '${id}': an input id cannot be both a value and the prefix of another`);
      continue;
    }
    put(current, last, flat[id]);
  }
  return nested;
}

/** Resolves the values of a flow's inputs for one execution. `fromStrings` says the values were typed
 * on a command line (`--input k=v`), which also lets a list be written as `a,b,c`. Undeclared inputs
 * are ignored; a default written as a template is passed through for the caller to render. Values are
 * looked up and checked under their declared (dotted) ids, then nested as Kestra does (`nest: false`
 * keeps them flat, as Kestra keeps typed flow outputs). SECRET values are checked in clear, then
 * stored as `seal` makes them. */
export function resolveInputs(
  defs: InputDef[],
  provided: Record<string, unknown>,
  options: ResolveOptions = {},
): ResolvedInputs {
  const values: Record<string, unknown> = {};
  const errors: string[] = [];
  const secrets: string[] = [];
  for (const def of defs) {
    const given = provided[def.id];
    const isGiven = given !== undefined && given !== null;
    const raw = isGiven ? given : def.defaults;
    if (raw === undefined || raw === null) {
      if (def.required) errors.push(`Missing required input: ${def.id}`);
      else values[def.id] = null;
      continue;
    }
    // only this process seals: a sealed value handed in would make a task decrypt someone else's
    if (holdsSealed(raw)) {
      errors.push(`Invalid value for input '${def.id}': values beginning with ${SEALED_PREFIX} are reserved`);
      continue;
    }
    let value: unknown;
    if (!isGiven && isTemplate(raw)) value = raw;
    else {
      const coerced = coerceInput(def, raw, isGiven && options.fromStrings === true);
      if (!coerced.ok) {
        errors.push(
          `Invalid value for input '${def.id}${coerced.misfit.at ?? ''}': ${misfitMessage(coerced.misfit)}`,
        );
        continue;
      }
      value = coerced.value;
    }
    if (!isSecret(def) && options.holdsSecret?.(value)) {
      errors.push(`Invalid value for input '${def.id}': it holds a secret, which only a SECRET input takes`);
    } else if (!isSecret(def)) values[def.id] = value;
    else if (options.seal) values[def.id] = sealSecret(value, options.seal, secrets);
    else errors.push(`Input '${def.id}' is a SECRET: no encryption key is configured to store it`);
  }
  return { values: options.nest === false ? values : nestDottedIds(values, errors), errors, secrets };
}
