// The top-level members of a JSON object's text, found and validated without building anything: a
// record's data goes from the JSON text it arrived as to bulk-load fields, and JSON.parse (objects,
// strings, numbers, all garbage a moment later) was the largest cost of a SQL destination.
// Only the grammar is checked here; values.ts decides what a value means for its column.

export type ValueKind = 'string' | 'escaped' | 'number' | 'true' | 'false' | 'null' | 'object' | 'array';

/** nesting JSON.parse copes with but this recursion had better not: such data goes the general way */
const MAX_DEPTH = 256;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

/** the characters a backslash may escape besides `u` */
const SIMPLE_ESCAPES = new Set([...'"\\/bfnrt'].map((c) => c.charCodeAt(0)));

/** one test of the whole text spares checking each string character by character */
const ESCAPE_OR_CONTROL = /[\\\u0000-\u001f]/;

const isDigit = (c: number) => c >= ZERO && c <= NINE;

function isHex(c: number): boolean {
  return isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

function skipSpace(text: string, at: number): number {
  // JSON written without spaces is the common case
  if (text.charCodeAt(at) > 0x20) return at;
  for (;;) {
    const c = text.charCodeAt(at);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) at++;
    else return at;
  }
}

/** The members of one object, reused from record to record. Spans are [start, end) in the text. */
export class JsonMembers {
  count = 0;
  keyStart: number[] = [];
  keyEnd: number[] = [];
  /** whether the key has escapes (its name is then JSON.parse of its span) */
  keyEscaped: boolean[] = [];
  valueStart: number[] = [];
  valueEnd: number[] = [];
  valueKind: ValueKind[] = [];
  private text = '';
  /** the text has no backslash and no control character: every string in it ends at its next quote */
  private plain = false;
  /** set by scanString(): whether the last string scanned had an escape */
  private escaped = false;
  /** set by scanValue(): the kind of the last value scanned */
  private kind: ValueKind = 'null';

  /** Reads `text` as exactly one JSON object; false when it is not JSON, not an object, or too deep. */
  read(text: string): boolean {
    this.text = text;
    this.plain = !ESCAPE_OR_CONTROL.test(text);
    this.count = 0;
    let at = skipSpace(text, 0);
    if (text.charCodeAt(at) !== OPEN_OBJECT) return false;
    at = skipSpace(text, at + 1);
    if (text.charCodeAt(at) === CLOSE_OBJECT) return skipSpace(text, at + 1) === text.length;
    for (;;) {
      if (text.charCodeAt(at) !== QUOTE) return false;
      const keyStart = at;
      at = this.scanString(at);
      if (at === -1) return false;
      const keyEnd = at;
      const keyEscaped = this.escaped;
      at = skipSpace(text, at);
      if (text.charCodeAt(at) !== COLON) return false;
      const valueStart = skipSpace(text, at + 1);
      at = this.scanValue(valueStart, 1);
      if (at === -1) return false;
      const i = this.count++;
      this.keyStart[i] = keyStart;
      this.keyEnd[i] = keyEnd;
      this.keyEscaped[i] = keyEscaped;
      this.valueStart[i] = valueStart;
      this.valueEnd[i] = at;
      this.valueKind[i] = this.kind;
      at = skipSpace(text, at);
      const c = text.charCodeAt(at);
      if (c === CLOSE_OBJECT) return skipSpace(text, at + 1) === text.length;
      if (c !== COMMA) return false;
      at = skipSpace(text, at + 1);
    }
  }

  /** The key of member i as a string. */
  key(i: number): string {
    const span = this.text.slice(this.keyStart[i], this.keyEnd[i]);
    return this.keyEscaped[i] ? (JSON.parse(span) as string) : span.slice(1, -1);
  }

  /** The JSON text of member i's value. */
  value(i: number): string {
    return this.text.slice(this.valueStart[i], this.valueEnd[i]);
  }

  /** Whether member i's key is `name` (which has no characters JSON escapes). */
  keyIs(i: number, name: string): boolean {
    return (
      !this.keyEscaped[i] &&
      this.keyEnd[i] - this.keyStart[i] === name.length + 2 &&
      this.text.startsWith(name, this.keyStart[i] + 1)
    );
  }

  /** Where the value from `at` ends, or -1; sets `kind`. */
  private scanValue(at: number, depth: number): number {
    const text = this.text;
    const c = text.charCodeAt(at);
    if (c === QUOTE) {
      const end = this.scanString(at);
      this.kind = this.escaped ? 'escaped' : 'string';
      return end;
    }
    if (c === MINUS || isDigit(c)) {
      this.kind = 'number';
      return number(text, at);
    }
    if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (depth >= MAX_DEPTH) return -1;
      const end = c === OPEN_OBJECT ? this.scanObject(at, depth) : this.scanArray(at, depth);
      this.kind = c === OPEN_OBJECT ? 'object' : 'array';
      return end;
    }
    const literal = c === 0x74 ? 'true' : c === 0x66 ? 'false' : c === 0x6e ? 'null' : undefined;
    if (literal === undefined || !text.startsWith(literal, at)) return -1;
    this.kind = literal;
    return at + literal.length;
  }

  private scanObject(at: number, depth: number): number {
    const text = this.text;
    at = skipSpace(text, at + 1);
    if (text.charCodeAt(at) === CLOSE_OBJECT) return at + 1;
    for (;;) {
      if (text.charCodeAt(at) !== QUOTE) return -1;
      at = this.scanString(at);
      if (at === -1) return -1;
      at = skipSpace(text, at);
      if (text.charCodeAt(at) !== COLON) return -1;
      at = this.scanValue(skipSpace(text, at + 1), depth + 1);
      if (at === -1) return -1;
      at = skipSpace(text, at);
      const c = text.charCodeAt(at);
      if (c === CLOSE_OBJECT) return at + 1;
      if (c !== COMMA) return -1;
      at = skipSpace(text, at + 1);
    }
  }

  private scanArray(at: number, depth: number): number {
    const text = this.text;
    at = skipSpace(text, at + 1);
    if (text.charCodeAt(at) === CLOSE_ARRAY) return at + 1;
    for (;;) {
      at = this.scanValue(at, depth + 1);
      if (at === -1) return -1;
      at = skipSpace(text, at);
      const c = text.charCodeAt(at);
      if (c === CLOSE_ARRAY) return at + 1;
      if (c !== COMMA) return -1;
      at = skipSpace(text, at + 1);
    }
  }

  /** Where the string whose quote is at `at` ends (after its closing quote), or -1; sets `escaped`. */
  private scanString(at: number): number {
    const text = this.text;
    this.escaped = false;
    if (this.plain) {
      const quote = text.indexOf('"', at + 1);
      return quote === -1 ? -1 : quote + 1;
    }
    for (let i = at + 1; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === QUOTE) return i + 1;
      if (c === BACKSLASH) {
        this.escaped = true;
        const escape = text.charCodeAt(++i);
        if (escape === 0x75) {
          for (let h = 1; h <= 4; h++) if (!isHex(text.charCodeAt(i + h))) return -1;
          i += 4;
        } else if (!SIMPLE_ESCAPES.has(escape)) {
          return -1;
        }
      } else if (c < 0x20) {
        return -1;
      }
    }
    return -1;
  }
}

/** Where the JSON number from `at` ends, or -1. */
function number(text: string, at: number): number {
  if (text.charCodeAt(at) === MINUS) at++;
  if (text.charCodeAt(at) === ZERO) at++;
  else if (isDigit(text.charCodeAt(at))) while (isDigit(text.charCodeAt(at))) at++;
  else return -1;
  if (text.charCodeAt(at) === DOT) {
    if (!isDigit(text.charCodeAt(++at))) return -1;
    while (isDigit(text.charCodeAt(at))) at++;
  }
  const e = text.charCodeAt(at);
  if (e === 0x65 || e === 0x45) {
    const sign = text.charCodeAt(++at);
    if (sign === PLUS || sign === MINUS) at++;
    if (!isDigit(text.charCodeAt(at))) return -1;
    while (isDigit(text.charCodeAt(at))) at++;
  }
  return at;
}
