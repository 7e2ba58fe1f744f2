import { Fault } from './errors.js';
import type { TestDef } from './registry.js';
import { describe, isEmpty, isMap } from './values.js';

function integerPart(input: unknown, name: string): number {
  if (typeof input !== 'number') throw new Fault(`test \`${name}\` expects a number, got ${describe(input)}`);
  return Math.trunc(input);
}

function isJson(input: unknown): boolean {
  if (typeof input !== 'string') return false;
  try {
    JSON.parse(input);
    return true;
  } catch {
    return false;
  }
}

/** `is defined` is not here: it has to see a missing value, which the evaluator handles itself. */
export const TESTS: ReadonlyMap<string, TestDef> = new Map<string, TestDef>([
  ['null', { apply: (input) => input === null }],
  ['none', { apply: (input) => input === null }],
  ['empty', { apply: (input) => isEmpty(input) }],
  ['even', { apply: (input) => integerPart(input, 'even') % 2 === 0 }],
  ['odd', { apply: (input) => Math.abs(integerPart(input, 'odd') % 2) === 1 }],
  // Pebble's: a Java Map is not Iterable, so maps are not.
  ['iterable', { apply: (input) => Array.isArray(input) }],
  ['map', { apply: (input) => isMap(input) }],
  ['list', { apply: (input) => Array.isArray(input) }],
  ['number', { apply: (input) => typeof input === 'number' }],
  ['string', { apply: (input) => typeof input === 'string' }],
  ['boolean', { apply: (input) => typeof input === 'boolean' }],
  ['json', { apply: isJson }],
]);
