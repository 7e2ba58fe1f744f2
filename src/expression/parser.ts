import type { BinaryOp, CallArgs, Expr, Node } from './ast.js';
import { ExpressionError, positionAt } from './errors.js';
import { FILTERS } from './filters.js';
import { Lexer, type Token } from './lexer.js';
import { unknownName } from './names.js';
import { TESTS } from './tests.js';

/** Binding power of binary operators (higher binds tighter); Pebble's table plus Kestra's `??` and `in`. */
const BINARY = new Map<string, number>([
  ['or', 10],
  ['and', 15],
  ['is', 20],
  ['contains', 20],
  ['in', 20],
  ['not in', 20],
  ['==', 30],
  ['!=', 30],
  ['equals', 30],
  ['<', 30],
  ['>', 30],
  ['<=', 30],
  ['>=', 30],
  ['+', 40],
  ['-', 40],
  ['*', 60],
  ['/', 60],
  ['%', 60],
  ['|', 100],
  ['~', 110],
  ['..', 120],
  ['??', 120],
  ['???', 120],
]);

/**
 * `not` takes everything that binds at least as tightly as a comparison or a test, so `not a == b` is
 * `not (a == b)` and `not a and b` is `(not a) and b`.
 */
const NOT_OPERAND = 20;

/** Left-deep chains (`a ~ b ~ c …`) are not nesting, but their evaluation recurses: bound them too. */
const MAX_CHAIN = 1000;

const RESERVED = new Set(['and', 'or', 'is', 'in', 'contains', 'equals']);

const LITERALS = new Map<string, unknown>([
  ['true', true],
  ['false', false],
  ['null', null],
  ['none', null],
]);

const BLOCK_TAGS = new Set(['elseif', 'else', 'endif', 'endfor']);

interface BodyEnd {
  nodes: Node[];
  end: Token | null;
}

export class Parser {
  private i = 0;
  private prevEnd = 0;

  private constructor(
    private readonly src: string,
    private readonly tokens: Token[],
    private readonly maxDepth: number,
    private depth: number,
    private readonly bare: boolean,
  ) {}

  static template(src: string, maxDepth: number): Node[] {
    const parser = new Parser(src, Lexer.template(src, maxDepth), maxDepth, 0, false);
    return parser.parseBody([]).nodes;
  }

  static expression(src: string, maxDepth: number): Expr {
    const parser = new Parser(src, Lexer.expression(src, maxDepth), maxDepth, 0, true);
    if (parser.peek().kind === 'eof') parser.fail('empty expression', parser.peek());
    const expr = parser.parseExpression();
    parser.expectKind('eof');
    return expr;
  }

  // ---- statements

  private parseBody(ends: readonly string[]): BodyEnd {
    const nodes: Node[] = [];
    for (;;) {
      const token = this.peek();
      switch (token.kind) {
        case 'eof':
          return { nodes, end: null };
        case 'text':
          this.next();
          nodes.push({ type: 'text', value: token.value });
          break;
        case 'printOpen': {
          this.next();
          if (this.peek().kind === 'printClose') this.fail('empty expression in `{{ }}`', token);
          const expr = this.parseExpression();
          this.expectKind('printClose');
          nodes.push({ type: 'print', expr });
          break;
        }
        case 'tagOpen': {
          this.next();
          const name = this.peek();
          if (name.kind !== 'name')
            this.fail(`expected a tag name after \`{%\` but found ${this.describe(name)}`, name);
          if (ends.includes(name.value)) {
            this.next();
            return { nodes, end: name };
          }
          nodes.push(this.parseTag(token, name));
          break;
        }
        default:
          this.fail(`unexpected ${this.describe(token)}`, token);
      }
    }
  }

  private parseTag(open: Token, name: Token): Node {
    this.next();
    switch (name.value) {
      case 'if':
        return this.nested(open, () => this.parseIf(open));
      case 'for':
        return this.nested(open, () => this.parseFor(open));
      case 'set': {
        const variable = this.expectName();
        this.expectOp('=');
        const value = this.parseExpression();
        this.expectKind('tagClose');
        return { type: 'set', name: variable.value, value };
      }
    }
    if (BLOCK_TAGS.has(name.value)) this.fail(`unexpected \`{% ${name.value} %}\``, name);
    return this.fail(`unknown tag \`${name.value}\``, name);
  }

  private nested<T>(at: Token, parse: () => T): T {
    this.enter(at);
    const result = parse();
    this.depth--;
    return result;
  }

  private parseIf(open: Token): Node {
    const branches: { test: Expr; body: Node[] }[] = [];
    let test = this.parseExpression();
    this.expectKind('tagClose');
    for (;;) {
      const part = this.parseBody(['elseif', 'else', 'endif']);
      if (!part.end) this.unclosed(open, 'if');
      branches.push({ test, body: part.nodes });
      if (part.end.value === 'elseif') {
        test = this.parseExpression();
        this.expectKind('tagClose');
        continue;
      }
      this.expectKind('tagClose');
      if (part.end.value === 'endif') return { type: 'if', branches, otherwise: null };
      const otherwise = this.parseBody(['endif']);
      if (!otherwise.end) this.unclosed(open, 'if');
      this.expectKind('tagClose');
      return { type: 'if', branches, otherwise: otherwise.nodes };
    }
  }

  private parseFor(open: Token): Node {
    const first = this.expectName();
    let keyName: string | null = null;
    let valueName = first.value;
    if (this.isOp(',')) {
      this.next();
      keyName = first.value;
      valueName = this.expectName().value;
    }
    const keyword = this.next();
    if (keyword.kind !== 'name' || keyword.value !== 'in') {
      this.fail(`expected \`in\` in \`{% for %}\` but found ${this.describe(keyword)}`, keyword);
    }
    const iterable = this.parseExpression();
    this.expectKind('tagClose');
    const body = this.parseBody(['else', 'endfor']);
    if (!body.end) this.unclosed(open, 'for');
    this.expectKind('tagClose');
    let otherwise: Node[] | null = null;
    if (body.end.value === 'else') {
      const rest = this.parseBody(['endfor']);
      if (!rest.end) this.unclosed(open, 'for');
      this.expectKind('tagClose');
      otherwise = rest.nodes;
    }
    return { type: 'for', keyName, valueName, iterable, body: body.nodes, otherwise };
  }

  private unclosed(open: Token, tag: string): never {
    return this.fail(`\`{% ${tag} %}\` is never closed: missing \`{% end${tag} %}\``, open);
  }

  // ---- expressions

  private parseExpression(): Expr {
    const first = this.peek();
    this.enter(first);
    const test = this.parseBinary(0);
    let result = test;
    if (this.isOp('?')) {
      this.next();
      const then = this.parseExpression();
      this.expectOp(':');
      const otherwise = this.parseExpression();
      result = { type: 'ternary', test, then, otherwise, start: test.start, end: this.prevEnd };
    }
    this.depth--;
    return result;
  }

  private parseBinary(minPrecedence: number): Expr {
    let left = this.parseUnary();
    let chain = 0;
    for (;;) {
      const op = this.peekBinary();
      if (!op) return left;
      const precedence = BINARY.get(op) ?? 0;
      if (precedence < minPrecedence) return left;
      if (++chain > MAX_CHAIN)
        this.fail(`expression too long: more than ${MAX_CHAIN} chained operators`, this.peek());
      this.next();
      if (op === 'not in') this.next();
      if (op === 'is') left = this.parseTest(left);
      else if (op === '|') left = this.parseFilter(left);
      else {
        const right = this.parseBinary(precedence + 1);
        const binary: BinaryOp = op === 'equals' ? '==' : (op as BinaryOp);
        left = { type: 'binary', op: binary, left, right, start: left.start, end: this.prevEnd };
      }
    }
  }

  private peekBinary(): string | undefined {
    const token = this.peek();
    if (token.kind === 'op') return BINARY.has(token.value) ? token.value : undefined;
    if (token.kind !== 'name') return undefined;
    if (token.value === 'not') {
      const after = this.tokens[this.i + 1];
      return after?.kind === 'name' && after.value === 'in' ? 'not in' : undefined;
    }
    return BINARY.has(token.value) ? token.value : undefined;
  }

  private parseTest(input: Expr): Expr {
    let negated = false;
    if (this.peek().kind === 'name' && this.peek().value === 'not') {
      this.next();
      negated = true;
    }
    const name = this.expectName();
    if (name.value !== 'defined' && !TESTS.has(name.value)) this.fail(unknownName('test', name.value), name);
    const args = this.isOp('(') ? this.parseArgs() : { positional: [], named: [] };
    return {
      type: 'test',
      input,
      name: name.value,
      negated,
      args,
      namePos: name.pos,
      start: input.start,
      end: this.prevEnd,
    };
  }

  private parseFilter(input: Expr): Expr {
    const name = this.expectName();
    if (!FILTERS.has(name.value)) this.fail(unknownName('filter', name.value), name);
    const args = this.isOp('(') ? this.parseArgs() : { positional: [], named: [] };
    return {
      type: 'filter',
      input,
      name: name.value,
      args,
      namePos: name.pos,
      start: input.start,
      end: this.prevEnd,
    };
  }

  private parseUnary(): Expr {
    const token = this.peek();
    const isNot = token.kind === 'name' && token.value === 'not';
    if (isNot || (token.kind === 'op' && (token.value === '-' || token.value === '+'))) {
      this.next();
      this.enter(token);
      const operand = isNot ? this.parseBinary(NOT_OPERAND) : this.parseUnary();
      this.depth--;
      const op = isNot ? 'not' : (token.value as '-' | '+');
      if (op === '-' && operand.type === 'literal' && typeof operand.value === 'number') {
        return {
          type: 'literal',
          value: -operand.value,
          decimal: operand.decimal,
          start: token.pos,
          end: operand.end,
        };
      }
      return { type: 'unary', op, operand, start: token.pos, end: operand.end };
    }
    return this.parsePostfix(this.parsePrimary());
  }

  private parsePrimary(): Expr {
    const token = this.next();
    const start = token.pos;
    switch (token.kind) {
      case 'number':
        return {
          type: 'literal',
          value: token.num,
          decimal: /[.eE]/.test(token.value),
          start,
          end: token.end,
        };
      case 'string':
        return token.parts
          ? this.parseInterpolation(token)
          : { type: 'literal', value: token.value, start, end: token.end };
      case 'name': {
        if (LITERALS.has(token.value))
          return { type: 'literal', value: LITERALS.get(token.value), start, end: token.end };
        if (RESERVED.has(token.value)) this.fail(`unexpected \`${token.value}\``, token);
        if (this.isOp('(')) {
          const args = this.parseArgs();
          return { type: 'call', name: token.value, args, start, end: this.prevEnd };
        }
        return { type: 'name', name: token.value, start, end: token.end };
      }
      case 'op':
        if (token.value === '(') {
          const inner = this.parseExpression();
          this.expectOp(')');
          return { ...inner, start, end: this.prevEnd };
        }
        if (token.value === '[') return this.parseList(start);
        if (token.value === '{') return this.parseMap(start);
        break;
    }
    return this.fail(`expected an expression but found ${this.describe(token)}`, token);
  }

  private parseList(start: number): Expr {
    const items: Expr[] = [];
    while (!this.isOp(']')) {
      items.push(this.parseExpression());
      if (!this.isOp(',')) break;
      this.next();
    }
    this.expectOp(']');
    return { type: 'list', items, start, end: this.prevEnd };
  }

  private parseMap(start: number): Expr {
    const entries: { key: string; value: Expr }[] = [];
    while (!this.isOp('}')) {
      const key = this.next();
      if (!(key.kind === 'name' || key.kind === 'number' || (key.kind === 'string' && !key.parts))) {
        this.fail(`expected a map key (a string or a name) but found ${this.describe(key)}`, key);
      }
      this.expectOp(':');
      entries.push({ key: key.value, value: this.parseExpression() });
      if (!this.isOp(',')) break;
      this.next();
    }
    this.expectOp('}');
    return { type: 'map', entries, start, end: this.prevEnd };
  }

  private parseInterpolation(token: Token): Expr {
    const parts: (string | Expr)[] = [];
    for (const part of token.parts ?? []) {
      if (typeof part === 'string') {
        parts.push(part);
        continue;
      }
      const sub = new Parser(this.src, part, this.maxDepth, this.depth, true);
      if (sub.peek().kind === 'eof') sub.fail('empty `#{}` in string', sub.peek());
      parts.push(sub.parseExpression());
      sub.expectKind('eof');
    }
    return { type: 'interpolation', parts, start: token.pos, end: token.end };
  }

  private parsePostfix(base: Expr): Expr {
    let expr = base;
    for (;;) {
      if (this.isOp('.')) {
        this.next();
        const key = this.next();
        if (key.kind !== 'name' && !(key.kind === 'number' && Number.isInteger(key.num))) {
          this.fail(`expected a property name after \`.\` but found ${this.describe(key)}`, key);
        }
        if (this.isOp('(')) {
          this.fail(
            `method calls are not allowed: \`${key.value}(…)\`; only functions such as range() can be called`,
            key,
          );
        }
        expr = { type: 'member', object: expr, key: key.value, start: expr.start, end: key.end };
      } else if (this.isOp('[')) {
        this.next();
        const key = this.parseExpression();
        this.expectOp(']');
        expr = { type: 'member', object: expr, key, start: expr.start, end: this.prevEnd };
      } else if (this.isOp('(')) {
        this.fail('only named functions can be called, such as range(1, 5)', this.peek());
      } else {
        return expr;
      }
    }
  }

  private parseArgs(): CallArgs {
    this.expectOp('(');
    const args: CallArgs = { positional: [], named: [] };
    while (!this.isOp(')')) {
      const token = this.peek();
      const after = this.tokens[this.i + 1];
      if (token.kind === 'name' && after?.kind === 'op' && after.value === '=') {
        this.next();
        this.next();
        args.named.push({ name: token.value, value: this.parseExpression() });
      } else {
        args.positional.push(this.parseExpression());
      }
      if (!this.isOp(',')) break;
      this.next();
    }
    this.expectOp(')');
    return args;
  }

  // ---- token helpers

  private peek(): Token {
    return this.tokens[this.i];
  }

  private next(): Token {
    const token = this.tokens[this.i];
    if (token.kind !== 'eof') {
      this.i++;
      this.prevEnd = token.end;
    }
    return token;
  }

  private isOp(value: string): boolean {
    const token = this.tokens[this.i];
    return token.kind === 'op' && token.value === value;
  }

  private expectOp(value: string): void {
    const token = this.next();
    if (token.kind !== 'op' || token.value !== value) {
      this.fail(`expected \`${value}\` but found ${this.describe(token)}`, token);
    }
  }

  private expectName(): Token {
    const token = this.next();
    if (token.kind !== 'name') this.fail(`expected a name but found ${this.describe(token)}`, token);
    return token;
  }

  private expectKind(kind: 'printClose' | 'tagClose' | 'eof'): void {
    const token = this.next();
    if (token.kind === kind) return;
    const wanted =
      kind === 'printClose' ? '`}}`' : kind === 'tagClose' ? '`%}`' : 'the end of the expression';
    this.fail(`expected ${wanted} but found ${this.describe(token)}`, token);
  }

  private enter(at: Token): void {
    if (++this.depth > this.maxDepth) this.fail(`nested deeper than ${this.maxDepth} levels`, at);
  }

  private describe(token: Token): string {
    switch (token.kind) {
      case 'eof':
        return this.bare ? 'the end of the expression' : 'the end of the template';
      case 'printClose':
        return '`}}`';
      case 'tagClose':
        return '`%}`';
      case 'printOpen':
        return '`{{`';
      case 'tagOpen':
        return '`{%`';
      case 'string':
        return 'a string';
      case 'text':
        return 'text';
      default:
        return `\`${token.value}\``;
    }
  }

  private fail(message: string, token: Token): never {
    throw new ExpressionError(message, positionAt(this.src, token.pos));
  }
}
