// The subset of Jinja2 that Airbyte manifests use, rendered over data only: `{{ }}`, `{% if %}`,
// `{% for %}`, `{% set %}`, `{# #}`, filters, tests, inline if/else and Python's operators and
// methods on strings, dicts, lists and datetimes. Nothing reaches JavaScript objects or the process:
// names resolve in the context given, attributes only to the methods listed here. Rendering is bounded
// in steps and in output size, so a template cannot run away.
import { type Callable, FILTERS, GLOBALS, TESTS, isCallable, methodOf } from './builtins.js';
import { PyDate, PyDateTime, PyDuration, PyTimedelta } from './py-time.js';
import { Undefined, UndefinedError, isDict, isUndefined, pyStr, truthy } from './py-values.js';

export const LIMITS = { templateChars: 100_000, outputChars: 1_000_000, steps: 200_000 };

export class TemplateError extends Error {}

// ---------------------------------------------------------------- lexer
type Tok =
  | { t: 'num'; v: number }
  | { t: 'str'; v: string }
  | { t: 'name'; v: string }
  | { t: 'op'; v: string }
  | { t: 'end' };

const OPS = [
  '**',
  '//',
  '==',
  '!=',
  '<=',
  '>=',
  '+',
  '-',
  '*',
  '/',
  '%',
  '~',
  '<',
  '>',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  ',',
  ':',
  '.',
  '|',
  '=',
];

function lexExpression(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const num = /^(\d[\d_]*\.\d[\d_]*(?:[eE][+-]?\d+)?|\d[\d_]*(?:[eE][+-]?\d+)?)/.exec(src.slice(i));
    if (num) {
      out.push({ t: 'num', v: Number(num[0].replace(/_/g, '')) });
      i += num[0].length;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      let s = '';
      while (j < src.length && src[j] !== c) {
        if (src[j] === '\\' && j + 1 < src.length) {
          const n = src[j + 1]!;
          s += n === 'n' ? '\n' : n === 't' ? '\t' : n === 'r' ? '\r' : n === c || n === '\\' ? n : `\\${n}`;
          j += 2;
        } else s += src[j++];
      }
      if (j >= src.length) throw new TemplateError('unterminated string in template');
      out.push({ t: 'str', v: s });
      i = j + 1;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (name) {
      out.push({ t: 'name', v: name[0] });
      i += name[0].length;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw new TemplateError(`unexpected character ${JSON.stringify(c)} in template`);
    out.push({ t: 'op', v: op });
    i += op.length;
  }
  out.push({ t: 'end' });
  return out;
}

// ---------------------------------------------------------------- expressions
type Expr =
  | { k: 'lit'; v: unknown }
  | { k: 'name'; n: string }
  | { k: 'attr'; o: Expr; n: string }
  | { k: 'item'; o: Expr; i: Expr }
  | { k: 'slice'; o: Expr; a?: Expr; b?: Expr }
  | { k: 'call'; f: Expr; args: Expr[]; kw: [string, Expr][] }
  | { k: 'filter'; o: Expr; n: string; args: Expr[]; kw: [string, Expr][] }
  | { k: 'test'; o: Expr; n: string; args: Expr[]; neg: boolean }
  | { k: 'un'; op: string; o: Expr }
  | { k: 'bin'; op: string; a: Expr; b: Expr }
  | { k: 'cmp'; first: Expr; rest: [string, Expr][] }
  | { k: 'cond'; c: Expr; a: Expr; b?: Expr }
  | { k: 'list'; items: Expr[] }
  | { k: 'dict'; items: [Expr, Expr][] };

class ExprParser {
  private p = 0;
  constructor(private readonly toks: Tok[]) {}

  private peek(): Tok {
    return this.toks[this.p]!;
  }
  private isOp(v: string): boolean {
    const t = this.peek();
    return t.t === 'op' && t.v === v;
  }
  private isName(v: string): boolean {
    const t = this.peek();
    return t.t === 'name' && t.v === v;
  }
  private expectOp(v: string): void {
    if (!this.isOp(v)) throw new TemplateError(`expected ${v} in template expression`);
    this.p++;
  }
  atEnd(): boolean {
    return this.peek().t === 'end';
  }

  parseAll(): Expr {
    const e = this.expr();
    if (!this.atEnd()) throw new TemplateError(`unexpected ${describe(this.peek())} in template expression`);
    return e;
  }

  /** For `{% for a, b in x %}`: the target names. */
  names(): string[] {
    const out: string[] = [];
    do {
      const t = this.peek();
      if (t.t !== 'name') throw new TemplateError('expected a name');
      out.push(t.v);
      this.p++;
    } while (this.isOp(',') && ++this.p);
    return out;
  }

  expectName(v: string): void {
    if (!this.isName(v)) throw new TemplateError(`expected ${v}`);
    this.p++;
  }

  expr(): Expr {
    const a = this.or();
    if (this.isName('if')) {
      this.p++;
      const c = this.or();
      let b: Expr | undefined;
      if (this.isName('else')) {
        this.p++;
        b = this.expr();
      }
      return { k: 'cond', c, a, b };
    }
    return a;
  }
  private or(): Expr {
    let a = this.and();
    while (this.isName('or')) {
      this.p++;
      a = { k: 'bin', op: 'or', a, b: this.and() };
    }
    return a;
  }
  private and(): Expr {
    let a = this.not();
    while (this.isName('and')) {
      this.p++;
      a = { k: 'bin', op: 'and', a, b: this.not() };
    }
    return a;
  }
  private not(): Expr {
    if (this.isName('not')) {
      this.p++;
      return { k: 'un', op: 'not', o: this.not() };
    }
    return this.compare();
  }
  private compare(): Expr {
    const first = this.concat();
    const rest: [string, Expr][] = [];
    for (;;) {
      const t = this.peek();
      if (t.t === 'op' && ['==', '!=', '<', '>', '<=', '>='].includes(t.v)) {
        this.p++;
        rest.push([t.v, this.concat()]);
      } else if (this.isName('in')) {
        this.p++;
        rest.push(['in', this.concat()]);
      } else if (
        this.isName('not') &&
        this.toks[this.p + 1]?.t === 'name' &&
        (this.toks[this.p + 1] as { v: string }).v === 'in'
      ) {
        this.p += 2;
        rest.push(['not in', this.concat()]);
      } else break;
    }
    return rest.length ? { k: 'cmp', first, rest } : first;
  }
  private concat(): Expr {
    let a = this.additive();
    while (this.isOp('~')) {
      this.p++;
      a = { k: 'bin', op: '~', a, b: this.additive() };
    }
    return a;
  }
  private additive(): Expr {
    let a = this.term();
    while (this.isOp('+') || this.isOp('-')) {
      const op = (this.toks[this.p++] as { v: string }).v;
      a = { k: 'bin', op, a, b: this.term() };
    }
    return a;
  }
  private term(): Expr {
    let a = this.unary();
    while (this.isOp('*') || this.isOp('/') || this.isOp('//') || this.isOp('%')) {
      const op = (this.toks[this.p++] as { v: string }).v;
      a = { k: 'bin', op, a, b: this.unary() };
    }
    return a;
  }
  private unary(): Expr {
    if (this.isOp('-') || this.isOp('+')) {
      const op = (this.toks[this.p++] as { v: string }).v;
      return { k: 'un', op, o: this.unary() };
    }
    return this.power();
  }
  private power(): Expr {
    const a = this.postfix();
    if (this.isOp('**')) {
      this.p++;
      return { k: 'bin', op: '**', a, b: this.unary() };
    }
    return a;
  }
  private postfix(): Expr {
    let e = this.primary();
    for (;;) {
      if (this.isOp('.')) {
        this.p++;
        const t = this.peek();
        if (t.t === 'name') e = { k: 'attr', o: e, n: t.v };
        else if (t.t === 'num') e = { k: 'item', o: e, i: { k: 'lit', v: t.v } };
        else throw new TemplateError('expected a name after .');
        this.p++;
      } else if (this.isOp('[')) {
        this.p++;
        let a: Expr | undefined;
        if (!this.isOp(':')) a = this.expr();
        if (this.isOp(':')) {
          this.p++;
          const b = this.isOp(']') ? undefined : this.expr();
          this.expectOp(']');
          e = { k: 'slice', o: e, a, b };
        } else {
          this.expectOp(']');
          e = { k: 'item', o: e, i: a! };
        }
      } else if (this.isOp('(')) {
        const { args, kw } = this.callArgs();
        e = { k: 'call', f: e, args, kw };
      } else if (this.isOp('|')) {
        this.p++;
        const n = this.dottedName();
        const { args, kw } = this.isOp('(') ? this.callArgs() : { args: [], kw: [] };
        e = { k: 'filter', o: e, n, args, kw };
      } else if (this.isName('is')) {
        this.p++;
        let neg = false;
        if (this.isName('not')) {
          this.p++;
          neg = true;
        }
        const n = this.dottedName();
        let args: Expr[] = [];
        if (this.isOp('(')) args = this.callArgs().args;
        else if (this.peek().t === 'num' || this.peek().t === 'str') args = [this.primary()];
        e = { k: 'test', o: e, n, args, neg };
      } else return e;
    }
  }
  private dottedName(): string {
    const t = this.peek();
    if (t.t !== 'name') throw new TemplateError('expected a filter or test name');
    this.p++;
    return t.v;
  }
  private callArgs(): { args: Expr[]; kw: [string, Expr][] } {
    this.expectOp('(');
    const args: Expr[] = [];
    const kw: [string, Expr][] = [];
    while (!this.isOp(')')) {
      const t = this.peek();
      const next = this.toks[this.p + 1];
      if (t.t === 'name' && next?.t === 'op' && next.v === '=') {
        this.p += 2;
        kw.push([t.v, this.expr()]);
      } else args.push(this.expr());
      if (!this.isOp(')')) this.expectOp(',');
    }
    this.p++;
    return { args, kw };
  }
  private primary(): Expr {
    const t = this.peek();
    this.p++;
    if (t.t === 'num' || t.t === 'str') {
      // adjacent strings concatenate, as in Python
      if (t.t === 'str') {
        let v = t.v;
        while (this.peek().t === 'str') v += (this.toks[this.p++] as { v: string }).v;
        return { k: 'lit', v };
      }
      return { k: 'lit', v: t.v };
    }
    if (t.t === 'name') {
      switch (t.v) {
        case 'True':
        case 'true':
          return { k: 'lit', v: true };
        case 'False':
        case 'false':
          return { k: 'lit', v: false };
        case 'None':
        case 'none':
          return { k: 'lit', v: null };
      }
      return { k: 'name', n: t.v };
    }
    if (t.t === 'op' && t.v === '(') {
      if (this.isOp(')')) {
        this.p++;
        return { k: 'list', items: [] };
      }
      const first = this.expr();
      if (this.isOp(',')) {
        const items = [first];
        while (this.isOp(',')) {
          this.p++;
          if (this.isOp(')')) break;
          items.push(this.expr());
        }
        this.expectOp(')');
        return { k: 'list', items };
      }
      this.expectOp(')');
      return first;
    }
    if (t.t === 'op' && t.v === '[') {
      const items: Expr[] = [];
      while (!this.isOp(']')) {
        items.push(this.expr());
        if (!this.isOp(']')) this.expectOp(',');
      }
      this.p++;
      return { k: 'list', items };
    }
    if (t.t === 'op' && t.v === '{') {
      const items: [Expr, Expr][] = [];
      while (!this.isOp('}')) {
        const key = this.expr();
        this.expectOp(':');
        items.push([key, this.expr()]);
        if (!this.isOp('}')) this.expectOp(',');
      }
      this.p++;
      return { k: 'dict', items };
    }
    throw new TemplateError(`unexpected ${describe(t)} in template expression`);
  }
}

function describe(t: Tok): string {
  return t.t === 'end' ? 'end of expression' : JSON.stringify((t as { v: unknown }).v);
}

function parseExpression(src: string): Expr {
  return new ExprParser(lexExpression(src)).parseAll();
}

// ---------------------------------------------------------------- statements
type Node =
  | { k: 'text'; v: string }
  | { k: 'out'; e: Expr }
  | { k: 'if'; branches: [Expr, Node[]][]; otherwise: Node[] }
  | { k: 'for'; names: string[]; iter: Expr; body: Node[]; otherwise: Node[] }
  | { k: 'set'; name: string; e: Expr };

interface Piece {
  kind: 'text' | 'out' | 'stmt';
  src: string;
}

function tokenizeTemplate(src: string): Piece[] {
  const pieces: Piece[] = [];
  let i = 0;
  let trimNext = false;
  while (i < src.length) {
    const open = src.slice(i).search(/\{[{%#]/);
    if (open < 0) {
      pieces.push({ kind: 'text', src: trimNext ? src.slice(i).trimStart() : src.slice(i) });
      break;
    }
    let text = src.slice(i, i + open);
    if (trimNext) text = text.trimStart();
    const tagStart = i + open;
    const kind = src[tagStart + 1];
    const close = kind === '{' ? '}}' : kind === '%' ? '%}' : '#}';
    let end = src.indexOf(close, tagStart + 2);
    if (kind === '{') end = findExpressionEnd(src, tagStart + 2);
    if (end < 0) throw new TemplateError(`unclosed ${src.slice(tagStart, tagStart + 2)} in template`);
    let inner = src.slice(tagStart + 2, end);
    if (inner.startsWith('-')) {
      text = text.trimEnd();
      inner = inner.slice(1);
    }
    trimNext = inner.endsWith('-');
    if (trimNext) inner = inner.slice(0, -1);
    // Jinja's trim_blocks is off in the CDK, so only explicit `-` trims
    if (text) pieces.push({ kind: 'text', src: text });
    if (kind === '{') pieces.push({ kind: 'out', src: inner });
    else if (kind === '%') pieces.push({ kind: 'stmt', src: inner.trim() });
    i = end + 2;
  }
  return pieces;
}

/** The `}}` that ends an expression, skipping any inside string literals or dict displays. */
function findExpressionEnd(src: string, from: number): number {
  let depth = 0;
  for (let i = from; i < src.length; i++) {
    const c = src[i]!;
    if (c === '"' || c === "'") {
      i++;
      while (i < src.length && src[i] !== c) i += src[i] === '\\' ? 2 : 1;
    } else if (c === '{' || c === '[' || c === '(') depth++;
    else if ((c === ']' || c === ')') && depth > 0) depth--;
    else if (c === '}') {
      if (depth > 0) depth--;
      else if (src[i + 1] === '}') return i;
    }
  }
  return -1;
}

function parseTemplate(src: string): Node[] {
  const pieces = tokenizeTemplate(src);
  let p = 0;
  const block = (ends: string[]): { nodes: Node[]; end: string } => {
    const nodes: Node[] = [];
    while (p < pieces.length) {
      const piece = pieces[p++]!;
      if (piece.kind === 'text') nodes.push({ k: 'text', v: piece.src });
      else if (piece.kind === 'out') nodes.push({ k: 'out', e: parseExpression(piece.src) });
      else {
        const word = /^\w+/.exec(piece.src)?.[0] ?? '';
        const rest = piece.src.slice(word.length);
        if (ends.includes(word)) {
          p--;
          return { nodes, end: word };
        }
        if (word === 'if') nodes.push(ifNode(rest));
        else if (word === 'for') nodes.push(forNode(rest));
        else if (word === 'set') {
          const m = /^\s*([A-Za-z_]\w*)\s*=(.*)$/s.exec(rest);
          if (!m) throw new TemplateError(`bad {% set %}: ${piece.src}`);
          nodes.push({ k: 'set', name: m[1]!, e: parseExpression(m[2]!) });
        } else throw new TemplateError(`unsupported template tag {% ${word} %}`);
      }
    }
    if (ends.length) throw new TemplateError(`missing {% ${ends[ends.length - 1]} %} in template`);
    return { nodes, end: '' };
  };
  const ifNode = (cond: string): Node => {
    const branches: [Expr, Node[]][] = [];
    let otherwise: Node[] = [];
    let current = parseExpression(cond);
    for (;;) {
      const { nodes, end } = block(['elif', 'else', 'endif']);
      const tag = pieces[p++]!;
      if (end === 'elif') {
        branches.push([current, nodes]);
        current = parseExpression(tag.src.slice(4));
      } else if (end === 'else') {
        branches.push([current, nodes]);
        otherwise = block(['endif']).nodes;
        p++;
        return { k: 'if', branches, otherwise };
      } else {
        branches.push([current, nodes]);
        return { k: 'if', branches, otherwise };
      }
    }
  };
  const forNode = (head: string): Node => {
    const parser = new ExprParser(lexExpression(head));
    const names = parser.names();
    parser.expectName('in');
    const iter = parser.expr();
    if (!parser.atEnd()) throw new TemplateError(`bad {% for %}: ${head}`);
    const body = block(['else', 'endfor']);
    p++;
    let otherwise: Node[] = [];
    if (body.end === 'else') {
      otherwise = block(['endfor']).nodes;
      p++;
    }
    return { k: 'for', names, iter, body: body.nodes, otherwise };
  };
  return block([]).nodes;
}

// ---------------------------------------------------------------- evaluation
class Budget {
  steps = 0;
  chars = 0;
  step(): void {
    if (++this.steps > LIMITS.steps)
      throw new TemplateError(`template too costly: over ${LIMITS.steps} steps`);
  }
  output(n: number): void {
    this.chars += n;
    if (this.chars > LIMITS.outputChars)
      throw new TemplateError(`template output over ${LIMITS.outputChars} characters`);
  }
}

type Scope = Map<string, unknown>;

function lookup(scope: Scope, context: Record<string, unknown>, name: string): unknown {
  if (scope.has(name)) return scope.get(name);
  if (Object.prototype.hasOwnProperty.call(context, name)) return context[name];
  if (Object.prototype.hasOwnProperty.call(GLOBALS, name)) return GLOBALS[name];
  return new Undefined(name);
}

/** Jinja's `obj.name`: a method, then an item. */
export function getAttr(obj: unknown, name: string): unknown {
  if (isUndefined(obj)) throw new UndefinedError(`'${obj.name}' is undefined`);
  const method = methodOf(obj, name);
  if (method) return method;
  return getItem(obj, name);
}

/** Jinja's `obj[key]`: an item, then an attribute. */
export function getItem(obj: unknown, key: unknown): unknown {
  if (isUndefined(obj)) throw new UndefinedError(`'${obj.name}' is undefined`);
  if (isDict(obj)) {
    const k = typeof key === 'string' ? key : pyStr(key);
    return Object.prototype.hasOwnProperty.call(obj, k) ? obj[k] : new Undefined(k);
  }
  if ((Array.isArray(obj) || typeof obj === 'string') && typeof key === 'number' && Number.isInteger(key)) {
    const i = key < 0 ? obj.length + key : key;
    return i >= 0 && i < obj.length ? obj[i] : new Undefined(String(key));
  }
  // Jinja: looking into None gives Undefined (only looking into Undefined fails)
  if (obj === null || obj === undefined) return new Undefined(pyStr(key));
  if (typeof key === 'string') {
    const attr = attributeOf(obj, key);
    if (attr !== undefined) return attr;
    const method = methodOf(obj, key);
    if (method) return method;
  }
  return new Undefined(pyStr(key));
}

function attributeOf(obj: unknown, name: string): unknown {
  if (obj instanceof PyDateTime) {
    const f = obj.fields();
    const fields: Record<string, number> = {
      year: f.year,
      month: f.month,
      day: f.day,
      hour: f.hour,
      minute: f.minute,
      second: f.second,
      microsecond: f.micro,
    };
    return fields[name];
  }
  if (obj instanceof PyDate)
    return ({ year: obj.year, month: obj.month, day: obj.day } as Record<string, number>)[name];
  if (obj instanceof PyTimedelta) {
    const days = Math.floor(obj.micros / 86_400_000_000);
    const rest = obj.micros - days * 86_400_000_000;
    return (
      { days, seconds: Math.floor(rest / 1_000_000), microseconds: rest % 1_000_000 } as Record<
        string,
        number
      >
    )[name];
  }
  return undefined;
}

class Evaluator {
  private readonly budget = new Budget();
  constructor(private readonly context: Record<string, unknown>) {}

  render(nodes: Node[], scope: Scope): string {
    let out = '';
    for (const node of nodes) {
      this.budget.step();
      let piece = '';
      switch (node.k) {
        case 'text':
          piece = node.v;
          break;
        case 'out':
          piece = pyStr(this.eval(node.e, scope));
          break;
        case 'set':
          scope.set(node.name, this.eval(node.e, scope));
          break;
        case 'if': {
          const hit = node.branches.find(([cond]) => truthy(this.eval(cond, scope)));
          piece = this.render(hit ? hit[1] : node.otherwise, scope);
          break;
        }
        case 'for': {
          const items = iterate(this.eval(node.iter, scope));
          if (!items.length) piece = this.render(node.otherwise, scope);
          items.forEach((item, index) => {
            const inner: Scope = new Map(scope);
            if (node.names.length === 1) inner.set(node.names[0]!, item);
            else node.names.forEach((n, j) => inner.set(n, Array.isArray(item) ? item[j] : new Undefined(n)));
            inner.set('loop', {
              index: index + 1,
              index0: index,
              first: index === 0,
              last: index === items.length - 1,
              length: items.length,
            });
            piece += this.render(node.body, inner);
          });
          break;
        }
      }
      this.budget.output(piece.length);
      out += piece;
    }
    return out;
  }

  eval(e: Expr, scope: Scope): unknown {
    this.budget.step();
    switch (e.k) {
      case 'lit':
        return e.v;
      case 'name':
        return lookup(scope, this.context, e.n);
      case 'attr':
        return getAttr(this.eval(e.o, scope), e.n);
      case 'item':
        return getItem(this.eval(e.o, scope), this.eval(e.i, scope));
      case 'slice': {
        const o = this.eval(e.o, scope);
        const a = e.a ? (this.eval(e.a, scope) as number) : undefined;
        const b = e.b ? (this.eval(e.b, scope) as number) : undefined;
        if (typeof o === 'string' || Array.isArray(o)) return o.slice(a ?? 0, b ?? o.length);
        throw new TemplateError('only strings and lists can be sliced');
      }
      case 'call': {
        const f = this.eval(e.f, scope);
        if (isUndefined(f)) throw new TemplateError(`'${f.name}' is not a function a manifest can call`);
        if (!isCallable(f)) throw new TemplateError('this value cannot be called');
        return f.call(
          e.args.map((a) => this.eval(a, scope)),
          Object.fromEntries(e.kw.map(([k, v]) => [k, this.eval(v, scope)])),
        );
      }
      case 'filter': {
        const filter = FILTERS[e.n];
        if (!filter) throw new TemplateError(`unsupported filter ${e.n}`);
        return filter.call(
          [this.eval(e.o, scope), ...e.args.map((a) => this.eval(a, scope))],
          Object.fromEntries(e.kw.map(([k, v]) => [k, this.eval(v, scope)])),
        );
      }
      case 'test': {
        const test = TESTS[e.n];
        if (!test) throw new TemplateError(`unsupported test ${e.n}`);
        const r = test(this.eval(e.o, scope), ...e.args.map((a) => this.eval(a, scope)));
        return e.neg ? !r : r;
      }
      case 'un': {
        const v = this.eval(e.o, scope);
        if (e.op === 'not') return !truthy(v);
        if (e.op === '-') {
          if (v instanceof PyTimedelta) return new PyTimedelta(-v.micros);
          return -num(v);
        }
        return num(v);
      }
      case 'bin': {
        if (e.op === 'and') {
          const a = this.eval(e.a, scope);
          return truthy(a) ? this.eval(e.b, scope) : a;
        }
        if (e.op === 'or') {
          const a = this.eval(e.a, scope);
          return truthy(a) ? a : this.eval(e.b, scope);
        }
        return binary(e.op, this.eval(e.a, scope), this.eval(e.b, scope));
      }
      case 'cmp': {
        let left = this.eval(e.first, scope);
        for (const [op, expr] of e.rest) {
          const right = this.eval(expr, scope);
          if (!compare(op, left, right)) return false;
          left = right;
        }
        return true;
      }
      case 'cond':
        return truthy(this.eval(e.c, scope))
          ? this.eval(e.a, scope)
          : e.b
            ? this.eval(e.b, scope)
            : new Undefined('else');
      case 'list':
        return e.items.map((i) => this.eval(i, scope));
      case 'dict': {
        const out: Record<string, unknown> = {};
        for (const [k, v] of e.items) out[pyStr(this.eval(k, scope))] = this.eval(v, scope);
        return out;
      }
    }
  }
}

export function iterate(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (isDict(v)) return Object.keys(v);
  if (typeof v === 'string') return [...v];
  if (isUndefined(v)) return [];
  throw new TemplateError(`${pyStr(v)} is not iterable`);
}

function num(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw new TemplateError(`unsupported operand ${JSON.stringify(pyStr(v))} for arithmetic`);
}

function binary(op: string, a: unknown, b: unknown): unknown {
  if (op === '~') return pyStr(a) + pyStr(b);
  const temporalA = a instanceof PyDateTime || a instanceof PyDate;
  if (temporalA && (b instanceof PyTimedelta || b instanceof PyDuration) && (op === '+' || op === '-'))
    return (a as PyDateTime).plus(b, op === '+' ? 1 : -1);
  if (
    (a instanceof PyTimedelta || a instanceof PyDuration) &&
    (b instanceof PyDateTime || b instanceof PyDate) &&
    op === '+'
  )
    return b.plus(a);
  if (a instanceof PyDateTime && b instanceof PyDateTime && op === '-')
    return new PyTimedelta(a.micros - b.micros);
  if (a instanceof PyDate && b instanceof PyDate && op === '-')
    return new PyTimedelta(a.toDateTime().micros - b.toDateTime().micros);
  if (a instanceof PyTimedelta && b instanceof PyTimedelta) {
    if (op === '+') return new PyTimedelta(a.micros + b.micros);
    if (op === '-') return new PyTimedelta(a.micros - b.micros);
  }
  if (a instanceof PyTimedelta && typeof b === 'number' && op === '*')
    return new PyTimedelta(Math.round(a.micros * b));
  if (op === '+') {
    if (typeof a === 'string' && typeof b === 'string') return a + b;
    if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
  }
  if (op === '*' && typeof a === 'string' && typeof b === 'number') {
    if (a.length * b > LIMITS.outputChars) throw new TemplateError('string repetition too large');
    return a.repeat(Math.max(0, b));
  }
  if (op === '%' && typeof a === 'string') return percentFormat(a, b);
  const x = num(a);
  const y = num(b);
  switch (op) {
    case '+':
      return x + y;
    case '-':
      return x - y;
    case '*':
      return x * y;
    case '/':
      if (y === 0) throw new TemplateError('division by zero');
      return x / y;
    case '//':
      if (y === 0) throw new TemplateError('division by zero');
      return Math.floor(x / y);
    case '%':
      if (y === 0) throw new TemplateError('modulo by zero');
      return ((x % y) + y) % y;
    case '**':
      return x ** y;
  }
  throw new TemplateError(`unsupported operator ${op}`);
}

function percentFormat(format: string, args: unknown): string {
  const list = Array.isArray(args) ? [...args] : [args];
  return format.replace(/%(0?)(\d*)([sdif%])/g, (all, zero: string, width: string, code: string) => {
    if (code === '%') return '%';
    const v = list.shift();
    let s = code === 's' ? pyStr(v) : code === 'f' ? num(v).toFixed(6) : String(Math.trunc(num(v)));
    if (width) s = s.padStart(Number(width), zero ? '0' : ' ');
    return s;
  });
}

export function compare(op: string, a: unknown, b: unknown): boolean {
  switch (op) {
    case '==':
      return equal(a, b);
    case '!=':
      return !equal(a, b);
    case 'in':
      return contains(b, a);
    case 'not in':
      return !contains(b, a);
  }
  const x = ordered(a);
  const y = ordered(b);
  if (typeof x !== typeof y)
    throw new TemplateError(`'${op}' not supported between ${pyStr(a)} and ${pyStr(b)}`);
  switch (op) {
    case '<':
      return x < y;
    case '>':
      return x > y;
    case '<=':
      return x <= y;
    default:
      return x >= y;
  }
}

function ordered(v: unknown): number | string {
  if (typeof v === 'number' || typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof PyDateTime) return v.micros;
  if (v instanceof PyDate) return v.toDateTime().micros;
  if (v instanceof PyTimedelta) return v.micros;
  throw new TemplateError(`${pyStr(v)} cannot be ordered`);
}

export function equal(a: unknown, b: unknown): boolean {
  if (isUndefined(a) || isUndefined(b)) return isUndefined(a) && isUndefined(b);
  if (a instanceof PyDateTime && b instanceof PyDateTime) return a.micros === b.micros;
  if (a instanceof PyDate && b instanceof PyDate) return a.toString() === b.toString();
  if (a instanceof PyTimedelta && b instanceof PyTimedelta) return a.micros === b.micros;
  if (typeof a === 'boolean' && typeof b === 'number') return (a ? 1 : 0) === b;
  if (typeof b === 'boolean' && typeof a === 'number') return (b ? 1 : 0) === a;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equal(x, b[i]));
  if (isDict(a) && isDict(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && equal(a[k], b[k]));
  }
  return a === b || (a === undefined && b === null) || (a === null && b === undefined);
}

function contains(container: unknown, item: unknown): boolean {
  if (typeof container === 'string') return typeof item === 'string' && container.includes(item);
  if (Array.isArray(container)) return container.some((x) => equal(x, item));
  if (isDict(container)) return Object.prototype.hasOwnProperty.call(container, pyStr(item));
  if (isUndefined(container)) throw new UndefinedError(`'${container.name}' is undefined`);
  throw new TemplateError(`argument of type ${pyStr(container)} is not iterable`);
}

// ---------------------------------------------------------------- entry points
const cache = new Map<string, Node[]>();

function compiled(template: string): Node[] {
  let nodes = cache.get(template);
  if (!nodes) {
    if (template.length > LIMITS.templateChars)
      throw new TemplateError(`template over ${LIMITS.templateChars} characters`);
    nodes = parseTemplate(template);
    if (cache.size > 5000) cache.clear();
    cache.set(template, nodes);
  }
  return nodes;
}

/** Renders a template to text, as Jinja's `Template.render(context)` does. Throws UndefinedError
 * where Jinja would (looking into something undefined). */
export function renderTemplate(template: string, context: Record<string, unknown>): string {
  return new Evaluator(context).render(compiled(template), new Map());
}

/** Checks a template's syntax without rendering it (for loading a manifest). */
export function parseTemplateOnly(template: string): void {
  compiled(template);
}

export type { Callable };
