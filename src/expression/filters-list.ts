import type { Args } from './args.js';
import { Fault } from './errors.js';
import { toJson, toText } from './output.js';
import type { CallEnv, FilterDef } from './registry.js';
import { compare, describe, isEmpty, isMap, listItems, makeMap, mapEntries } from './values.js';

function filter(name: string, args: readonly string[], apply: FilterDef['apply']): [string, FilterDef] {
  return [name, { args, apply }];
}

/** A filter on lists; null passes through as null, as in Pebble. */
function list(
  name: string,
  args: readonly string[],
  apply: (input: unknown[], args: Args, env: CallEnv) => unknown,
): [string, FilterDef] {
  return filter(name, args, (input, parsed, env) => {
    if (input === null || input === undefined) return null;
    if (!Array.isArray(input)) throw new Fault(`filter \`${name}\` expects a list, got ${describe(input)}`);
    return apply(listItems(input), parsed, env);
  });
}

function sorted(items: unknown[], name: string): unknown[] {
  return [...items].sort((a, b) => compare(a, b, `filter \`${name}\``));
}

/** Identity for `distinct`: primitives by type and value, structures by their JSON. */
function identity(value: unknown, maxLength: number): string {
  if (value === null || typeof value !== 'object') return `${typeof value}:${String(value)}`;
  return `json:${toJson(value, maxLength)}`;
}

function distinct(items: unknown[], env: CallEnv): unknown[] {
  const seen = new Set<string>();
  const result: unknown[] = [];
  for (const item of items) {
    // Each identity may be a large JSON text: read the clock every time, not every few hundred steps.
    env.budget.checkTime();
    const key = identity(item, env.budget.limits.maxOutputLength);
    if (!seen.has(key)) {
      seen.add(key);
      result.push(item);
    }
  }
  return result;
}

function firstOrLast(name: 'first' | 'last'): [string, FilterDef] {
  return filter(name, [], (input) => {
    if (input === null) return null;
    if (typeof input === 'string')
      return input === '' ? null : name === 'first' ? input[0] : input[input.length - 1];
    if (Array.isArray(input)) {
      const items = listItems(input);
      return (name === 'first' ? items[0] : items[items.length - 1]) ?? null;
    }
    throw new Fault(`filter \`${name}\` expects a list or a string, got ${describe(input)}`);
  });
}

function slice(input: unknown, args: Args): unknown {
  if (input === null) return null;
  const length = typeof input === 'string' || Array.isArray(input) ? input.length : -1;
  if (length < 0) throw new Fault(`filter \`slice\` expects a list or a string, got ${describe(input)}`);
  const from = args.integer('fromIndex', 0);
  const to = args.integer('toIndex', length);
  if (from < 0) throw new Fault('filter `slice` expects fromIndex to be zero or more');
  if (to > length)
    throw new Fault(`filter \`slice\` expects toIndex to be at most the input's length (${length})`);
  if (from > to) throw new Fault('filter `slice` expects toIndex to be greater than fromIndex');
  return typeof input === 'string' ? input.slice(from, to) : listItems(input as unknown[]).slice(from, to);
}

export const listFilters: [string, FilterDef][] = [
  filter('length', [], (input) => {
    if (input === null) return 0;
    if (typeof input === 'string' || Array.isArray(input)) return input.length;
    if (isMap(input)) return Object.keys(input).length;
    throw new Fault(`filter \`length\` expects a string, a list or a map, got ${describe(input)}`);
  }),
  list('join', ['separator'], (items, args, env) => {
    const separator = args.string('separator', '');
    // Checked item by item: a list of many large maps must fail before all their JSON exists.
    let length = 0;
    const texts = items.map((item, index) => {
      const text = toText(item, env.budget.limits.maxOutputLength);
      length += text.length + (index > 0 ? separator.length : 0);
      env.budget.reserveText(length);
      return text;
    });
    return texts.join(separator);
  }),
  firstOrLast('first'),
  firstOrLast('last'),
  filter('keys', [], (input) => {
    if (input === null) return null;
    if (isMap(input)) return mapEntries(input).map(([key]) => key);
    if (Array.isArray(input)) return input.map((_, index) => index);
    throw new Fault(`filter \`keys\` expects a map, got ${describe(input)}`);
  }),
  filter('values', [], (input) => {
    if (input === null) return null;
    if (isMap(input)) return mapEntries(input).map(([, value]) => value);
    throw new Fault(`filter \`values\` expects a map, got ${describe(input)}`);
  }),
  filter('slice', ['fromIndex', 'toIndex'], (input, args) => slice(input, args)),
  list('sort', [], (items) => sorted(items, 'sort')),
  list('rsort', [], (items) => sorted(items, 'rsort').reverse()),
  filter('reverse', [], (input) => {
    if (input === null) return null;
    if (typeof input === 'string') return [...input].reverse().join('');
    if (Array.isArray(input)) return listItems(input).reverse();
    throw new Fault(`filter \`reverse\` expects a list or a string, got ${describe(input)}`);
  }),
  list('chunk', ['size'], (items, args) => {
    const size = args.integer('size');
    if (size < 1) throw new Fault('filter `chunk` expects a size of at least 1');
    const chunks: unknown[][] = [];
    for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
    return chunks;
  }),
  list('distinct', [], (items, _args, env) => distinct(items, env)),
  list('unique', [], (items, _args, env) => distinct(items, env)),
  list('flatten', [], (items, _args, env) =>
    env.budget.list(items.flatMap((item) => (Array.isArray(item) ? listItems(item) : [item]))),
  ),
  filter('merge', ['items'], (input, args, env) => {
    const other = args.required('items');
    if (Array.isArray(input) && Array.isArray(other))
      return env.budget.list([...listItems(input), ...listItems(other)]);
    if (isMap(input) && isMap(other)) return makeMap([...mapEntries(input), ...mapEntries(other)]);
    throw new Fault(
      `filter \`merge\` expects two lists or two maps, got ${describe(input)} and ${describe(other)}`,
    );
  }),
  [
    'default',
    {
      args: ['default'],
      acceptsMissing: true,
      apply: (input, args) => (input === undefined || isEmpty(input) ? args.get('default') : input),
    },
  ],
];
