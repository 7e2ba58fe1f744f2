// The `jq` filter. The jq implementations on npm either run jq's C code (a native binary, or emscripten
// WebAssembly) or are pure-JS interpreters whose loops cannot be interrupted: `[range(1e9)]` or
// `last(repeat(.))` would hold the process whatever the render's limits. This is a subset of jq written
// for the render budget: every value produced is a step of the render's clock, every collected list item
// counts against its iteration limit and every built string against its size limit. It covers paths,
// iteration, pipes, comma, construction, arithmetic, comparison, `//`, `if`, `try`, `reduce`, `foreach`,
// `as $x` and the common built-ins; `def`, assignment operators and path functions are refused at parse.
import { RE2JS } from 're2js';
import { LruCache } from './lru.js';
import { parseJq, type Query } from './jq-parse.js';
import type { Budget } from './limits.js';
import { toJson } from './output.js';
import { BUILTINS, NULLARY, UNARY } from './jq-builtins.js';
import {
  brief,
  compare,
  error,
  index,
  JqError,
  own,
  sliceOf,
  truthy,
  typeOf,
  type Vars,
} from './jq-values.js';
import { equals, isMap, makeMap, mapEntries, type PlainMap } from './values.js';

export class Interpreter {
  constructor(readonly budget: Budget) {}

  text(value: string): string {
    return this.budget.text(value);
  }

  *run(q: Query, input: unknown, vars: Vars): Generator<unknown> {
    this.budget.step();
    switch (q.t) {
      case 'identity':
        yield input;
        return;
      case 'recurse':
        yield* this.descend(input, (v) => this.children(v));
        return;
      case 'field':
        for (const target of this.run(q.of, input, vars)) yield index(target, q.name);
        return;
      case 'index':
        for (const target of this.run(q.of, input, vars))
          for (const key of this.run(q.index, input, vars)) yield index(target, key);
        return;
      case 'slice':
        for (const target of this.run(q.of, input, vars))
          for (const to of q.to ? this.run(q.to, input, vars) : [null])
            for (const from of q.from ? this.run(q.from, input, vars) : [null])
              yield sliceOf(target, from, to);
        return;
      case 'iterate':
        for (const target of this.run(q.of, input, vars)) yield* this.children(target, true);
        return;
      case 'literal':
        yield q.value;
        return;
      case 'string':
        yield* this.interpolate(q.parts, q.format, input, vars, 0, '');
        return;
      case 'format':
        yield this.format(q.name, input);
        return;
      case 'array':
        yield q.body ? this.collect(q.body, input, vars) : [];
        return;
      case 'object':
        yield* this.object(q.entries, 0, input, vars, []);
        return;
      case 'pipe':
        for (const value of this.run(q.left, input, vars)) yield* this.run(q.right, value, vars);
        return;
      case 'comma':
        yield* this.run(q.left, input, vars);
        yield* this.run(q.right, input, vars);
        return;
      case 'and':
      case 'or':
        for (const left of this.run(q.left, input, vars)) {
          if (q.t === 'and' ? !truthy(left) : truthy(left)) {
            yield q.t === 'or';
            continue;
          }
          for (const right of this.run(q.right, input, vars)) yield truthy(right);
        }
        return;
      case 'alt': {
        let any = false;
        try {
          for (const value of this.run(q.left, input, vars)) {
            if (truthy(value)) {
              any = true;
              yield value;
            }
          }
        } catch (caught) {
          if (!(caught instanceof JqError)) throw caught;
        }
        if (!any) yield* this.run(q.right, input, vars);
        return;
      }
      case 'binop':
        for (const right of this.run(q.right, input, vars))
          for (const left of this.run(q.left, input, vars)) yield this.binary(q.op, left, right);
        return;
      case 'neg':
        for (const value of this.run(q.of, input, vars)) {
          if (typeof value !== 'number') throw error(`${typeOf(value)} (${brief(value)}) cannot be negated`);
          yield -value;
        }
        return;
      case 'bind':
        for (const value of this.run(q.source, input, vars)) {
          yield* this.run(q.body, input, new Map(vars).set(q.name, value));
        }
        return;
      case 'if':
        for (const cond of this.run(q.cond, input, vars)) {
          if (truthy(cond)) yield* this.run(q.then, input, vars);
          else if (q.otherwise) yield* this.run(q.otherwise, input, vars);
          else yield input;
        }
        return;
      case 'try':
        try {
          for (const value of this.run(q.body, input, vars)) yield value;
        } catch (caught) {
          if (!(caught instanceof JqError)) throw caught;
          if (q.handler) yield* this.run(q.handler, caught.value, vars);
        }
        return;
      case 'reduce': {
        let accumulators = [...this.run(q.init, input, vars)];
        for (const item of this.run(q.source, input, vars)) {
          const scoped = new Map(vars).set(q.name, item);
          accumulators = accumulators.flatMap((acc) => {
            const results = [...this.run(q.update, acc, scoped)];
            return results.length > 0 ? [results[results.length - 1]] : [null];
          });
        }
        yield* accumulators;
        return;
      }
      case 'foreach':
        for (const init of this.run(q.init, input, vars)) {
          let acc = init;
          for (const item of this.run(q.source, input, vars)) {
            const scoped = new Map(vars).set(q.name, item);
            for (const next of this.run(q.update, acc, scoped)) {
              acc = next;
              if (q.extract) yield* this.run(q.extract, next, scoped);
              else yield next;
            }
          }
        }
        return;
      case 'var':
        if (q.name === 'ENV' || q.name === '__loc__') {
          yield q.name === 'ENV' ? {} : { file: '<expression>', line: 1 };
          return;
        }
        if (!vars.has(q.name)) throw error(`$${q.name} is not defined`);
        yield vars.get(q.name);
        return;
      case 'call':
        yield* this.call(q.name, q.args, input, vars);
        return;
    }
  }

  /** Every output of `q`, as a list whose length counts against the iteration limit. */
  collect(q: Query, input: unknown, vars: Vars): unknown[] {
    const out: unknown[] = [];
    for (const value of this.run(q, input, vars)) {
      this.budget.iterate();
      out.push(value);
    }
    return out;
  }

  private one(q: Query, input: unknown, vars: Vars): unknown[] {
    return [...this.run(q, input, vars)];
  }

  private *children(value: unknown, strict = false): Generator<unknown> {
    if (Array.isArray(value)) yield* value;
    else if (isMap(value)) for (const [, item] of mapEntries(value)) yield item;
    else if (strict)
      throw error(`Cannot iterate over ${typeOf(value)}${value === null ? '' : ` (${brief(value)})`}`);
  }

  /** Depth-first, parents first, without recursion: a deep value cannot overflow the stack. */
  private *descend(start: unknown, next: (value: unknown) => Iterable<unknown>): Generator<unknown> {
    const stack: Iterator<unknown>[] = [[start][Symbol.iterator]()];
    while (stack.length > 0) {
      const step = stack[stack.length - 1].next();
      if (step.done) {
        stack.pop();
        continue;
      }
      this.budget.step();
      yield step.value;
      stack.push(next(step.value)[Symbol.iterator]());
    }
  }

  private *interpolate(
    parts: (string | Query)[],
    format: string | null,
    input: unknown,
    vars: Vars,
    at: number,
    prefix: string,
  ): Generator<unknown> {
    if (at === parts.length) {
      yield this.text(prefix);
      return;
    }
    const part = parts[at];
    if (typeof part === 'string') {
      yield* this.interpolate(parts, format, input, vars, at + 1, this.text(prefix + part));
      return;
    }
    for (const value of this.run(part, input, vars)) {
      const piece = format ? this.format(format, value) : this.tostring(value);
      yield* this.interpolate(parts, format, input, vars, at + 1, this.text(prefix + piece));
    }
  }

  private *object(
    entries: { key: Query; value: Query }[],
    at: number,
    input: unknown,
    vars: Vars,
    built: [string, unknown][],
  ): Generator<unknown> {
    if (at === entries.length) {
      yield makeMap(built);
      return;
    }
    const entry = entries[at];
    for (const key of this.run(entry.key, input, vars)) {
      if (typeof key !== 'string') throw error(`Object keys must be strings`);
      for (const value of this.run(entry.value, input, vars)) {
        yield* this.object(entries, at + 1, input, vars, [...built, [key, value]]);
      }
    }
  }

  tostring(value: unknown): string {
    return typeof value === 'string' ? value : this.json(value);
  }

  json(value: unknown): string {
    return toJson(value, this.budget.limits.maxOutputLength);
  }

  private format(name: string, value: unknown): string {
    const text = this.tostring(value);
    switch (name) {
      case 'text':
        return text;
      case 'json':
        return this.json(value);
      case 'base64':
        return Buffer.from(text, 'utf8').toString('base64');
      case 'base64d':
        return Buffer.from(text, 'base64').toString('utf8');
      case 'uri':
        return encodeURIComponent(text).replace(
          /[!'()*]/g,
          (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
        );
      case 'html':
        return text.replace(/[<>&'"]/g, (c) => HTML[c]);
      case 'sh':
        return (Array.isArray(value) ? value : [value])
          .map((item) => {
            if (typeof item === 'string') return `'${item.replaceAll("'", "'\\''")}'`;
            if (item !== null && typeof item === 'object')
              throw error(`${typeOf(item)} can not be escaped for shell`);
            return this.tostring(item);
          })
          .join(' ');
      case 'csv':
      case 'tsv': {
        if (!Array.isArray(value))
          throw error(`${typeOf(value)} cannot be ${name}-formatted, only an array can be`);
        return value
          .map((item) => {
            if (item !== null && typeof item === 'object')
              throw error(`${typeOf(item)} is not valid in a csv row`);
            if (typeof item !== 'string') return item === null ? '' : this.tostring(item);
            return name === 'csv'
              ? `"${item.replaceAll('"', '""')}"`
              : item.replace(/[\\\t\n\r]/g, (c) => TSV[c]);
          })
          .join(name === 'csv' ? ',' : '\t');
      }
    }
    throw error(`${name} is not a valid format`);
  }

  private binary(op: string, a: unknown, b: unknown): unknown {
    switch (op) {
      case '==':
        return equals(a, b);
      case '!=':
        return !equals(a, b);
      case '<':
        return compare(a, b) < 0;
      case '<=':
        return compare(a, b) <= 0;
      case '>':
        return compare(a, b) > 0;
      case '>=':
        return compare(a, b) >= 0;
    }
    const ta = typeOf(a);
    const tb = typeOf(b);
    const refuse = (): JqError => error(`${ta} (${brief(a)}) and ${tb} (${brief(b)}) cannot be ${VERBS[op]}`);
    if (op === '+') {
      if (a === null) return b;
      if (b === null) return a;
      if (ta !== tb) throw refuse();
      if (ta === 'number') return (a as number) + (b as number);
      if (ta === 'string') return this.text((a as string) + (b as string));
      if (ta === 'array') {
        this.budget.reserveList((a as unknown[]).length + (b as unknown[]).length);
        return [...(a as unknown[]), ...(b as unknown[])];
      }
      if (ta === 'object') return makeMap([...mapEntries(a as PlainMap), ...mapEntries(b as PlainMap)]);
      throw refuse();
    }
    if (op === '-') {
      if (ta === 'number' && tb === 'number') return (a as number) - (b as number);
      if (ta === 'array' && tb === 'array') {
        return (a as unknown[]).filter((x) => !(b as unknown[]).some((y) => equals(x, y, this.budget)));
      }
      throw refuse();
    }
    if (op === '*') {
      if (ta === 'number' && tb === 'number') return (a as number) * (b as number);
      if ((ta === 'string' && tb === 'number') || (ta === 'number' && tb === 'string')) {
        const [s, n] = ta === 'string' ? [a as string, b as number] : [b as string, a as number];
        if (n <= 0) return null;
        const times = Math.ceil(n);
        this.budget.reserveText(s.length * times);
        return s.repeat(times);
      }
      if (ta === 'object' && tb === 'object') return this.deepMerge(a as PlainMap, b as PlainMap);
      throw refuse();
    }
    if (op === '/') {
      if (ta === 'number' && tb === 'number') {
        if (b === 0)
          throw error(
            `${ta} (${brief(a)}) and ${tb} (${brief(b)}) cannot be divided because the divisor is zero`,
          );
        return (a as number) / (b as number);
      }
      if (ta === 'string' && tb === 'string') return this.splitText(a as string, b as string);
      throw refuse();
    }
    if (ta === 'number' && tb === 'number') {
      const divisor = Math.trunc(b as number);
      if (divisor === 0)
        throw error(
          `${ta} (${brief(a)}) and ${tb} (${brief(b)}) cannot be divided because the divisor is zero`,
        );
      const result = Math.trunc(a as number) % divisor;
      return Object.is(result, -0) ? 0 : result;
    }
    throw refuse();
  }

  private deepMerge(a: PlainMap, b: PlainMap): PlainMap {
    this.budget.step();
    const merged = new Map<string, unknown>(mapEntries(a));
    for (const [key, value] of mapEntries(b)) {
      const existing = merged.get(key);
      merged.set(key, isMap(existing) && isMap(value) ? this.deepMerge(existing, value) : value);
    }
    return makeMap(merged);
  }

  splitText(text: string, separator: string): string[] {
    if (text === '') return [];
    const pieces = separator === '' ? [...text] : text.split(separator);
    return this.budget.list(pieces);
  }

  private regex(pattern: unknown, flags: unknown): RE2JS {
    if (typeof pattern !== 'string')
      throw error(`${typeOf(pattern)} cannot be matched, as it is not a string`);
    let options = 0;
    for (const flag of typeof flags === 'string' ? flags : '') {
      if (flag === 'i') options |= RE2JS.CASE_INSENSITIVE;
      else if (flag === 's') options |= RE2JS.DOTALL;
      else if (flag === 'x' || flag === 'g' || flag === 'n') continue;
      else throw error(`${flag} is not a valid modifier string`);
    }
    try {
      return RE2JS.compile(pattern, options);
    } catch (caught) {
      throw error(
        `${pattern} (at offset 0) is not a valid regex: ${caught instanceof Error ? caught.message : ''}`,
      );
    }
  }

  private *call(name: string, args: Query[], input: unknown, vars: Vars): Generator<unknown> {
    const arity = args.length;
    const each = (i: number): unknown[] => this.one(args[i], input, vars);
    const fn = BUILTINS[`${name}/${arity}`];
    if (fn) {
      yield* fn(this, input, args, vars);
      return;
    }
    const unary = UNARY[name];
    if (unary && arity === 1) {
      for (const arg of each(0)) yield unary(this, input, arg);
      return;
    }
    const nullary = NULLARY[name];
    if (nullary && arity === 0) {
      yield nullary(this, input);
      return;
    }
    throw error(`${name}/${arity} is not defined`);
  }

  // ---- helpers the built-ins share

  sortBy(input: unknown, key: (item: unknown) => unknown[]): unknown[] {
    if (!Array.isArray(input))
      throw error(`${typeOf(input)} (${brief(input)}) cannot be sorted, as it is not an array`);
    const keyed = input.map((item) => ({ item, key: key(item) }));
    return keyed.sort((x, y) => compare(x.key, y.key)).map((entry) => entry.item);
  }

  groupBy(input: unknown, key: (item: unknown) => unknown[]): unknown[][] {
    const groups: { key: unknown; items: unknown[] }[] = [];
    for (const item of this.sortBy(input, key)) {
      const k = key(item);
      const last = groups[groups.length - 1];
      if (last && compare(last.key, k) === 0) last.items.push(item);
      else groups.push({ key: k, items: [item] });
    }
    return groups.map((group) => group.items);
  }

  keyFn(arg: Query, vars: Vars): (item: unknown) => unknown[] {
    return (item) => this.one(arg, item, vars);
  }

  test(input: unknown, pattern: unknown, flags: unknown): boolean {
    if (typeof input !== 'string')
      throw error(`${typeOf(input)} (${brief(input)}) cannot be matched, as it is not a string`);
    return this.regex(pattern, flags).matcher(input).find();
  }

  replace(input: unknown, pattern: unknown, replacement: unknown, flags: unknown, all: boolean): string {
    if (typeof input !== 'string')
      throw error(`${typeOf(input)} (${brief(input)}) cannot be matched, as it is not a string`);
    if (typeof replacement !== 'string') throw error('the replacement of sub/gsub must be a string');
    const matcher = this.regex(pattern, flags).matcher(input);
    // jq's replacement is a string, not a template: `$` means itself (RE2's `$$`)
    const literal = replacement.replaceAll('$', '$$$$');
    return this.text(all ? matcher.replaceAll(literal) : matcher.replaceFirst(literal));
  }

  regexSplit(input: unknown, pattern: unknown, flags: unknown): string[] {
    const text = this.string(input, 'split');
    return this.budget.list(this.regex(pattern, flags).split(text, -1));
  }

  flatten(input: unknown, depth: number): unknown[] {
    if (!Array.isArray(input)) throw error(`Cannot iterate over ${typeOf(input)}`);
    if (depth < 0) throw error('flatten depth must not be negative');
    const out: unknown[] = [];
    const walk = (items: unknown[], level: number): void => {
      for (const item of items) {
        this.budget.iterate();
        if (Array.isArray(item) && level < depth) walk(item, level + 1);
        else out.push(item);
      }
    };
    walk(input, 0);
    return out;
  }

  range(from: unknown, upto: unknown, by: unknown): Generator<number> {
    if (typeof from !== 'number' || typeof upto !== 'number' || typeof by !== 'number')
      throw error('Range bounds must be numeric');
    const budget = this.budget;
    return (function* () {
      if (by > 0) for (let i = from; i < upto; i += by) yield (budget.iterate(), i);
      else if (by < 0) for (let i = from; i > upto; i += by) yield (budget.iterate(), i);
    })();
  }

  entries(input: unknown): PlainMap[] {
    if (Array.isArray(input)) return input.map((value, key) => ({ key, value }));
    if (!isMap(input)) throw error(`${typeOf(input)} (${brief(input)}) has no keys`);
    return mapEntries(input).map(([key, value]) => ({ key, value }));
  }

  fromEntries(input: unknown): PlainMap {
    if (!Array.isArray(input)) throw error(`Cannot iterate over ${typeOf(input)}`);
    return makeMap(
      input.map((entry) => {
        if (!isMap(entry)) throw error(`Cannot index ${typeOf(entry)} with "key"`);
        const key = ['key', 'k', 'name', 'Name', 'Key', 'K']
          .map((k) => own(entry, k))
          .find((k) => k !== null && k !== false);
        const value = Object.hasOwn(entry, 'value')
          ? entry.value
          : Object.hasOwn(entry, 'v')
            ? entry.v
            : own(entry, 'Value');
        if (typeof key !== 'string' && typeof key !== 'number' && typeof key !== 'boolean')
          throw error(`Cannot use ${typeOf(key)} (${brief(key)}) as object key`);
        return [String(key), value ?? null] as const;
      }),
    );
  }

  length(input: unknown): number {
    if (input === null) return 0;
    if (typeof input === 'boolean') throw error(`boolean (${input}) has no length`);
    if (typeof input === 'number') return Math.abs(input);
    if (typeof input === 'string') return [...input].length;
    if (Array.isArray(input)) return input.length;
    return Object.keys(input as PlainMap).length;
  }

  keys(input: unknown, sorted: boolean): unknown[] {
    if (Array.isArray(input)) return input.map((_, i) => i);
    if (!isMap(input)) throw error(`${typeOf(input)} (${brief(input)}) has no keys`);
    const keys = Object.keys(input);
    return sorted ? keys.sort() : keys;
  }

  has(input: unknown, key: unknown): boolean {
    if (isMap(input) && typeof key === 'string') return Object.hasOwn(input, key);
    if (Array.isArray(input) && typeof key === 'number') return key >= 0 && key < input.length;
    throw error(`Cannot check whether ${typeOf(input)} has a ${typeOf(key)} key`);
  }

  contains(a: unknown, b: unknown): boolean {
    this.budget.step();
    const ta = typeOf(a);
    if (ta !== typeOf(b))
      throw error(`${ta} (${brief(a)}) and ${typeOf(b)} (${brief(b)}) cannot have their containment checked`);
    if (ta === 'object')
      return mapEntries(b as PlainMap).every(
        ([k, v]) => Object.hasOwn(a as PlainMap, k) && this.contains((a as PlainMap)[k], v),
      );
    if (ta === 'array')
      return (b as unknown[]).every((y) =>
        (a as unknown[]).some((x) => typeOf(x) === typeOf(y) && this.contains(x, y)),
      );
    if (ta === 'string') return (a as string).includes(b as string);
    return equals(a, b);
  }

  minMax(input: unknown, key: (item: unknown) => unknown[], sign: 1 | -1): unknown {
    if (!Array.isArray(input)) throw error(`${typeOf(input)} (${brief(input)}) cannot be iterated`);
    let best: unknown = null;
    let bestKey: unknown[] | null = null;
    for (const item of input) {
      const k = key(item);
      if (bestKey === null || compare(k, bestKey) * sign >= 0) {
        best = item;
        bestKey = k;
      }
    }
    return best;
  }

  unique(input: unknown, key: (item: unknown) => unknown[]): unknown[] {
    return this.groupBy(input, key).map((group) => group[0]);
  }

  add(input: unknown): unknown {
    const items = isMap(input) ? mapEntries(input).map(([, v]) => v) : input;
    if (!Array.isArray(items)) throw error(`Cannot iterate over ${typeOf(input)}`);
    return items.reduce<unknown>((acc, item) => (acc === null ? item : this.binary('+', acc, item)), null);
  }

  number(input: unknown): number {
    if (typeof input === 'number') return input;
    if (typeof input === 'string' && /^\s*-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/.test(input))
      return Number(input);
    throw error(`${typeOf(input)} (${brief(input)}) cannot be parsed as a number`);
  }

  string(input: unknown, what: string): string {
    if (typeof input !== 'string')
      throw error(`${typeOf(input)} (${brief(input)}) cannot be ${what}, as it is not a string`);
    return input;
  }

  fromjson(input: unknown): unknown {
    try {
      return JSON.parse(this.string(input, 'parsed')) as unknown;
    } catch (caught) {
      if (caught instanceof JqError) throw caught;
      throw error(`${brief(input)} (while parsing) is not valid JSON`);
    }
  }

  *limit(count: unknown, q: Query, input: unknown, vars: Vars): Generator<unknown> {
    if (typeof count !== 'number') throw error('Invalid limit: must be a number');
    if (count <= 0) return;
    let n = 0;
    for (const value of this.run(q, input, vars)) {
      yield value;
      if (++n >= count) return;
    }
  }

  path(input: unknown, path: unknown): unknown {
    if (!Array.isArray(path)) throw error('Path must be specified as an array');
    let value = input;
    for (const key of path) {
      if (value === null) return null;
      value = index(value, key);
    }
    return value;
  }

  *paths(input: unknown, prefix: unknown[] = []): Generator<unknown[]> {
    const entries: [unknown, unknown][] = Array.isArray(input)
      ? input.map((v, i) => [i, v])
      : isMap(input)
        ? mapEntries(input)
        : [];
    for (const [key, value] of entries) {
      this.budget.step();
      const path = [...prefix, key];
      yield path;
      yield* this.paths(value, path);
    }
  }

  indices(input: unknown, target: unknown): unknown {
    if (input === null) return null;
    const found: number[] = [];
    if (typeof input === 'string' && typeof target === 'string') {
      if (target === '') return null;
      for (let at = input.indexOf(target); at >= 0; at = input.indexOf(target, at + 1)) found.push(at);
    } else if (Array.isArray(input) && Array.isArray(target)) {
      if (target.length === 0) return null;
      for (let i = 0; i + target.length <= input.length; i++) {
        this.budget.step();
        if (target.every((t, j) => equals(input[i + j], t))) found.push(i);
      }
    } else if (Array.isArray(input)) {
      input.forEach((item, i) => equals(item, target) && found.push(i));
    } else throw error(`Cannot determine the indices of ${typeOf(target)} in ${typeOf(input)}`);
    return found;
  }
}

const HTML: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&#39;', '"': '&quot;' };
const TSV: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
const VERBS: Record<string, string> = {
  '+': 'added',
  '-': 'subtracted',
  '*': 'multiplied',
  '/': 'divided',
  '%': 'divided',
};

const parsed = new LruCache<Query>(500);

/**
 * Runs a jq expression over plain data and returns every output, as Kestra's filter does (a list). A
 * string input is read as JSON first, as Kestra does.
 */
export function runJq(expression: string, input: unknown, budget: Budget): unknown[] {
  const key = `${budget.limits.maxDepth}:${expression}`;
  let query = parsed.get(key);
  if (query === undefined) {
    query = parseJq(expression, budget.limits.maxDepth);
    parsed.set(key, query);
  }
  let data = input;
  if (typeof input === 'string') {
    try {
      data = JSON.parse(input) as unknown;
    } catch {
      throw new JqFailure('its input is a string that is not valid JSON');
    }
  }
  try {
    return new Interpreter(budget).collect(query, data, new Map());
  } catch (caught) {
    if (caught instanceof JqError) {
      throw new JqFailure(
        typeof caught.value === 'string' ? caught.value : `${brief(caught.value)} (not a string)`,
      );
    }
    throw caught;
  }
}

/** A jq error, for the filter to word. */
export class JqFailure extends Error {}
