// Which filter, test and function names exist, and what to say about one that does not. The parser refuses
// an unknown filter or test (as Pebble's does); unknown functions are found here, so that `flow validate`
// reports every unknown name with its position and a typo fails when the flow is saved, not when it runs.
import type { CallArgs, Expr, Node } from './ast.js';
import { ExpressionError, positionAt } from './errors.js';
import { FILTERS } from './filters.js';
import { FUNCTIONS } from './functions.js';
import { TESTS } from './tests.js';

type Kind = 'filter' | 'test' | 'function';

const NAMES: Record<Kind, () => readonly string[]> = {
  filter: () => [...FILTERS.keys()],
  // `defined` is evaluated by the evaluator itself (it must see a missing value)
  test: () => ['defined', ...TESTS.keys()],
  function: () => [...FUNCTIONS.keys()],
};

/** Optimal string alignment distance, stopping early once it exceeds `max`. */
function distance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let before = new Array<number>(b.length + 1).fill(0);
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        value = Math.min(value, before[j - 2] + 1);
      current[j] = value;
      best = Math.min(best, value);
    }
    if (best > max) return max + 1;
    before = previous;
    previous = current;
  }
  return previous[b.length];
}

/** The closest of `names`: same letters in another case first, then at most two edits (fewer for
 * short names); undefined when none is that close. */
export function closestName(name: string, names: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  const sameCase = names.find((candidate) => candidate.toLowerCase() === lower);
  if (sameCase) return sameCase;
  // one edit away from a one- or two-letter name is almost any name: no suggestion there
  const max = name.length <= 2 ? 0 : name.length <= 4 ? 1 : 2;
  let best: string | undefined;
  let bestDistance = max + 1;
  for (const candidate of names) {
    const d = distance(lower, candidate.toLowerCase(), max);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** `unknown filter `uper` (did you mean `upper`?)`, or a hint that the name is of another kind. */
export function unknownName(kind: Kind, name: string): string {
  const base = `unknown ${kind} \`${name}\``;
  const suggestion = closestName(name, NAMES[kind]());
  if (suggestion !== undefined) return `${base} (did you mean \`${suggestion}\`?)`;
  if (kind === 'filter' && FUNCTIONS.has(name))
    return `${base}: \`${name}\` is a function, call it as ${name}(…)`;
  if (kind === 'function' && FILTERS.has(name))
    return `${base}: \`${name}\` is a filter, write value | ${name}`;
  return base;
}

/** Every call of a function that does not exist in a parsed template, with its position. */
export function unknownFunctions(source: string, nodes: Node[]): ExpressionError[] {
  const found: ExpressionError[] = [];
  const args = (call: CallArgs): void => {
    call.positional.forEach(expr);
    for (const { value } of call.named) expr(value);
  };
  const expr = (e: Expr): void => {
    switch (e.type) {
      case 'literal':
      case 'name':
        return;
      case 'member':
        expr(e.object);
        if (typeof e.key !== 'string') expr(e.key);
        return;
      case 'list':
        e.items.forEach(expr);
        return;
      case 'map':
        for (const entry of e.entries) expr(entry.value);
        return;
      case 'interpolation':
        for (const part of e.parts) if (typeof part !== 'string') expr(part);
        return;
      case 'unary':
        expr(e.operand);
        return;
      case 'binary':
        expr(e.left);
        expr(e.right);
        return;
      case 'ternary':
        expr(e.test);
        expr(e.then);
        expr(e.otherwise);
        return;
      case 'filter':
      case 'test':
        expr(e.input);
        args(e.args);
        return;
      case 'call':
        if (!FUNCTIONS.has(e.name)) {
          found.push(new ExpressionError(unknownName('function', e.name), positionAt(source, e.start)));
        }
        args(e.args);
        return;
    }
  };
  const walk = (list: Node[]): void => {
    for (const node of list) {
      switch (node.type) {
        case 'text':
          break;
        case 'print':
          expr(node.expr);
          break;
        case 'if':
          for (const branch of node.branches) {
            expr(branch.test);
            walk(branch.body);
          }
          if (node.otherwise) walk(node.otherwise);
          break;
        case 'for':
          expr(node.iterable);
          walk(node.body);
          if (node.otherwise) walk(node.otherwise);
          break;
        case 'set':
          expr(node.value);
          break;
      }
    }
  };
  walk(nodes);
  return found;
}
