// Parser of the jq language subset the `jq` filter runs (see jq.ts for why it is our own).
import { Fault } from './errors.js';

export type Query =
  | { t: 'identity' }
  | { t: 'recurse' }
  | { t: 'field'; of: Query; name: string }
  | { t: 'index'; of: Query; index: Query }
  | { t: 'slice'; of: Query; from: Query | null; to: Query | null }
  | { t: 'iterate'; of: Query }
  | { t: 'literal'; value: unknown }
  | { t: 'string'; parts: (string | Query)[]; format: string | null }
  | { t: 'format'; name: string }
  | { t: 'array'; body: Query | null }
  | { t: 'object'; entries: { key: Query; value: Query }[] }
  | { t: 'pipe' | 'comma' | 'and' | 'or' | 'alt'; left: Query; right: Query }
  | { t: 'binop'; op: string; left: Query; right: Query }
  | { t: 'neg'; of: Query }
  | { t: 'bind'; source: Query; name: string; body: Query }
  | { t: 'if'; cond: Query; then: Query; otherwise: Query | null }
  | { t: 'try'; body: Query; handler: Query | null }
  | { t: 'reduce'; source: Query; name: string; init: Query; update: Query }
  | { t: 'foreach'; source: Query; name: string; init: Query; update: Query; extract: Query | null }
  | { t: 'var'; name: string }
  | { t: 'call'; name: string; args: Query[] };

interface Token {
  kind: 'num' | 'str' | 'ident' | 'field' | 'var' | 'format' | 'op' | 'end';
  value: string;
  /** string tokens: literal pieces and the source of each `\( … )` */
  parts?: (string | { source: string })[];
  pos: number;
}

const OPERATORS = [
  '?//',
  '|=',
  '+=',
  '-=',
  '*=',
  '/=',
  '%=',
  '//=',
  '==',
  '!=',
  '<=',
  '>=',
  '//',
  '..',
  'and',
  'or',
];
const SINGLE = '.[]{}(),|:;+-*/%<>=?';
const KEYWORDS = new Set([
  'if',
  'then',
  'elif',
  'else',
  'end',
  'as',
  'reduce',
  'foreach',
  'try',
  'catch',
  'and',
  'or',
  'def',
  'import',
  'include',
  'label',
]);
const ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  b: '\b',
  f: '\f',
  '"': '"',
  '\\': '\\',
  '/': '/',
};

function fail(message: string): Fault {
  return new Fault(`filter \`jq\` cannot parse the expression: ${message}`);
}

function lex(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    const pos = i;
    if (c === '"') {
      i++;
      const parts: (string | { source: string })[] = [];
      let text = '';
      for (;;) {
        if (i >= src.length) throw fail('unterminated string');
        const ch = src[i];
        if (ch === '"') break;
        if (ch === '\\') {
          const next = src[i + 1];
          if (next === '(') {
            let depth = 1;
            const start = i + 2;
            i = start;
            while (i < src.length && depth > 0) {
              if (src[i] === '(') depth++;
              else if (src[i] === ')') depth--;
              else if (src[i] === '"') {
                // skip a nested string, whose parentheses do not count
                i++;
                while (i < src.length && src[i] !== '"') i += src[i] === '\\' ? 2 : 1;
              }
              i++;
            }
            if (depth > 0) throw fail('unterminated \\( in a string');
            parts.push(text, { source: src.slice(start, i - 1) });
            text = '';
            continue;
          }
          if (next === 'u') {
            const hex = src.slice(i + 2, i + 6);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw fail('invalid \\u escape');
            text += String.fromCharCode(Number.parseInt(hex, 16));
            i += 6;
            continue;
          }
          const escaped = ESCAPES[next];
          if (escaped === undefined) throw fail(`invalid escape \\${next ?? ''}`);
          text += escaped;
          i += 2;
          continue;
        }
        text += ch;
        i++;
      }
      i++;
      parts.push(text);
      tokens.push({ kind: 'str', value: '', parts, pos });
      continue;
    }
    const number = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(src.slice(i, i + 400));
    if (number && !(c === '.' && !/\d/.test(src[i + 1] ?? ''))) {
      tokens.push({ kind: 'num', value: number[0], pos });
      i += number[0].length;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*(?:::[A-Za-z_][A-Za-z0-9_]*)*/.exec(src.slice(i, i + 400));
    if ((c === '$' || c === '@') && word === null) {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i + 1, i + 400));
      if (!name) throw fail(`unexpected '${c}'`);
      tokens.push({ kind: c === '$' ? 'var' : 'format', value: name[0], pos });
      i += name[0].length + 1;
      continue;
    }
    if (c === '.' && /[A-Za-z_]/.test(src[i + 1] ?? '')) {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i + 1, i + 400)) as RegExpExecArray;
      tokens.push({ kind: 'field', value: name[0], pos });
      i += name[0].length + 1;
      continue;
    }
    if (word) {
      const isOp = word[0] === 'and' || word[0] === 'or';
      tokens.push({ kind: isOp ? 'op' : 'ident', value: word[0], pos });
      i += word[0].length;
      continue;
    }
    const op = OPERATORS.find((o) => !/[a-z]/.test(o) && src.startsWith(o, i));
    if (op) {
      tokens.push({ kind: 'op', value: op, pos });
      i += op.length;
      continue;
    }
    if (SINGLE.includes(c)) {
      tokens.push({ kind: 'op', value: c, pos });
      i++;
      continue;
    }
    throw fail(`unexpected character '${c}'`);
  }
  tokens.push({ kind: 'end', value: '', pos: src.length });
  return tokens;
}

const UNSUPPORTED_OPS = new Set(['|=', '+=', '-=', '*=', '/=', '%=', '//=', '=', '?//']);

class JqParser {
  private i = 0;
  private depth = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly maxDepth: number,
  ) {}

  static parse(src: string, maxDepth: number): Query {
    const parser = new JqParser(lex(src), maxDepth);
    const query = parser.pipe();
    if (parser.peek().kind !== 'end') throw fail(`unexpected '${parser.peek().value}'`);
    return query;
  }

  private peek(): Token {
    return this.tokens[this.i];
  }

  private is(value: string, kind: Token['kind'] = 'op'): boolean {
    const token = this.peek();
    return token.kind === kind && token.value === value;
  }

  private accept(value: string, kind: Token['kind'] = 'op'): boolean {
    if (!this.is(value, kind)) return false;
    this.i++;
    return true;
  }

  private expect(value: string, kind: Token['kind'] = 'op'): void {
    if (!this.accept(value, kind)) {
      const found = this.peek();
      throw fail(`expected '${value}', found ${found.kind === 'end' ? 'the end' : `'${found.value}'`}`);
    }
  }

  private nested<T>(parse: () => T): T {
    if (++this.depth > this.maxDepth) throw fail(`nested deeper than ${this.maxDepth} levels`);
    try {
      return parse();
    } finally {
      this.depth--;
    }
  }

  pipe(): Query {
    return this.nested(() => {
      if (this.is('def', 'ident')) throw fail('`def` is not supported');
      const left = this.comma();
      if (this.accept('as', 'ident')) {
        const name = this.peek();
        if (name.kind !== 'var') throw fail('`as` expects a $variable (destructuring is not supported)');
        this.i++;
        this.expect('|');
        return { t: 'bind', source: left, name: name.value, body: this.pipe() };
      }
      if (this.accept('|')) return { t: 'pipe', left, right: this.pipe() };
      return left;
    });
  }

  private comma(): Query {
    let left = this.alternative();
    while (this.accept(',')) left = { t: 'comma', left, right: this.alternative() };
    return left;
  }

  private alternative(): Query {
    const left = this.or();
    const token = this.peek();
    if (token.kind === 'op' && UNSUPPORTED_OPS.has(token.value)) {
      throw fail(`the assignment operator '${token.value}' is not supported`);
    }
    if (this.accept('//')) return { t: 'alt', left, right: this.alternative() };
    return left;
  }

  private or(): Query {
    let left = this.and();
    while (this.accept('or')) left = { t: 'or', left, right: this.and() };
    return left;
  }

  private and(): Query {
    let left = this.comparison();
    while (this.accept('and')) left = { t: 'and', left, right: this.comparison() };
    return left;
  }

  private comparison(): Query {
    const left = this.additive();
    for (const op of ['==', '!=', '<=', '>=', '<', '>']) {
      if (this.accept(op)) return { t: 'binop', op, left, right: this.additive() };
    }
    return left;
  }

  private additive(): Query {
    let left = this.multiplicative();
    for (;;) {
      const op = this.is('+') ? '+' : this.is('-') ? '-' : null;
      if (!op) return left;
      this.i++;
      left = { t: 'binop', op, left, right: this.multiplicative() };
    }
  }

  private multiplicative(): Query {
    let left = this.unary();
    for (;;) {
      const op = ['*', '/', '%'].find((o) => this.is(o));
      if (!op) return left;
      this.i++;
      left = { t: 'binop', op, left, right: this.unary() };
    }
  }

  private unary(): Query {
    if (this.accept('-')) return { t: 'neg', of: this.unary() };
    return this.postfix(this.term());
  }

  private postfix(start: Query): Query {
    let query = start;
    for (;;) {
      const token = this.peek();
      if (token.kind === 'field') {
        this.i++;
        query = { t: 'field', of: query, name: token.value };
      } else if (this.is('.') && this.tokens[this.i + 1]?.kind === 'str') {
        this.i++;
        query = { t: 'index', of: query, index: this.term() };
      } else if (this.is('[') || (this.is('.') && this.tokens[this.i + 1]?.value === '[')) {
        this.accept('.');
        this.expect('[');
        query = this.bracket(query);
      } else if (this.accept('?')) {
        query = { t: 'try', body: query, handler: null };
      } else return query;
    }
  }

  /** After `[`: `]` iterates, `a:b` slices, anything else indexes. */
  private bracket(of: Query): Query {
    if (this.accept(']')) return { t: 'iterate', of };
    if (this.accept(':')) {
      const to = this.pipe();
      this.expect(']');
      return { t: 'slice', of, from: null, to };
    }
    const index = this.pipe();
    if (this.accept(':')) {
      const to = this.is(']') ? null : this.pipe();
      this.expect(']');
      return { t: 'slice', of, from: index, to };
    }
    this.expect(']');
    return { t: 'index', of, index };
  }

  private term(): Query {
    return this.nested(() => this.termInner());
  }

  private termInner(): Query {
    const token = this.peek();
    this.i++;
    switch (token.kind) {
      case 'num':
        return { t: 'literal', value: Number(token.value) };
      case 'str':
        return this.string(token, null);
      case 'field':
        return { t: 'field', of: { t: 'identity' }, name: token.value };
      case 'var':
        return { t: 'var', name: token.value };
      case 'format': {
        const next = this.peek();
        if (next.kind === 'str') {
          this.i++;
          return this.string(next, token.value);
        }
        return { t: 'format', name: token.value };
      }
      case 'ident':
        return this.word(token.value);
      case 'end':
        throw fail('unexpected end of the expression');
    }
    switch (token.value) {
      case '.':
        if (this.peek().kind === 'str') return { t: 'index', of: { t: 'identity' }, index: this.term() };
        if (this.accept('[')) return this.bracket({ t: 'identity' });
        return { t: 'identity' };
      case '..':
        return { t: 'recurse' };
      case '(': {
        const inner = this.pipe();
        this.expect(')');
        return inner;
      }
      case '[': {
        if (this.accept(']')) return { t: 'array', body: null };
        const body = this.pipe();
        this.expect(']');
        return { t: 'array', body };
      }
      case '{':
        return this.object();
    }
    throw fail(`unexpected '${token.value}'`);
  }

  private string(token: Token, format: string | null): Query {
    const parts = (token.parts ?? []).map((part) =>
      typeof part === 'string'
        ? part
        : this.nested(() => JqParser.parse(part.source, this.maxDepth - this.depth)),
    );
    if (parts.length === 1 && format === null) return { t: 'literal', value: parts[0] };
    return { t: 'string', parts, format };
  }

  private object(): Query {
    const entries: { key: Query; value: Query }[] = [];
    if (this.accept('}')) return { t: 'object', entries };
    do {
      const token = this.peek();
      let key: Query;
      let shorthand: Query;
      if (token.kind === 'var') {
        this.i++;
        key = { t: 'literal', value: token.value };
        shorthand = { t: 'var', name: token.value };
      } else if (
        token.kind === 'ident' ||
        (token.kind === 'op' && (token.value === 'and' || token.value === 'or'))
      ) {
        this.i++;
        key = { t: 'literal', value: token.value };
        shorthand = { t: 'field', of: { t: 'identity' }, name: token.value };
      } else if (token.kind === 'str' || token.kind === 'num') {
        key = this.term();
        shorthand = { t: 'index', of: { t: 'identity' }, index: key };
      } else if (this.accept('(')) {
        key = this.pipe();
        this.expect(')');
        shorthand = { t: 'index', of: { t: 'identity' }, index: key };
      } else throw fail(`unexpected '${token.value}' in an object`);
      let value: Query = shorthand;
      if (this.accept(':')) {
        value = this.objectValue();
      }
      entries.push({ key, value });
    } while (this.accept(','));
    this.expect('}');
    return { t: 'object', entries };
  }

  /** An object value is a pipeline of alternatives without commas: `{a: 1, b: 2}`. */
  private objectValue(): Query {
    let left = this.alternative();
    while (this.accept('|')) left = { t: 'pipe', left, right: this.alternative() };
    return left;
  }

  private word(name: string): Query {
    switch (name) {
      case 'if':
        return this.conditional();
      case 'try': {
        const body = this.postfix(this.term());
        const handler = this.accept('catch', 'ident') ? this.postfix(this.term()) : null;
        return { t: 'try', body, handler };
      }
      case 'reduce':
      case 'foreach': {
        const source = this.postfix(this.term());
        this.expect('as', 'ident');
        const variable = this.peek();
        if (variable.kind !== 'var') throw fail(`\`${name}\` expects a $variable after \`as\``);
        this.i++;
        this.expect('(');
        const init = this.pipe();
        this.expect(';');
        const update = this.pipe();
        let extract: Query | null = null;
        if (name === 'foreach' && this.accept(';')) extract = this.pipe();
        this.expect(')');
        return name === 'reduce'
          ? { t: 'reduce', source, name: variable.value, init, update }
          : { t: 'foreach', source, name: variable.value, init, update, extract };
      }
      case 'true':
      case 'false':
        return { t: 'literal', value: name === 'true' };
      case 'null':
        return { t: 'literal', value: null };
    }
    if (KEYWORDS.has(name)) throw fail(`\`${name}\` is not supported here`);
    const args: Query[] = [];
    if (this.accept('(')) {
      do args.push(this.pipe());
      while (this.accept(';'));
      this.expect(')');
    }
    return { t: 'call', name, args };
  }

  private conditional(): Query {
    const cond = this.pipe();
    this.expect('then', 'ident');
    const then = this.pipe();
    let otherwise: Query | null = null;
    if (this.accept('elif', 'ident')) otherwise = this.conditional();
    else {
      if (this.accept('else', 'ident')) otherwise = this.pipe();
      this.expect('end', 'ident');
    }
    return { t: 'if', cond, then, otherwise };
  }
}

export function parseJq(source: string, maxDepth: number): Query {
  return JqParser.parse(source, maxDepth);
}
