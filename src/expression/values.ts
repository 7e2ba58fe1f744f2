import { Fault } from './errors.js';

export type PlainMap = Record<string, unknown>;

/** Marks a key or variable that does not exist (as opposed to one holding null). */
export const MISSING: unique symbol = Symbol('missing');
type Maybe = unknown | typeof MISSING;

/** Only these objects are data: anything with another prototype (class instances, Map, Buffer…) is opaque. */
export function isMap(value: unknown): value is PlainMap {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export function isDate(value: unknown): value is Date {
  return value instanceof Date;
}

/**
 * A number that Pebble would hold as a Java Double, so that it prints as Java does (`1.0`, `5.0`, `1.0E7`).
 * JS numbers cannot tell 1.0 from 1, so the evaluator boxes the values it knows to be doubles: decimal
 * literals (`1.0`, `2.5`, `1e3`) and the results of `+ - * / %` with such an operand or with a non-integral
 * number. Numbers read from variables (inputs, outputs) arrive as plain JS numbers: a non-integral one is
 * necessarily a double and prints like one, but an integral one (a FLOAT input given as 1, say) cannot be
 * told from a Java long and prints as an integer.
 *
 * The box never leaves the evaluator: it survives `{% set %}`, `??`, the ternary and printing, and is
 * unwrapped to a plain number wherever a value goes elsewhere (into a list or a map, to a filter, a test or
 * a function, to a member lookup, and out of evaluate()), where the mark is dropped.
 */
export class JavaDouble {
  constructor(readonly value: number) {}
}

/** The plain value behind a possibly boxed double. */
export function plain(value: unknown): unknown {
  return value instanceof JavaDouble ? value.value : value;
}

export function isInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value);
}

/** Names a value's type for error messages, never its content (it may be a secret). */
export function describe(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'number' || value instanceof JavaDouble) return 'a number';
  if (typeof value === 'boolean') return 'a boolean';
  if (Array.isArray(value)) return 'a list';
  if (isDate(value)) return 'a date';
  if (isMap(value)) return 'a map';
  return 'an unsupported value';
}

/** Data values pass; functions and symbols are not data and are treated as absent. */
function asData(value: unknown): Maybe {
  if (value === undefined) return null;
  const kind = typeof value;
  if (kind === 'function' || kind === 'symbol') return MISSING;
  if (kind === 'bigint') return Number(value);
  return value;
}

/** Reads an own data property of a plain map, or an element of a list; never walks a prototype. */
export function getMember(target: unknown, key: unknown): Maybe {
  if (Array.isArray(target)) {
    let index = Number.NaN;
    if (typeof key === 'number') index = key;
    else if (typeof key === 'string' && /^\d{1,15}$/.test(key)) index = Number(key);
    if (!Number.isInteger(index) || index < 0 || index >= target.length) return MISSING;
    const descriptor = Object.getOwnPropertyDescriptor(target, index);
    return descriptor && 'value' in descriptor ? asData(descriptor.value) : MISSING;
  }
  if (isMap(target)) {
    let name: string;
    if (typeof key === 'string') name = key;
    else if (typeof key === 'number' || typeof key === 'boolean') name = String(key);
    else return MISSING;
    const descriptor = Object.getOwnPropertyDescriptor(target, name);
    return descriptor && 'value' in descriptor ? asData(descriptor.value) : MISSING;
  }
  return MISSING;
}

/** Root variables may be any object; only its own data properties are visible. */
export function getVariable(root: object, name: string): Maybe {
  const descriptor = Object.getOwnPropertyDescriptor(root, name);
  return descriptor && 'value' in descriptor ? asData(descriptor.value) : MISSING;
}

export function mapEntries(map: PlainMap): [string, unknown][] {
  const result: [string, unknown][] = [];
  for (const key of Object.keys(map)) {
    const value = getMember(map, key);
    if (value !== MISSING) result.push([key, value]);
  }
  return result;
}

export function listItems(list: unknown[]): unknown[] {
  const result = new Array<unknown>(list.length);
  for (let i = 0; i < list.length; i++) {
    const value = getMember(list, i);
    result[i] = value === MISSING ? null : value;
  }
  return result;
}

/** Builds a map without ever invoking the `__proto__` setter. */
export function makeMap(entries: Iterable<readonly [string, unknown]>): PlainMap {
  return Object.fromEntries(entries);
}

export function truthy(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  switch (typeof value) {
    case 'boolean':
      return value;
    case 'number':
      return value !== 0 && !Number.isNaN(value);
    case 'string':
      return value.length > 0;
  }
  if (Array.isArray(value)) return value.length > 0;
  if (isMap(value)) return Object.keys(value).length > 0;
  return true;
}

/** Pebble's `empty`: null, blank string, empty list, empty map. */
export function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value === 'string') return value.trim() === '';
  if (Array.isArray(value)) return value.length === 0;
  if (isMap(value)) return Object.keys(value).length === 0;
  return false;
}

/**
 * Lets long walks over data check the render's clock: a template can build a structure whose size doubles
 * at each step (`{% set m = {'l': m, 'r': m} %}`) and comparing two such would otherwise never end.
 */
export interface Stepper {
  step(): void;
}

const NO_CLOCK: Stepper = { step() {} };

export function equals(a: unknown, b: unknown, clock: Stepper = NO_CLOCK): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  clock.step();
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!equals(a[i], b[i], clock)) return false;
    return true;
  }
  if (isDate(a)) return isDate(b) && a.getTime() === b.getTime();
  if (isMap(a)) {
    if (!isMap(b)) return false;
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    for (const key of keys) {
      if (!Object.hasOwn(b, key) || !equals(a[key], b[key], clock)) return false;
    }
    return true;
  }
  return false;
}

/** Ordering for `<`, sort, min and max: numbers with numbers, strings with strings, dates with dates. */
export function compare(a: unknown, b: unknown, what: string): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (isDate(a) && isDate(b)) return a.getTime() - b.getTime();
  throw new Fault(`${what} cannot compare ${describe(a)} with ${describe(b)}`);
}

/**
 * `in` and `contains`: element of a list, key of a map, substring of a string. Pebble's `contains` with a
 * list on the right asks for all of its items.
 */
export function contains(
  container: unknown,
  item: unknown,
  what: string,
  listMeansAll = false,
  clock: Stepper = NO_CLOCK,
): boolean {
  if (container === null || container === undefined) return false;
  if (Array.isArray(container)) {
    if (listMeansAll && Array.isArray(item)) {
      return item.every((wanted) => container.some((element) => equals(element, wanted, clock)));
    }
    return container.some((element) => equals(element, item, clock));
  }
  if (typeof container === 'string') {
    if (typeof item === 'string') return container.includes(item);
    if (typeof item === 'number' || typeof item === 'boolean') return container.includes(String(item));
    return false;
  }
  if (isMap(container)) {
    if (typeof item !== 'string' && typeof item !== 'number') return false;
    return getMember(container, item) !== MISSING;
  }
  throw new Fault(
    `${what} expects a list, a map or a string on the container side, got ${describe(container)}`,
  );
}
