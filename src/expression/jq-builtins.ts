// jq's built-in functions, run by the interpreter in jq.ts.
import type { Interpreter } from './jq.js';
import type { Query } from './jq-parse.js';
import { error, index, JqError, truthy, typeOf, type Vars } from './jq-values.js';
import { isMap, makeMap, mapEntries } from './values.js';

type Builtin = (jq: Interpreter, input: unknown, args: Query[], vars: Vars) => Iterable<unknown>;

const identityKey = (item: unknown): unknown[] => [item];

/** Functions of no argument: one result from the input. */
export const NULLARY: Record<string, (jq: Interpreter, input: unknown) => unknown> = {
  not: (_jq, input) => !truthy(input),
  length: (jq, input) => jq.length(input),
  utf8bytelength: (jq, input) => Buffer.byteLength(jq.string(input, 'measured'), 'utf8'),
  keys: (jq, input) => jq.keys(input, true),
  keys_unsorted: (jq, input) => jq.keys(input, false),
  type: (_jq, input) => typeOf(input),
  add: (jq, input) => jq.add(input),
  any: (_jq, input) => Array.isArray(input) && input.some(truthy),
  all: (_jq, input) => Array.isArray(input) && input.every(truthy),
  flatten: (jq, input) => jq.flatten(input, Number.POSITIVE_INFINITY),
  floor: (jq, input) => Math.floor(jq.number(input)),
  ceil: (jq, input) => Math.ceil(jq.number(input)),
  round: (jq, input) => Math.round(jq.number(input)),
  sqrt: (jq, input) => Math.sqrt(jq.number(input)),
  fabs: (jq, input) => Math.abs(jq.number(input)),
  abs: (jq, input) => Math.abs(jq.number(input)),
  tostring: (jq, input) => jq.tostring(input),
  tonumber: (jq, input) => jq.number(input),
  tojson: (jq, input) => jq.json(input),
  fromjson: (jq, input) => jq.fromjson(input),
  ascii_downcase: (jq, input) => jq.string(input, 'lowercased').replace(/[A-Z]/g, (c) => c.toLowerCase()),
  ascii_upcase: (jq, input) => jq.string(input, 'uppercased').replace(/[a-z]/g, (c) => c.toUpperCase()),
  trim: (jq, input) => jq.string(input, 'trimmed').trim(),
  ltrim: (jq, input) => jq.string(input, 'trimmed').trimStart(),
  rtrim: (jq, input) => jq.string(input, 'trimmed').trimEnd(),
  explode: (jq, input) => [...jq.string(input, 'exploded')].map((c) => c.codePointAt(0)),
  implode: (_jq, input) => {
    if (!Array.isArray(input) || !input.every((c) => typeof c === 'number'))
      throw error('Implode input must be an array of codepoints');
    return String.fromCodePoint(...(input as number[]));
  },
  reverse: (_jq, input) =>
    typeof input === 'string'
      ? [...input].reverse().join('')
      : input === null
        ? []
        : [...(input as unknown[])].reverse(),
  sort: (jq, input) => jq.sortBy(input, identityKey),
  unique: (jq, input) => jq.unique(input, identityKey),
  min: (jq, input) => jq.minMax(input, identityKey, -1),
  max: (jq, input) => jq.minMax(input, identityKey, 1),
  to_entries: (jq, input) => jq.entries(input),
  from_entries: (jq, input) => jq.fromEntries(input),
  first: (_jq, input) => (Array.isArray(input) ? (input[0] ?? null) : index(input, 0)),
  last: (_jq, input) => (Array.isArray(input) ? (input[input.length - 1] ?? null) : index(input, -1)),
  ascii: (_jq, input) => String.fromCharCode(input as number),
  infinite: () => Number.POSITIVE_INFINITY,
  nan: () => Number.NaN,
  isnan: (_jq, input) => typeof input === 'number' && Number.isNaN(input),
  isinfinite: (_jq, input) => typeof input === 'number' && !Number.isFinite(input) && !Number.isNaN(input),
  isnormal: (_jq, input) => typeof input === 'number' && Number.isFinite(input) && input !== 0,
  now: () => Date.now() / 1000,
  todate: (jq, input) => new Date(jq.number(input) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
  fromdate: (jq, input) => {
    const ms = Date.parse(jq.string(input, 'parsed as a date'));
    if (Number.isNaN(ms)) throw error(`date "${String(input)}" does not match format "%Y-%m-%dT%H:%M:%SZ"`);
    return Math.floor(ms / 1000);
  },
};

/** Functions of one argument evaluated to values first (one result per argument value). */
export const UNARY: Record<string, (jq: Interpreter, input: unknown, arg: unknown) => unknown> = {
  has: (jq, input, key) => jq.has(input, key),
  in: (jq, input, object) => jq.has(object, input),
  contains: (jq, input, b) => jq.contains(input, b),
  inside: (jq, input, b) => jq.contains(b, input),
  startswith: (jq, input, prefix) =>
    jq.string(input, 'checked').startsWith(jq.string(prefix, 'used as a prefix')),
  endswith: (jq, input, suffix) =>
    jq.string(input, 'checked').endsWith(jq.string(suffix, 'used as a suffix')),
  ltrimstr: (_jq, input, prefix) =>
    typeof input === 'string' && typeof prefix === 'string' && input.startsWith(prefix)
      ? input.slice(prefix.length)
      : input,
  rtrimstr: (_jq, input, suffix) =>
    typeof input === 'string' && typeof suffix === 'string' && suffix !== '' && input.endsWith(suffix)
      ? input.slice(0, input.length - suffix.length)
      : input,
  split: (jq, input, separator) =>
    jq.splitText(jq.string(input, 'split'), jq.string(separator, 'used as a separator')),
  join: (jq, input, separator) => {
    if (!Array.isArray(input)) throw error(`Cannot iterate over ${typeOf(input)}`);
    const sep = jq.string(separator, 'used as a separator');
    return jq.text(
      input
        .map((item) => {
          if (item === null) return '';
          if (typeof item === 'object') throw error(`Cannot join with ${typeOf(item)}`);
          return String(item);
        })
        .join(sep),
    );
  },
  test: (jq, input, pattern) => jq.test(input, pattern, null),
  flatten: (jq, input, depth) => jq.flatten(input, depth as number),
  getpath: (jq, input, path) => jq.path(input, path),
  index: (jq, input, target) => {
    const found = jq.indices(input, target);
    return Array.isArray(found) ? (found[0] ?? null) : null;
  },
  rindex: (jq, input, target) => {
    const found = jq.indices(input, target);
    return Array.isArray(found) ? (found[found.length - 1] ?? null) : null;
  },
  indices: (jq, input, target) => jq.indices(input, target),
  error: (_jq, _input, message) => {
    throw new JqError(message);
  },
};

/** Functions whose arguments are filters run against each item (closures, as in jq). */
export const BUILTINS: Record<string, Builtin> = {
  'empty/0': function* () {},
  'error/0': (_jq, input) => {
    throw new JqError(input);
  },
  'values/0': function* (_jq, input) {
    if (input !== null) yield input;
  },
  'nulls/0': function* (_jq, input) {
    if (input === null) yield input;
  },
  'booleans/0': typed('boolean'),
  'numbers/0': typed('number'),
  'strings/0': typed('string'),
  'arrays/0': typed('array'),
  'objects/0': typed('object'),
  'iterables/0': function* (_jq, input) {
    if (Array.isArray(input) || isMap(input)) yield input;
  },
  'scalars/0': function* (_jq, input) {
    if (!Array.isArray(input) && !isMap(input)) yield input;
  },
  'select/1': function* (jq, input, [f], vars) {
    for (const keep of jq.run(f, input, vars)) if (truthy(keep)) yield input;
  },
  'map/1': function* (jq, input, [f], vars) {
    if (!Array.isArray(input) && !isMap(input)) throw error(`Cannot iterate over ${typeOf(input)}`);
    const items = Array.isArray(input) ? input : mapEntries(input).map(([, v]) => v);
    const out: unknown[] = [];
    for (const item of items)
      for (const value of jq.run(f, item, vars)) out.push((jq.budget.iterate(), value));
    yield out;
  },
  'map_values/1': function* (jq, input, [f], vars) {
    if (Array.isArray(input)) {
      yield input.flatMap((item) => {
        const first = jq.run(f, item, vars).next();
        return first.done ? [] : [first.value];
      });
    } else if (isMap(input)) {
      const entries: [string, unknown][] = [];
      for (const [key, item] of mapEntries(input)) {
        const first = jq.run(f, item, vars).next();
        if (!first.done) entries.push([key, first.value]);
      }
      yield makeMap(entries);
    } else throw error(`Cannot iterate over ${typeOf(input)}`);
  },
  'splits/1': function* (jq, input, [pattern], vars) {
    for (const p of jq.collect(pattern, input, vars)) yield* jq.regexSplit(input, p, null);
  },
  'splits/2': function* (jq, input, [pattern, flags], vars) {
    for (const f of jq.collect(flags, input, vars))
      for (const p of jq.collect(pattern, input, vars)) yield* jq.regexSplit(input, p, f);
  },
  'split/2': function* (jq, input, [pattern, flags], vars) {
    for (const f of jq.collect(flags, input, vars))
      for (const p of jq.collect(pattern, input, vars)) yield jq.regexSplit(input, p, f);
  },
  'with_entries/1': function* (jq, input, [f], vars) {
    const mapped: unknown[] = [];
    for (const entry of jq.entries(input)) for (const value of jq.run(f, entry, vars)) mapped.push(value);
    yield jq.fromEntries(mapped);
  },
  'recurse/0': function* (jq, input) {
    yield* jq.run({ t: 'recurse' }, input, new Map());
  },
  'recurse/1': function* (jq, input, [f], vars) {
    const stack: unknown[] = [input];
    while (stack.length > 0) {
      const value = stack.pop();
      jq.budget.step();
      yield value;
      stack.push(...[...jq.run(f, value, vars)].reverse());
    }
  },
  'range/1': function* (jq, input, [upto], vars) {
    for (const n of jq.collect(upto, input, vars)) yield* jq.range(0, n, 1);
  },
  'range/2': function* (jq, input, [from, upto], vars) {
    for (const a of jq.collect(from, input, vars))
      for (const b of jq.collect(upto, input, vars)) yield* jq.range(a, b, 1);
  },
  'range/3': function* (jq, input, [from, upto, by], vars) {
    for (const a of jq.collect(from, input, vars))
      for (const b of jq.collect(upto, input, vars))
        for (const c of jq.collect(by, input, vars)) yield* jq.range(a, b, c);
  },
  'sort_by/1': function* (jq, input, [f], vars) {
    yield jq.sortBy(input, jq.keyFn(f, vars));
  },
  'group_by/1': function* (jq, input, [f], vars) {
    yield jq.groupBy(input, jq.keyFn(f, vars));
  },
  'unique_by/1': function* (jq, input, [f], vars) {
    yield jq.unique(input, jq.keyFn(f, vars));
  },
  'min_by/1': function* (jq, input, [f], vars) {
    yield jq.minMax(input, jq.keyFn(f, vars), -1);
  },
  'max_by/1': function* (jq, input, [f], vars) {
    yield jq.minMax(input, jq.keyFn(f, vars), 1);
  },
  'any/1': function* (jq, input, [f], vars) {
    if (!Array.isArray(input)) throw error(`Cannot iterate over ${typeOf(input)}`);
    yield input.some((item) => [...jq.run(f, item, vars)].some(truthy));
  },
  'all/1': function* (jq, input, [f], vars) {
    if (!Array.isArray(input)) throw error(`Cannot iterate over ${typeOf(input)}`);
    yield input.every((item) => [...jq.run(f, item, vars)].every(truthy));
  },
  'any/2': function* (jq, input, [gen, cond], vars) {
    let found = false;
    for (const item of jq.run(gen, input, vars))
      if ([...jq.run(cond, item, vars)].some(truthy)) {
        found = true;
        break;
      }
    yield found;
  },
  'all/2': function* (jq, input, [gen, cond], vars) {
    let ok = true;
    for (const item of jq.run(gen, input, vars))
      if (![...jq.run(cond, item, vars)].every(truthy)) {
        ok = false;
        break;
      }
    yield ok;
  },
  'first/1': function* (jq, input, [f], vars) {
    const first = jq.run(f, input, vars).next();
    if (!first.done) yield first.value;
  },
  'last/1': function* (jq, input, [f], vars) {
    let last: { value: unknown } | null = null;
    for (const value of jq.run(f, input, vars)) last = { value };
    if (last) yield last.value;
  },
  'limit/2': function* (jq, input, [n, f], vars) {
    for (const count of jq.collect(n, input, vars)) yield* jq.limit(count, f, input, vars);
  },
  'isempty/1': function* (jq, input, [f], vars) {
    yield jq.run(f, input, vars).next().done === true;
  },
  'until/2': function* (jq, input, [cond, update], vars) {
    let value = input;
    for (;;) {
      jq.budget.step();
      if ([...jq.run(cond, value, vars)].some(truthy)) break;
      const next = jq.run(update, value, vars).next();
      if (next.done) return;
      value = next.value;
    }
    yield value;
  },
  'while/2': function* (jq, input, [cond, update], vars) {
    let value = input;
    while ([...jq.run(cond, value, vars)].some(truthy)) {
      jq.budget.step();
      yield value;
      const next = jq.run(update, value, vars).next();
      if (next.done) return;
      value = next.value;
    }
  },
  'repeat/1': function* (jq, input, [f], vars) {
    let value = input;
    for (;;) {
      jq.budget.step();
      yield value;
      const next = jq.run(f, value, vars).next();
      if (next.done) return;
      value = next.value;
    }
  },
  'paths/0': function* (jq, input) {
    yield* jq.paths(input);
  },
  'paths/1': function* (jq, input, [f], vars) {
    for (const path of jq.paths(input)) {
      if ([...jq.run(f, jq.path(input, path), vars)].some(truthy)) yield path;
    }
  },
  'leaf_paths/0': function* (jq, input) {
    for (const path of jq.paths(input)) {
      const value = jq.path(input, path);
      if (!Array.isArray(value) && !isMap(value)) yield path;
    }
  },
  'test/2': function* (jq, input, [pattern, flags], vars) {
    for (const f of jq.collect(flags, input, vars))
      for (const p of jq.collect(pattern, input, vars)) yield jq.test(input, p, f);
  },
  'sub/2': substitute(false),
  'sub/3': substitute(false),
  'gsub/2': substitute(true),
  'gsub/3': substitute(true),
  'env/0': function* () {
    // the process environment is never visible to a template
    yield {};
  },
  'builtins/0': function* () {
    yield [
      ...Object.keys(BUILTINS),
      ...Object.keys(NULLARY).map((n) => `${n}/0`),
      ...Object.keys(UNARY).map((n) => `${n}/1`),
    ];
  },
};

/** sub and gsub over every combination of pattern, replacement and flags; a `g` flag makes sub global. */
function substitute(global: boolean): Builtin {
  return function* (jq, input, [pattern, replacement, flags], vars) {
    for (const f of flags ? jq.collect(flags, input, vars) : [null])
      for (const r of jq.collect(replacement, input, vars))
        for (const p of jq.collect(pattern, input, vars))
          yield jq.replace(input, p, r, f, global || (typeof f === 'string' && f.includes('g')));
  };
}

function typed(type: string): Builtin {
  return function* (_jq, input) {
    if (typeOf(input) === type) yield input;
  };
}
