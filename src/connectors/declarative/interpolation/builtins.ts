// What templates can call: the CDK's macros (interpolation/macros.py) and filters (filters.py), the
// Jinja filters and tests manifests use, and the Python methods of strings, dicts, lists and datetimes.
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { RE2JS } from 're2js';
import {
  PyDate,
  PyDateTime,
  PyDuration,
  PyTimedelta,
  isoparse,
  nowUtc,
  parseDuration,
  strftime,
  strptime,
} from './py-time.js';
import { Undefined, UndefinedError, isDict, isUndefined, pyRepr, pyStr, truthy } from './py-values.js';

export class Callable {
  constructor(
    readonly name: string,
    readonly call: (args: unknown[], kwargs: Record<string, unknown>) => unknown,
  ) {}
}

export function isCallable(v: unknown): v is Callable {
  return v instanceof Callable;
}

const fn = (name: string, f: (args: unknown[], kwargs: Record<string, unknown>) => unknown) =>
  new Callable(name, f);

class TemplateCallError extends Error {}

function str(v: unknown, what: string): string {
  if (typeof v === 'string') return v;
  if (isUndefined(v)) throw new UndefinedError(`'${v.name}' is undefined`);
  throw new TemplateCallError(`${what}: expected a string, got ${pyRepr(v)}`);
}

// ---------------------------------------------------------------- datetime helpers (DatetimeParser)
export function parseDatetime(value: unknown, format: string): PyDateTime {
  const text = pyStr(value);
  switch (format) {
    case '%s':
      return new PyDateTime(Math.trunc(Number(text)) * 1_000_000, 0);
    case '%s_as_float':
      return new PyDateTime(Math.round(Number(text) * 1_000_000), 0);
    case '%epoch_microseconds':
      return new PyDateTime(Math.trunc(Number(text)), 0);
    case '%ms':
      return new PyDateTime(Math.trunc(Number(text)) * 1000, 0);
  }
  if (!/^-?[\d.]+$/.test(text) && format.includes('%s'))
    throw new Error(`time data ${JSON.stringify(text)} does not match format ${JSON.stringify(format)}`);
  const parsed = strptime(text, format.replace('%_ms', '%f'));
  return parsed.offset === null ? parsed.withOffset(0) : parsed;
}

export function formatDatetime(dt: PyDateTime, format: string): string {
  switch (format) {
    case '%s':
      return String(Math.floor(dt.timestamp()));
    case '%s_as_float':
      return floatText(dt.timestamp());
    case '%epoch_microseconds':
      return String(Math.trunc(dt.micros));
    case '%ms':
      return String(Math.trunc(dt.micros / 1000));
  }
  if (format.includes('%_ms')) {
    const ms = String(Math.floor(dt.fields().micro / 1000)).padStart(3, '0');
    return strftime(dt, format.replace(/%_ms/g, '\u0000')).replace(/\u0000/g, ms);
  }
  return strftime(dt, format);
}

function floatText(n: number): string {
  return Number.isInteger(n) ? `${n}.0` : String(n);
}

function toDatetime(v: unknown): PyDateTime {
  if (v instanceof PyDateTime) return v;
  if (v instanceof PyDate) return v.toDateTime().withOffset(0);
  return isoparse(str(v, 'str_to_datetime')).withOffset(0);
}

// ---------------------------------------------------------------- macros
function pyMax(args: unknown[], sign: 1 | -1): unknown {
  const items = args.length === 1 && Array.isArray(args[0]) ? args[0] : args;
  if (!items.length) throw new TemplateCallError('max() / min() of an empty sequence');
  return items.reduce((best, x) => (compareValues(x, best) * sign > 0 ? x : best));
}

function compareValues(a: unknown, b: unknown): number {
  const key = (v: unknown): number | string => {
    if (v instanceof PyDateTime) return v.micros;
    if (v instanceof PyDate) return v.toDateTime().micros;
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (typeof v === 'number' || typeof v === 'string') return v;
    throw new TemplateCallError(`${pyRepr(v)} cannot be compared`);
  };
  const x = key(a);
  const y = key(b);
  if (typeof x !== typeof y) throw new TemplateCallError(`cannot compare ${pyRepr(a)} with ${pyRepr(b)}`);
  return x < y ? -1 : x > y ? 1 : 0;
}

export const GLOBALS: Record<string, Callable> = {
  now_utc: fn('now_utc', () => nowUtc()),
  today_utc: fn('today_utc', () => nowUtc().date()),
  today_with_timezone: fn('today_with_timezone', ([tz]) => {
    const parts = new Intl.DateTimeFormat('en-CA', { timeZone: str(tz, 'today_with_timezone') }).format(
      new Date(),
    );
    const [y, m, d] = parts.split('-').map(Number);
    return new PyDate(y!, m!, d!);
  }),
  timestamp: fn('timestamp', ([dt]) => {
    if (typeof dt === 'number') return Math.trunc(dt);
    return toDatetime(dt).timestamp();
  }),
  str_to_datetime: fn('str_to_datetime', ([s]) => toDatetime(str(s, 'str_to_datetime'))),
  max: fn('max', (args) => pyMax(args, 1)),
  min: fn('min', (args) => pyMax(args, -1)),
  day_delta: fn('day_delta', ([days, format]) =>
    strftime(
      nowUtc().plus(new PyTimedelta(Math.round(Number(days) * 86_400_000_000))),
      typeof format === 'string' ? format : '%Y-%m-%dT%H:%M:%S.%f%z',
    ),
  ),
  duration: fn('duration', ([s]) => parseDuration(str(s, 'duration'))),
  format_datetime: fn('format_datetime', ([dt, format, inputFormat], kw) => {
    const fmt = str(format ?? kw.format, 'format_datetime');
    const input = inputFormat ?? kw.input_format;
    if (dt instanceof PyDateTime) return strftime(dt, fmt);
    let parsed: PyDateTime;
    if (typeof dt === 'number') parsed = parseDatetime(dt, typeof input === 'string' ? input : '%s');
    else if (dt instanceof PyDate) parsed = dt.toDateTime().withOffset(0);
    else if (typeof input === 'string') parsed = strptime(str(dt, 'format_datetime'), input);
    else parsed = toDatetime(dt);
    if (parsed.offset === null) parsed = parsed.withOffset(0);
    return formatDatetime(parsed, fmt);
  }),
  sanitize_url: fn('sanitize_url', ([v]) => quotePlus(str(v, 'sanitize_url'))),
  camel_case_to_snake_case: fn('camel_case_to_snake_case', ([v]) =>
    str(v, 'camel_case_to_snake_case')
      .replace(/(?!^)([A-Z])/g, '_$1')
      .toLowerCase(),
  ),
  generate_uuid: fn('generate_uuid', () => randomUUID()),
};

function quotePlus(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%7E/g, '~')
    .replace(/%20/g, '+');
}

// ---------------------------------------------------------------- filters
const HASHES = new Set(['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512']);

function regex(pattern: string): RE2JS {
  // Python's re and RE2 agree on what manifests write; RE2 keeps matching linear in time
  return RE2JS.compile(pattern.replace(/\(\?P</g, '(?P<'));
}

function b64encode(v: unknown): string {
  return Buffer.from(str(v, 'base64encode'), 'utf8').toString('base64');
}

export const FILTERS: Record<string, Callable> = {
  hash: fn('hash', ([v, type, salt]) => {
    const algorithm = typeof type === 'string' ? type : 'md5';
    if (!HASHES.has(algorithm)) throw new TemplateCallError(`No hashing function named ${algorithm}`);
    const h = createHash(algorithm).update(pyStr(v), 'utf8');
    if (salt) h.update(pyStr(salt), 'utf8');
    return h.digest('hex');
  }),
  hmac: fn('hmac', ([v, key, type]) => {
    const algorithm = typeof type === 'string' ? type : 'sha256';
    if (algorithm !== 'sha256') throw new TemplateCallError(`Hash type '${algorithm}' is not allowed`);
    return createHmac('sha256', pyStr(key)).update(pyStr(v)).digest('hex');
  }),
  base64encode: fn('base64encode', ([v]) => b64encode(v)),
  b64encode: fn('b64encode', ([v]) => b64encode(v)),
  base64decode: fn('base64decode', ([v]) => Buffer.from(str(v, 'base64decode'), 'base64').toString('utf8')),
  base64binascii_decode: fn('base64binascii_decode', ([v]) =>
    Buffer.from(str(v, 'base64binascii_decode'), 'latin1').toString('base64'),
  ),
  string: fn('string', ([v]) => (typeof v === 'string' ? v : `"""${pythonJsonDumps(v)}"""`)),
  regex_search: fn('regex_search', ([v, pattern]) => {
    const m = regex(str(pattern, 'regex_search')).matcher(str(v, 'regex_search'));
    return m.find() && m.groupCount() > 0 ? (m.group(1) ?? '') : '';
  }),
  regex_replace: fn('regex_replace', ([v, pattern, replacement]) =>
    regex(str(pattern, 'regex_replace'))
      .matcher(str(v, 'regex_replace'))
      .replaceAll(str(replacement, 'regex_replace').replace(/\\(\d)/g, '$$$1')),
  ),
  int: fn('int', ([v, fallback]) => {
    const d = typeof fallback === 'number' ? fallback : 0;
    if (typeof v === 'number') return Math.trunc(v);
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (typeof v === 'string') {
      const t = v.trim().replace(/_/g, '');
      if (/^[+-]?\d+$/.test(t)) return Number(t);
      if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return Math.trunc(Number(t));
    }
    return d;
  }),
  float: fn('float', ([v, fallback]) => {
    const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v.trim()) : NaN;
    return Number.isNaN(n) || (typeof v === 'string' && v.trim() === '')
      ? typeof fallback === 'number'
        ? fallback
        : 0
      : n;
  }),
  length: fn('length', ([v]) => size(v)),
  count: fn('count', ([v]) => size(v)),
  default: fn('default', ([v, d, boolean]) =>
    isUndefined(v) || (truthy(boolean) && !truthy(v)) ? (d ?? '') : v,
  ),
  d: fn('d', ([v, d, boolean]) => (isUndefined(v) || (truthy(boolean) && !truthy(v)) ? (d ?? '') : v)),
  lower: fn('lower', ([v]) => pyStr(v).toLowerCase()),
  upper: fn('upper', ([v]) => pyStr(v).toUpperCase()),
  capitalize: fn('capitalize', ([v]) => {
    const s = pyStr(v);
    return s.charAt(0).toUpperCase() + s.slice(1).toLowerCase();
  }),
  title: fn('title', ([v]) =>
    pyStr(v).replace(/\w\S*/g, (w) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase()),
  ),
  trim: fn('trim', ([v]) => pyStr(v).trim()),
  replace: fn('replace', ([v, a, b]) => pyStr(v).split(pyStr(a)).join(pyStr(b))),
  join: fn('join', ([v, sep, attribute]) =>
    iterable(v)
      .map((x) => pyStr(attribute !== undefined && isDict(x) ? x[pyStr(attribute)] : x))
      .join(typeof sep === 'string' ? sep : ''),
  ),
  first: fn('first', ([v]) => iterable(v)[0] ?? new Undefined('first')),
  last: fn('last', ([v]) => {
    const items = iterable(v);
    return items.length ? items[items.length - 1] : new Undefined('last');
  }),
  list: fn('list', ([v]) => [...iterable(v)]),
  unique: fn('unique', ([v]) => [...new Set(iterable(v))]),
  sort: fn('sort', ([v]) => [...iterable(v)].sort(compareValues)),
  reverse: fn('reverse', ([v]) =>
    typeof v === 'string' ? [...v].reverse().join('') : [...iterable(v)].reverse(),
  ),
  abs: fn('abs', ([v]) => Math.abs(Number(v))),
  round: fn('round', ([v, precision]) => {
    const p = typeof precision === 'number' ? precision : 0;
    return Math.round(Number(v) * 10 ** p) / 10 ** p;
  }),
  tojson: fn('tojson', ([v]) => JSON.stringify(toJson(v))),
  urlencode: fn('urlencode', ([v]) =>
    isDict(v)
      ? Object.entries(v)
          .map(([k, x]) => `${encodeURIComponent(k)}=${encodeURIComponent(pyStr(x))}`)
          .join('&')
      : encodeURIComponent(pyStr(v)),
  ),
  map: fn('map', ([v], kw) => {
    if (typeof kw.attribute !== 'string')
      throw new TemplateCallError('map: only map(attribute=...) is supported');
    return iterable(v).map((x) => (isDict(x) ? (x[kw.attribute as string] ?? null) : null));
  }),
  items: fn('items', ([v]) => (isDict(v) ? Object.entries(v) : [])),
  dictsort: fn('dictsort', ([v]) =>
    isDict(v) ? Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)) : [],
  ),
  max: fn('max', ([v]) => pyMax([iterable(v)], 1)),
  min: fn('min', ([v]) => pyMax([iterable(v)], -1)),
  sum: fn('sum', ([v]) => iterable(v).reduce((a: number, b) => a + Number(b), 0)),
};

/** Python's json.dumps (", " and ": " separators). */
function pythonJsonDumps(v: unknown): string {
  const j = toJson(v);
  const walk = (x: unknown): string => {
    if (Array.isArray(x)) return `[${x.map(walk).join(', ')}]`;
    if (isDict(x))
      return `{${Object.entries(x)
        .map(([k, y]) => `${JSON.stringify(k)}: ${walk(y)}`)
        .join(', ')}}`;
    return JSON.stringify(x) ?? 'null';
  };
  return walk(j);
}

export function toJson(v: unknown): unknown {
  if (isUndefined(v)) return null;
  if (v instanceof PyDateTime || v instanceof PyDate || v instanceof PyTimedelta || v instanceof PyDuration)
    return v.toString();
  if (Array.isArray(v)) return v.map(toJson);
  if (isDict(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJson(x)]));
  return v;
}

function size(v: unknown): number {
  if (typeof v === 'string' || Array.isArray(v)) return v.length;
  if (isDict(v)) return Object.keys(v).length;
  if (isUndefined(v)) return 0;
  throw new TemplateCallError(`object of type ${pyRepr(v)} has no len()`);
}

function iterable(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (isDict(v)) return Object.keys(v);
  if (typeof v === 'string') return [...v];
  if (isUndefined(v)) return [];
  throw new TemplateCallError(`${pyRepr(v)} is not iterable`);
}

// ---------------------------------------------------------------- tests
export const TESTS: Record<string, (v: unknown, ...args: unknown[]) => boolean> = {
  defined: (v) => !isUndefined(v),
  undefined: (v) => isUndefined(v),
  none: (v) => v === null,
  string: (v) => typeof v === 'string',
  number: (v) => typeof v === 'number',
  integer: (v) => typeof v === 'number' && Number.isInteger(v),
  float: (v) => typeof v === 'number' && !Number.isInteger(v),
  mapping: (v) => isDict(v),
  sequence: (v) => Array.isArray(v) || typeof v === 'string' || isDict(v),
  iterable: (v) => Array.isArray(v) || typeof v === 'string' || isDict(v),
  boolean: (v) => typeof v === 'boolean',
  true: (v) => v === true,
  false: (v) => v === false,
  even: (v) => Number(v) % 2 === 0,
  odd: (v) => Math.abs(Number(v) % 2) === 1,
  eq: (v, o) => v === o,
  equalto: (v, o) => v === o,
  in: (v, o) =>
    Array.isArray(o)
      ? o.includes(v)
      : typeof o === 'string'
        ? o.includes(pyStr(v))
        : isDict(o) && pyStr(v) in o,
};

// ---------------------------------------------------------------- methods
/** The Python method `name` of `obj`, bound, or undefined when it has none. */
export function methodOf(obj: unknown, name: string): Callable | undefined {
  if (isDict(obj)) {
    switch (name) {
      case 'get':
        return fn('get', ([k, d]) => {
          const key = pyStr(k);
          return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : (d ?? null);
        });
      case 'keys':
        return fn('keys', () => Object.keys(obj));
      case 'values':
        return fn('values', () => Object.values(obj));
      case 'items':
        return fn('items', () => Object.entries(obj));
    }
    return undefined;
  }
  if (typeof obj === 'string') return stringMethod(obj, name);
  if (Array.isArray(obj)) {
    switch (name) {
      case 'index':
        return fn('index', ([x]) => obj.indexOf(x));
      case 'count':
        return fn('count', ([x]) => obj.filter((y) => y === x).length);
    }
    return undefined;
  }
  if (obj instanceof PyDateTime) {
    switch (name) {
      case 'strftime':
        return fn('strftime', ([f]) => strftime(obj, str(f, 'strftime')));
      case 'isoformat':
        return fn('isoformat', ([sep]) => obj.isoformat(typeof sep === 'string' ? sep : 'T'));
      case 'timestamp':
        return fn('timestamp', () => obj.timestamp());
      case 'date':
        return fn('date', () => obj.date());
      case 'astimezone':
        return fn('astimezone', () => obj.withOffset(0));
      case 'replace':
        return fn('replace', (_args, kw) => {
          const f = obj.fields();
          const pick = (k: string, v: number) => (typeof kw[k] === 'number' ? (kw[k] as number) : v);
          let offset = obj.offset;
          if ('tzinfo' in kw) offset = kw.tzinfo === null ? null : 0;
          const wall = new PyDateTime(
            Date.UTC(
              pick('year', f.year),
              pick('month', f.month) - 1,
              pick('day', f.day),
              pick('hour', f.hour),
              pick('minute', f.minute),
              pick('second', f.second),
            ) *
              1000 +
              pick('microsecond', f.micro),
            null,
          );
          return new PyDateTime(wall.micros - (offset ?? 0) * 60_000_000, offset);
        });
    }
    return undefined;
  }
  if (obj instanceof PyDate) {
    switch (name) {
      case 'strftime':
        return fn('strftime', ([f]) => strftime(obj, str(f, 'strftime')));
      case 'isoformat':
        return fn('isoformat', () => obj.toString());
    }
    return undefined;
  }
  if (obj instanceof PyTimedelta && name === 'total_seconds')
    return fn('total_seconds', () => obj.totalSeconds());
  return undefined;
}

function stringMethod(s: string, name: string): Callable | undefined {
  switch (name) {
    case 'lower':
      return fn(name, () => s.toLowerCase());
    case 'upper':
      return fn(name, () => s.toUpperCase());
    case 'strip':
      return fn(name, ([chars]) => stripChars(s, chars, true, true));
    case 'lstrip':
      return fn(name, ([chars]) => stripChars(s, chars, true, false));
    case 'rstrip':
      return fn(name, ([chars]) => stripChars(s, chars, false, true));
    case 'split':
      return fn(name, ([sep, max]) => {
        const limit = typeof max === 'number' ? max : -1;
        if (sep === undefined || sep === null) return s.trim().split(/\s+/).filter(Boolean);
        const parts = s.split(pyStr(sep));
        return limit >= 0 && parts.length > limit + 1
          ? [...parts.slice(0, limit), parts.slice(limit).join(pyStr(sep))]
          : parts;
      });
    case 'replace':
      return fn(name, ([a, b]) => s.split(pyStr(a)).join(pyStr(b)));
    case 'startswith':
      return fn(name, ([p]) =>
        Array.isArray(p) ? p.some((x) => s.startsWith(pyStr(x))) : s.startsWith(pyStr(p)),
      );
    case 'endswith':
      return fn(name, ([p]) =>
        Array.isArray(p) ? p.some((x) => s.endsWith(pyStr(x))) : s.endsWith(pyStr(p)),
      );
    case 'join':
      return fn(name, ([items]) => iterable(items).map(pyStr).join(s));
    case 'format':
      return fn(name, (args, kw) => {
        let i = 0;
        return s.replace(/\{(\w*)\}/g, (_all, key: string) =>
          pyStr(key === '' ? args[i++] : /^\d+$/.test(key) ? args[Number(key)] : kw[key]),
        );
      });
    case 'find':
      return fn(name, ([x]) => s.indexOf(pyStr(x)));
    case 'count':
      return fn(name, ([x]) => s.split(pyStr(x)).length - 1);
    case 'isdigit':
      return fn(name, () => /^\d+$/.test(s));
    case 'title':
      return fn(name, () => s.replace(/\w\S*/g, (w) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase()));
    case 'capitalize':
      return fn(name, () => s.charAt(0).toUpperCase() + s.slice(1).toLowerCase());
  }
  return undefined;
}

function stripChars(s: string, chars: unknown, left: boolean, right: boolean): string {
  const set = typeof chars === 'string' ? new Set(chars) : undefined;
  const strip = (c: string) => (set ? set.has(c) : /\s/.test(c));
  let a = 0;
  let b = s.length;
  if (left) while (a < b && strip(s[a]!)) a++;
  if (right) while (b > a && strip(s[b - 1]!)) b--;
  return s.slice(a, b);
}
