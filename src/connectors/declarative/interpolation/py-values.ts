// Python's view of the values a template handles: `str()` and `repr()` (what `{{ }}` prints), truth,
// and `ast.literal_eval` (what the CDK turns a rendered string back into). JSON values map onto Python
// values one to one; a number is a float when it is not an integer.
import { PyDate, PyDateTime, PyDuration, PyTimedelta } from './py-time.js';

/** Jinja's Undefined: prints as nothing, fails when looked into. */
export class Undefined {
  constructor(readonly name: string) {}
}

export class UndefinedError extends Error {}

export function isUndefined(value: unknown): value is Undefined {
  return value instanceof Undefined;
}

export function isDict(value: unknown): value is Record<string, unknown> {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    Object.getPrototypeOf(value) === Object.prototype
  );
}

export function truthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || isUndefined(value)) return false;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') return value.length > 0;
  if (Array.isArray(value)) return value.length > 0;
  if (isDict(value)) return Object.keys(value).length > 0;
  if (value instanceof PyTimedelta) return value.micros !== 0;
  return true;
}

/** Python's str(). */
export function pyStr(value: unknown): string {
  if (typeof value === 'string') return value;
  if (isUndefined(value)) return '';
  return pyRepr(value);
}

/** Python's repr(). */
export function pyRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return numberRepr(value);
  if (typeof value === 'string') return stringRepr(value);
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  if (isDict(value))
    return `{${Object.entries(value)
      .map(([k, v]) => `${stringRepr(k)}: ${pyRepr(v)}`)
      .join(', ')}}`;
  if (
    value instanceof PyDateTime ||
    value instanceof PyDate ||
    value instanceof PyTimedelta ||
    value instanceof PyDuration
  )
    return value.toString();
  if (isUndefined(value)) return '';
  return String(value);
}

function numberRepr(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  if (Number.isInteger(n) && Math.abs(n) < 1e16) return String(n);
  const text = String(n);
  return text.replace(/e\+?(-?)(\d)$/, 'e$10$2').replace(/e\+/, 'e+');
}

function stringRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = '';
  for (const ch of s) {
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch < ' ' || ch === '\x7f') out += `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${quote}${out}${quote}`;
}

class NotALiteral extends Error {}

/**
 * Python's `ast.literal_eval` over a rendered string: numbers, strings, True/False/None, lists,
 * tuples (as lists), dicts and sets (as lists). Throws NotALiteral for anything else.
 */
export function literalEval(text: string): unknown {
  const p = new LiteralParser(text);
  p.skipSpace();
  const value = p.value();
  p.skipSpace();
  if (!p.done()) throw new NotALiteral('trailing text');
  return value;
}

/** literal_eval, or the text itself when it is not a literal (as the CDK does). */
export function literalOrText(text: string): unknown {
  try {
    return literalEval(text);
  } catch (error) {
    if (error instanceof NotALiteral) return text;
    throw error;
  }
}

class LiteralParser {
  private pos = 0;
  private depth = 0;

  constructor(private readonly text: string) {}

  done(): boolean {
    return this.pos >= this.text.length;
  }

  skipSpace(): void {
    // leading indentation is a Python syntax error, but literal_eval strips spaces and tabs first
    while (this.pos < this.text.length && /[ \t\n\r\f]/.test(this.text[this.pos]!)) this.pos++;
  }

  value(): unknown {
    if (++this.depth > 100) throw new NotALiteral('nested too deeply');
    try {
      return this.atom();
    } finally {
      this.depth--;
    }
  }

  private atom(): unknown {
    const t = this.text;
    const ch = t[this.pos];
    if (ch === undefined) throw new NotALiteral('empty');
    if (ch === '[') return this.sequence(']');
    if (ch === '(') {
      const items = this.sequence(')', true);
      return items;
    }
    if (ch === '{') return this.dict();
    if (ch === '"' || ch === "'" || /[rRbBuU]/.test(ch)) {
      const s = this.maybeString();
      if (s !== undefined) {
        // adjacent string literals concatenate
        let out = s;
        for (;;) {
          const save = this.pos;
          this.skipSpace();
          const next = this.maybeString();
          if (next === undefined) {
            this.pos = save;
            return out;
          }
          out += next;
        }
      }
    }
    if (ch === '-' || ch === '+') {
      this.pos++;
      this.skipSpace();
      const n = this.number();
      return ch === '-' ? -n : n;
    }
    if (/[0-9.]/.test(ch)) return this.number();
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(t.slice(this.pos))?.[0];
    if (word === 'True' || word === 'False' || word === 'None') {
      this.pos += word.length;
      return word === 'True' ? true : word === 'False' ? false : null;
    }
    throw new NotALiteral(`not a literal at ${this.pos}`);
  }

  private number(): number {
    const rest = this.text.slice(this.pos);
    const m =
      /^(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:\d[\d_]*)?\.?\d[\d_]*(?:[eE][+-]?\d[\d_]*)?|\d[\d_]*\.)/.exec(
        rest,
      );
    if (!m) throw new NotALiteral('not a number');
    const raw = m[0];
    if (/[jJ]/.test(rest[raw.length] ?? '')) throw new NotALiteral('complex');
    if (/[A-Za-z0-9_]/.test(rest[raw.length] ?? '')) throw new NotALiteral('bad number');
    if (/_$|__|_\.|\._/.test(raw)) throw new NotALiteral('bad underscore');
    const clean = raw.replace(/_/g, '');
    let n: number;
    if (/^0[xX]/.test(clean)) n = parseInt(clean.slice(2), 16);
    else if (/^0[oO]/.test(clean)) n = parseInt(clean.slice(2), 8);
    else if (/^0[bB]/.test(clean)) n = parseInt(clean.slice(2), 2);
    else {
      // "007" is a syntax error in Python 3; "0" and "00" are fine
      if (/^0\d/.test(clean) && !/^0+$/.test(clean) && !/[.eE]/.test(clean))
        throw new NotALiteral('leading zero');
      n = Number(clean);
    }
    this.pos += raw.length;
    return n;
  }

  private maybeString(): string | undefined {
    const t = this.text;
    const prefix = /^([rRbBuU]{0,2})(['"])/.exec(t.slice(this.pos));
    if (!prefix) return undefined;
    if (/[bB]/.test(prefix[1]!)) throw new NotALiteral('bytes');
    const raw = /[rR]/.test(prefix[1]!);
    const q = prefix[2]!;
    this.pos += prefix[0].length;
    const triple = t.startsWith(q + q, this.pos);
    if (triple) this.pos += 2;
    let out = '';
    for (;;) {
      if (this.pos >= t.length) throw new NotALiteral('unterminated string');
      const c = t[this.pos]!;
      if (triple ? t.startsWith(q + q + q, this.pos) : c === q) {
        this.pos += triple ? 3 : 1;
        return out;
      }
      if (!triple && c === '\n') throw new NotALiteral('newline in string');
      if (c === '\\') {
        const n = t[this.pos + 1];
        if (raw) {
          out += c + (n ?? '');
          this.pos += 2;
          continue;
        }
        this.pos += 2;
        switch (n) {
          case 'n':
            out += '\n';
            break;
          case 't':
            out += '\t';
            break;
          case 'r':
            out += '\r';
            break;
          case '0':
            out += '\0';
            break;
          case '\\':
          case "'":
          case '"':
            out += n;
            break;
          case '\n':
            break;
          case 'x':
          case 'u':
          case 'U': {
            const len = n === 'x' ? 2 : n === 'u' ? 4 : 8;
            const hex = t.slice(this.pos, this.pos + len);
            if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) throw new NotALiteral('bad escape');
            out += String.fromCodePoint(parseInt(hex, 16));
            this.pos += len;
            break;
          }
          default:
            out += `\\${n ?? ''}`;
        }
        continue;
      }
      out += c;
      this.pos++;
    }
  }

  private sequence(close: string, tuple = false): unknown[] {
    this.pos++;
    const items: unknown[] = [];
    let sawComma = false;
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] === close) {
        this.pos++;
        // "(1)" is the number 1, "(1,)" a tuple
        if (tuple && items.length === 1 && !sawComma) return items[0] as unknown[];
        return items;
      }
      items.push(this.value());
      this.skipSpace();
      if (this.text[this.pos] === ',') {
        sawComma = true;
        this.pos++;
      } else if (this.text[this.pos] !== close) throw new NotALiteral('expected , or close');
    }
  }

  private dict(): unknown {
    this.pos++;
    const out: Record<string, unknown> = {};
    const set: unknown[] = [];
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] === '}') {
        this.pos++;
        return set.length ? set : out;
      }
      const key = this.value();
      this.skipSpace();
      if (this.text[this.pos] === ':') {
        this.pos++;
        this.skipSpace();
        if (typeof key === 'object' && key !== null) throw new NotALiteral('unhashable key');
        out[pyStr(key)] = this.value();
      } else set.push(key);
      this.skipSpace();
      if (this.text[this.pos] === ',') this.pos++;
      else if (this.text[this.pos] !== '}') throw new NotALiteral('expected , or }');
    }
  }
}
