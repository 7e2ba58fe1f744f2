import { Args } from './args.js';
import type { CallArgs, Expr, Node } from './ast.js';
import { parseTemplateCached } from './cache.js';
import { ExpressionError, Fault, isStackOverflow, Missing, positionAt } from './errors.js';
import { FILTERS } from './filters.js';
import { FUNCTIONS, range } from './functions.js';
import { Budget, type ExpressionLimits } from './limits.js';
import { unknownName } from './names.js';
import { applyBinary, concat, type StrictOp } from './operators.js';
import { toText } from './output.js';
import type { CallEnv } from './registry.js';
import { type Answers, Pending, type RenderServices, type ServiceRequest, unavailable } from './services.js';
import { TESTS } from './tests.js';
import {
  describe,
  getMember,
  getVariable,
  isMap,
  JavaDouble,
  listItems,
  MISSING,
  makeMap,
  mapEntries,
  type PlainMap,
  plain,
  truthy,
} from './values.js';

export type ExpressionFunction = (
  args: unknown[],
  named: Record<string, unknown>,
  call: { variables: Record<string, unknown>; render: (template: string) => string },
) => unknown;

export interface RenderOptions {
  functions?: Record<string, ExpressionFunction>;
  limits?: Partial<ExpressionLimits>;
  secret?: (name: string) => string | undefined;
  /** told every value secret() returns, wherever it came from (a task run masks them in its logs) */
  onSecret?: (value: string) => void;
  /** secrets the variables already hold (opened SECRET inputs): masked in error messages, as the
   * values secret() returns are */
  secrets?: readonly string[];
  now?: () => Date;
  /** platform services for read(), fileSize() and kv(); used by renderAsync and renderRecursiveAsync only */
  services?: RenderServices;
}

export function isTemplate(s: string): boolean {
  return s.includes('{{') || s.includes('{%') || s.includes('{#');
}

function secretFromEnv(name: string): string | undefined {
  return process.env[`SLUICE_SECRET_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`];
}

/** One top-level render call and the nested renders it starts: they share one budget. */
export class Session {
  readonly budget: Budget;

  constructor(
    readonly options: RenderOptions,
    limits: ExpressionLimits,
    /** the services' answers, when the render runs under renderAsync */
    private readonly answers?: Answers,
  ) {
    this.budget = new Budget(limits);
    for (const secret of options.secrets ?? []) if (secret !== '') this.budget.secrets.push(secret);
  }

  service(request: ServiceRequest): unknown {
    if (!this.answers) throw new Fault(unavailable(request));
    return this.answers.lookup(request);
  }

  render(template: string, variables: object): string {
    if (!isTemplate(template)) return template;
    const nodes = parseTemplateCached(template, this.budget.limits.maxDepth);
    return new Evaluator(template, variables, this).run(nodes);
  }

  nested(template: string, variables: object): string {
    this.budget.enter();
    try {
      return this.render(template, variables);
    } catch (error) {
      // Messages quote the template, which here may have been built from a secret.
      if (error instanceof ExpressionError && this.holdsSecret(template)) {
        throw new ExpressionError('cannot render a template that holds a secret (details hidden)');
      }
      throw error;
    } finally {
      this.budget.leave();
    }
  }

  /** A text that contains a secret, or a piece of one (a slice would leak it bit by bit). */
  holdsSecret(text: string): boolean {
    return this.budget.secrets.some(
      (secret) => text.includes(secret) || (text.length >= 4 && secret.includes(text)),
    );
  }

  secret(name: string): string {
    const value = this.options.secret?.(name) ?? secretFromEnv(name);
    if (typeof value !== 'string') throw new Fault(`secret '${name}' not found`);
    this.options.onSecret?.(value);
    if (value !== '' && !this.budget.secrets.includes(value)) this.budget.secrets.push(value);
    return value;
  }

  /** Error messages must never show a secret, whatever filter or function quoted it. */
  redact(error: ExpressionError): ExpressionError {
    let reason = error.reason;
    for (const secret of this.budget.secrets) reason = reason.split(secret).join('******');
    if (reason === error.reason) return error;
    const position = error.line === undefined ? undefined : { line: error.line, col: error.col ?? 1 };
    return new ExpressionError(reason, position);
  }
}

const MAX_QUOTED = 200;

/** Walks the AST of one template; `{% set %}` and loop variables live in its scopes, never in the input. */
export class Evaluator implements CallEnv {
  readonly budget: Budget;
  private readonly scopes: Map<string, unknown>[] = [new Map()];
  private out = '';

  constructor(
    private readonly src: string,
    private readonly root: object,
    private readonly session: Session,
  ) {
    this.budget = session.budget;
  }

  run(nodes: Node[]): string {
    this.execute(nodes);
    return this.out;
  }

  /** A bare expression (evaluate()): the value itself, not its text. */
  value(expr: Expr): unknown {
    return plain(this.top(expr));
  }

  // ---- CallEnv

  variables(): PlainMap {
    const locals = this.scopes.flatMap((scope) => [...scope]);
    if (locals.length === 0) return this.root as PlainMap;
    return makeMap([
      ...Object.entries(this.root),
      ...locals.map(([name, value]) => [name, plain(value)] as const),
    ]);
  }

  render(template: string): string {
    return this.session.nested(template, this.variables());
  }

  secret(name: string): string {
    return this.session.secret(name);
  }

  now(): Date {
    return this.session.options.now?.() ?? new Date();
  }

  service(request: ServiceRequest): unknown {
    return this.session.service(request);
  }

  // ---- statements

  private execute(nodes: Node[]): void {
    for (const node of nodes) {
      switch (node.type) {
        case 'text':
          this.write(node.value);
          break;
        case 'print':
          this.write(this.text(this.top(node.expr), node.expr));
          break;
        case 'if': {
          const branch = node.branches.find((b) => truthy(plain(this.top(b.test))));
          if (branch) this.execute(branch.body);
          else if (node.otherwise) this.execute(node.otherwise);
          break;
        }
        case 'for':
          this.loop(node);
          break;
        case 'set':
          this.assign(node.name, this.top(node.value));
          break;
      }
    }
  }

  private write(text: string): void {
    this.out += text;
    if (this.out.length > this.budget.limits.maxOutputLength) throw this.budget.tooLong();
  }

  private text(value: unknown, expr: Expr): string {
    try {
      return toText(value, this.budget.limits.maxOutputLength);
    } catch (error) {
      throw this.toError(error, expr);
    }
  }

  /** Pebble lets a loop body update a variable set before the loop; a new name stays local to the loop. */
  private assign(name: string, value: unknown): void {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      if (this.scopes[i].has(name)) {
        this.scopes[i].set(name, value);
        return;
      }
    }
    this.scopes[this.scopes.length - 1].set(name, value);
  }

  private loop(node: Extract<Node, { type: 'for' }>): void {
    const iterable = plain(this.top(node.iterable));
    let keys: unknown[];
    let values: unknown[];
    const isEntryMap = isMap(iterable);
    if (iterable === null) {
      keys = [];
      values = [];
    } else if (Array.isArray(iterable)) {
      values = listItems(iterable);
      keys = values.map((_, index) => index);
    } else if (isEntryMap) {
      const entries = mapEntries(iterable);
      keys = entries.map(([key]) => key);
      values = entries.map(([, value]) => value);
    } else {
      throw this.toError(
        new Fault(`\`{% for %}\` expects a list or a map, got ${describe(iterable)}`),
        node.iterable,
      );
    }
    if (values.length === 0) {
      if (node.otherwise) this.execute(node.otherwise);
      return;
    }
    const scope = new Map<string, unknown>();
    this.scopes.push(scope);
    try {
      const length = values.length;
      for (let index = 0; index < length; index++) {
        this.budget.iterate();
        if (node.keyName !== null) {
          scope.set(node.keyName, keys[index]);
          scope.set(node.valueName, values[index]);
        } else if (isEntryMap) {
          scope.set(node.valueName, { key: keys[index], value: values[index] });
        } else {
          scope.set(node.valueName, values[index]);
        }
        scope.set('loop', {
          index,
          revindex: length - index - 1,
          first: index === 0,
          last: index === length - 1,
          length,
        });
        this.execute(node.body);
      }
    } finally {
      this.scopes.pop();
    }
  }

  // ---- expressions

  /** Evaluates the expression of a tag, turning internal signals into messages that quote it. */
  private top(expr: Expr): unknown {
    try {
      return this.eval(expr);
    } catch (error) {
      throw this.toError(error, expr);
    }
  }

  private toError(error: unknown, expr: Expr): unknown {
    let quoted = this.src.slice(expr.start, expr.end).trim();
    if (quoted.length > MAX_QUOTED) quoted = `${quoted.slice(0, MAX_QUOTED)}…`;
    if (error instanceof Missing) {
      const path = this.src.slice(error.start, error.end);
      const detail = error.detail ? ` (${error.detail})` : '';
      return new ExpressionError(
        `Unable to find \`${path}\` used in the expression \`${quoted}\`${detail}`,
        positionAt(this.src, error.start),
      );
    }
    if (error instanceof Fault) {
      return new ExpressionError(
        `${error.message}, in the expression \`${quoted}\``,
        positionAt(this.src, error.pos ?? expr.start),
      );
    }
    return error;
  }

  private eval(expr: Expr): unknown {
    this.budget.step();
    switch (expr.type) {
      case 'literal':
        return expr.decimal === true ? new JavaDouble(expr.value as number) : expr.value;
      case 'name':
        return this.lookup(expr.name, expr);
      case 'member':
        return this.member(expr);
      case 'list':
        return expr.items.map((item) => plain(this.eval(item)));
      case 'map':
        return makeMap(expr.entries.map(({ key, value }) => [key, plain(this.eval(value))]));
      case 'interpolation': {
        let result = '';
        for (const part of expr.parts) {
          result +=
            typeof part === 'string' ? part : toText(this.eval(part), this.budget.limits.maxOutputLength);
          this.budget.text(result);
        }
        return result;
      }
      case 'unary':
        return this.unary(expr);
      case 'binary':
        return this.binary(expr);
      case 'ternary':
        return truthy(plain(this.eval(expr.test))) ? this.eval(expr.then) : this.eval(expr.otherwise);
      case 'filter':
        return this.filter(expr);
      case 'test':
        return this.test(expr);
      case 'call':
        return this.call(expr);
    }
  }

  private lookup(name: string, expr: Expr): unknown {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const scope = this.scopes[i];
      if (scope.has(name)) return scope.get(name);
    }
    const value = getVariable(this.root, name);
    if (value === MISSING) throw new Missing(expr.start, expr.end);
    return value;
  }

  private member(expr: Extract<Expr, { type: 'member' }>): unknown {
    const target = plain(this.eval(expr.object));
    const key = typeof expr.key === 'string' ? expr.key : plain(this.eval(expr.key));
    const value = getMember(target, key);
    if (value !== MISSING) return value;
    const owner = this.src.slice(expr.object.start, expr.object.end);
    let detail: string | undefined;
    if (target === null) detail = `\`${owner}\` is null`;
    else if (!Array.isArray(target) && !isMap(target))
      detail = `\`${owner}\` is ${describe(target)}, which has no keys`;
    throw new Missing(expr.start, expr.end, detail);
  }

  private unary(expr: Extract<Expr, { type: 'unary' }>): unknown {
    const operand = this.eval(expr.operand);
    if (expr.op === 'not') return !truthy(plain(operand));
    if (operand instanceof JavaDouble) return expr.op === '-' ? new JavaDouble(-operand.value) : operand;
    if (typeof operand !== 'number') {
      throw new Fault(`operator \`${expr.op}\` expects a number, got ${describe(operand)}`, expr.start);
    }
    return expr.op === '-' ? -operand : operand;
  }

  /** Evaluates `expr`, or returns `undefined` when it names something that does not exist. */
  private tryEval(expr: Expr): unknown {
    try {
      return this.eval(expr);
    } catch (error) {
      if (error instanceof Missing) return undefined;
      throw error;
    }
  }

  private binary(expr: Extract<Expr, { type: 'binary' }>): unknown {
    switch (expr.op) {
      case 'and':
        return truthy(plain(this.eval(expr.left))) && truthy(plain(this.eval(expr.right)));
      case 'or':
        return truthy(plain(this.eval(expr.left))) || truthy(plain(this.eval(expr.right)));
      case '??': {
        const left = this.tryEval(expr.left);
        return left === undefined || left === null ? this.eval(expr.right) : left;
      }
      case '???': {
        const left = this.tryEval(expr.left);
        return left === undefined ? this.eval(expr.right) : left;
      }
    }
    const rawLeft = this.eval(expr.left);
    const rawRight = this.eval(expr.right);
    const left = plain(rawLeft);
    const right = plain(rawRight);
    try {
      if (expr.op === '~') return concat(rawLeft, rawRight, this.budget);
      if (expr.op === '..') {
        if (!Number.isInteger(left) || !Number.isInteger(right)) {
          throw new Fault(`operator \`..\` expects integers, got ${describe(left)} and ${describe(right)}`);
        }
        return range(
          left as number,
          right as number,
          (right as number) >= (left as number) ? 1 : -1,
          this.budget,
        );
      }
      if (!isArithmetic(expr.op)) return applyBinary(expr.op as StrictOp, left, right, this.budget);
      // Pebble widens to Double when either operand is one; a double joined to a string keeps its Java text
      const double = isDouble(rawLeft, left) || isDouble(rawRight, right);
      if (expr.op === '+' && (typeof left === 'string' || typeof right === 'string'))
        return concat(rawLeft, rawRight, this.budget);
      const result = applyBinary(expr.op, left, right, this.budget, double);
      return double && typeof result === 'number' ? new JavaDouble(result) : result;
    } catch (error) {
      throw located(error, expr.start);
    }
  }

  private args(args: CallArgs): [unknown[], Record<string, unknown>] {
    const positional = args.positional.map((arg) => plain(this.eval(arg)));
    const named = Object.fromEntries(args.named.map(({ name, value }) => [name, plain(this.eval(value))]));
    return [positional, named];
  }

  private filter(expr: Extract<Expr, { type: 'filter' }>): unknown {
    const def = FILTERS.get(expr.name);
    if (!def) throw new Fault(unknownName('filter', expr.name), expr.namePos);
    const input = plain(def.acceptsMissing ? this.tryEval(expr.input) : this.eval(expr.input));
    const [positional, named] = this.args(expr.args);
    const owner = `filter \`${expr.name}\``;
    try {
      return this.result(def.apply(input, new Args(owner, def.args, positional, named), this));
    } catch (error) {
      throw this.hideSecrets(located(error, expr.namePos), owner, [
        input,
        ...positional,
        ...Object.values(named),
      ]);
    }
  }

  private test(expr: Extract<Expr, { type: 'test' }>): boolean {
    if (expr.name === 'defined') {
      // Pebble's DefinedTest is the negation of its NullTest: a value that exists but is null (an optional
      // input left out) is not defined. A missing name is not defined either, and raises nothing.
      const value = this.tryEval(expr.input);
      return (value !== undefined && value !== null) !== expr.negated;
    }
    const def = TESTS.get(expr.name);
    if (!def) throw new Fault(unknownName('test', expr.name), expr.namePos);
    const input = plain(this.eval(expr.input));
    const [positional, named] = this.args(expr.args);
    const owner = `test \`${expr.name}\``;
    try {
      return def.apply(input, new Args(owner, def.args ?? [], positional, named)) !== expr.negated;
    } catch (error) {
      throw this.hideSecrets(located(error, expr.namePos), owner, [
        input,
        ...positional,
        ...Object.values(named),
      ]);
    }
  }

  private call(expr: Extract<Expr, { type: 'call' }>): unknown {
    const [positional, named] = this.args(expr.args);
    const owner = `function \`${expr.name}\``;
    const custom = this.session.options.functions;
    const fn = custom && Object.hasOwn(custom, expr.name) ? custom[expr.name] : undefined;
    try {
      if (typeof fn === 'function') {
        return this.result(
          fn(positional, named, { variables: this.variables(), render: (t) => this.render(t) }),
        );
      }
      const def = FUNCTIONS.get(expr.name);
      if (!def) throw new Fault(unknownName('function', expr.name));
      return this.result(def.call(new Args(owner, def.args, positional, named, def.variadic), this));
    } catch (error) {
      if (error instanceof Missing || error instanceof Pending || isStackOverflow(error)) throw error;
      const known = error instanceof ExpressionError || error instanceof Fault;
      const message = error instanceof Error ? error.message : String(error);
      const fault = known ? located(error, expr.start) : new Fault(`${owner} failed: ${message}`, expr.start);
      throw this.hideSecrets(fault, owner, [...positional, ...Object.values(named)]);
    }
  }

  /**
   * Filters and functions quote their input in some messages (an unparsable date, say). When that input came
   * from a secret, exact masking is not enough: a slice of the secret would still show.
   */
  private hideSecrets(error: unknown, owner: string, values: unknown[]): unknown {
    if (this.budget.secrets.length === 0 || !(error instanceof Fault || error instanceof ExpressionError))
      return error;
    if (!values.some((value) => typeof value === 'string' && this.session.holdsSecret(value))) return error;
    const pos = error instanceof Fault ? error.pos : undefined;
    return new Fault(`${owner} failed on a value that holds a secret (details hidden)`, pos);
  }

  /** Whatever a filter or function returns is checked against the size limit and never undefined. */
  private result(value: unknown): unknown {
    if (typeof value === 'string') this.budget.text(value);
    return value === undefined ? null : value;
  }
}

function isArithmetic(op: string): op is '+' | '-' | '*' | '/' | '%' {
  return op === '+' || op === '-' || op === '*' || op === '/' || op === '%';
}

/** A boxed double, or a plain number with a fraction (which only a Java double can hold). */
function isDouble(raw: unknown, value: unknown): boolean {
  return raw instanceof JavaDouble || (typeof value === 'number' && !Number.isInteger(value));
}

function located(error: unknown, pos: number): unknown {
  if (error instanceof Fault && error.pos === undefined) error.pos = pos;
  return error;
}
