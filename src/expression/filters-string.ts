import { createHash } from 'node:crypto';
import type { Args } from './args.js';
import { Fault } from './errors.js';
import { toText } from './output.js';
import type { CallEnv, FilterDef } from './registry.js';
import { RE2JS } from 're2js';
import { describe, isMap, listItems, makeMap, mapEntries } from './values.js';

/**
 * A filter on text: null passes through as null (Pebble), numbers and booleans are read as their text,
 * lists and maps are refused with a message naming the filter.
 */
function text(
  name: string,
  args: readonly string[],
  apply: (input: string, args: Args, env: CallEnv) => unknown,
): [string, FilterDef] {
  return [
    name,
    {
      args,
      apply(input, parsed, env) {
        if (input === null || input === undefined) return null;
        if (typeof input === 'string') return apply(input, parsed, env);
        if (typeof input === 'number' || typeof input === 'boolean') return apply(toText(input), parsed, env);
        throw new Fault(`filter \`${name}\` expects a string, got ${describe(input)}`);
      },
    },
  ];
}

function countOccurrences(haystack: string, needle: string): number {
  if (needle === '') return haystack.length + 1;
  let count = 0;
  for (let i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + needle.length)) count++;
  return count;
}

/** Java's String.split with a literal delimiter: a positive limit caps the pieces, 0 drops trailing empties. */
function split(input: string, delimiter: string, limit: number): string[] {
  if (delimiter === '') return [...input];
  let pieces: string[];
  if (limit > 0) {
    pieces = [];
    let start = 0;
    while (pieces.length < limit - 1) {
      const at = input.indexOf(delimiter, start);
      if (at < 0) break;
      pieces.push(input.slice(start, at));
      start = at + delimiter.length;
    }
    pieces.push(input.slice(start));
    return pieces;
  }
  pieces = input.split(delimiter);
  if (limit === 0 && input !== '') while (pieces.length > 0 && pieces[pieces.length - 1] === '') pieces.pop();
  return pieces;
}

/** Like java.net.URLEncoder: space becomes `+`, only `A-Za-z0-9 . - * _` stay as they are. */
function urlEncode(input: string): string {
  return encodeURIComponent(input)
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

function urlDecode(input: string): string {
  try {
    return decodeURIComponent(input.replace(/\+/g, ' '));
  } catch {
    throw new Fault('filter `urldecode` got malformed percent-encoding');
  }
}

/** Java's replacement syntax (`$1` a group, `\x` the character x) in RE2's (`$$` for a literal `$`). */
function javaReplacement(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && i + 1 < text.length) {
      i++;
      out += text[i] === '$' ? '$$' : text[i];
    } else out += c;
  }
  return out;
}

/**
 * Kestra's replace: every pair in turn, on a string or on every string of a list or map (other leaves are
 * read as text). With `regexp=true` the keys are regular expressions and `$1` in a value is a group; the
 * engine is RE2, which runs in linear time (no look-around or back-references), so no pattern can hang.
 */
function replace(input: unknown, args: Args, env: CallEnv): unknown {
  if (input === null || input === undefined) return null;
  const regexp = args.boolean('regexp', false);
  const pairs = mapEntries(args.map('replace_pairs')).map(([search, by]) => {
    const replacement = toText(by);
    if (!regexp)
      return (s: string) => {
        env.budget.reserveText(s.length + countOccurrences(s, search) * (replacement.length - search.length));
        return s.replaceAll(search, () => replacement);
      };
    let pattern: RE2JS;
    try {
      pattern = RE2JS.compile(search);
    } catch (error) {
      throw new Fault(
        `filter \`replace\` got an invalid regular expression: ${error instanceof Error ? error.message : ''}`,
      );
    }
    const template = javaReplacement(replacement);
    return (s: string) => env.budget.text(pattern.matcher(s).replaceAll(template));
  });
  const apply = (s: string): string => pairs.reduce((text, pair) => pair(text), s);
  const walk = (value: unknown): unknown => {
    env.budget.step();
    if (Array.isArray(value)) return listItems(value).map(walk);
    if (isMap(value)) return makeMap(mapEntries(value).map(([key, item]) => [key, walk(item)]));
    if (value === null) return null;
    return apply(toText(value, env.budget.limits.maxOutputLength));
  };
  return walk(input);
}

function slugify(input: string): string {
  return input
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '');
}

function indent(input: string, args: Args, env: CallEnv, leadingNewline: boolean): string {
  const amount = args.integer('amount');
  if (amount < 0) throw new Fault('filter `indent` expects a positive amount');
  const prefix = args.string('prefix', ' ').repeat(amount);
  if (input === '') return input;
  const newline = input.includes('\r\n')
    ? '\r\n'
    : input.includes('\r') && !input.includes('\n')
      ? '\r'
      : '\n';
  const source = leadingNewline ? newline + input : input;
  env.budget.reserveText(source.length + countOccurrences(source, newline) * prefix.length);
  return source.split(newline).join(newline + prefix);
}

function hash(algorithm: string): (input: string) => string {
  return (input) => createHash(algorithm).update(input, 'utf8').digest('hex');
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function substring(name: string, pick: (input: string, separator: string) => string): [string, FilterDef] {
  return text(name, ['separator'], (input, args) => pick(input, args.string('separator')));
}

export const stringFilters: [string, FilterDef][] = [
  text('upper', [], (s) => s.toUpperCase()),
  text('lower', [], (s) => s.toLowerCase()),
  text('capitalize', [], (s) => (s === '' ? s : s[0].toUpperCase() + s.slice(1))),
  text('title', [], (s) =>
    s.replace(/(^|\s)(\S)/g, (_, space: string, c: string) => space + c.toUpperCase()),
  ),
  text('trim', [], (s) => s.trim()),
  text('abbreviate', ['length'], (s, args) => {
    const length = args.integer('length');
    if (length < 0) throw new Fault('filter `abbreviate` expects a length of zero or more');
    if (s.length <= length) return s;
    return length <= 3 ? s.slice(0, length) : `${s.slice(0, length - 3)}...`;
  }),
  ['replace', { args: ['replace_pairs', 'regexp'], apply: replace }],
  text('split', ['delimiter', 'limit'], (s, args, env) =>
    env.budget.list(split(s, args.string('delimiter'), args.integer('limit', 0))),
  ),
  text('slugify', [], slugify),
  text('urlencode', [], urlEncode),
  text('urldecode', [], urlDecode),
  text('escapeChar', ['type'], (s, args) => {
    const type = args.string('type').toLowerCase();
    if (type === 'single') return s.replaceAll("'", "\\'");
    if (type === 'double') return s.replaceAll('"', '\\"');
    if (type === 'shell') return s.replaceAll("'", "'\\''");
    throw new Fault("filter `escapeChar` expects the type 'single', 'double' or 'shell'");
  }),
  text('startsWith', ['value'], (s, args) => s.startsWith(args.string('value'))),
  text('endsWith', ['value'], (s, args) => s.endsWith(args.string('value'))),
  substring('substringBefore', (s, sep) =>
    sep === '' ? '' : s.includes(sep) ? s.slice(0, s.indexOf(sep)) : s,
  ),
  substring('substringAfter', (s, sep) => (s.includes(sep) ? s.slice(s.indexOf(sep) + sep.length) : '')),
  substring('substringBeforeLast', (s, sep) =>
    sep !== '' && s.includes(sep) ? s.slice(0, s.lastIndexOf(sep)) : s,
  ),
  substring('substringAfterLast', (s, sep) =>
    sep !== '' && s.includes(sep) ? s.slice(s.lastIndexOf(sep) + sep.length) : '',
  ),
  text('base64encode', [], (s) => Buffer.from(s, 'utf8').toString('base64')),
  text('base64decode', [], (s) => {
    const compact = s.replace(/\s+/g, '');
    if (!BASE64.test(compact) || compact.length % 4 === 1)
      throw new Fault('filter `base64decode` got invalid base64');
    return Buffer.from(compact, 'base64').toString('utf8');
  }),
  text('sha1', [], hash('sha1')),
  text('sha256', [], hash('sha256')),
  text('sha512', [], hash('sha512')),
  text('md5', [], hash('md5')),
  text('indent', ['amount', 'prefix'], (s, args, env) => indent(s, args, env, false)),
  text('nindent', ['amount', 'prefix'], (s, args, env) => indent(s, args, env, true)),
  [
    'string',
    {
      args: [],
      apply: (input, _args, env) =>
        input === null ? null : toText(input, env.budget.limits.maxOutputLength),
    },
  ],
];
