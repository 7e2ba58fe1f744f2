import type { BinaryOp } from './ast.js';
import { Fault } from './errors.js';
import type { Budget } from './limits.js';
import { toText } from './output.js';
import { compare, contains, describe, equals, isInteger, listItems } from './values.js';

function numbers(op: string, left: unknown, right: unknown): [number, number] {
  if (typeof left !== 'number' || typeof right !== 'number') {
    throw new Fault(`operator \`${op}\` expects numbers, got ${describe(left)} and ${describe(right)}`);
  }
  return [left, right];
}

/** Pebble's `+`: numbers add, a string on either side concatenates, a list gains items. */
function add(left: unknown, right: unknown, budget: Budget): unknown {
  if (typeof left === 'number' && typeof right === 'number') return left + right;
  if (typeof left === 'string' || typeof right === 'string') return concat(left, right, budget);
  if (Array.isArray(left)) {
    const added = Array.isArray(right) ? listItems(right) : [right];
    budget.reserveList(left.length + added.length);
    return [...listItems(left), ...added];
  }
  throw new Fault(`operator \`+\` cannot add ${describe(left)} and ${describe(right)}`);
}

/** Pebble's `-` on a list: a list operand removes all its items, a single value its first occurrence. */
function subtract(left: unknown, right: unknown, budget: Budget): unknown {
  if (Array.isArray(left)) {
    const items = listItems(left);
    if (Array.isArray(right))
      return items.filter((item) => !right.some((other) => equals(item, other, budget)));
    const index = items.findIndex((item) => equals(item, right, budget));
    if (index >= 0) items.splice(index, 1);
    return items;
  }
  const [a, b] = numbers('-', left, right);
  return a - b;
}

/**
 * Integer operands divide like Java longs (truncating, and refusing zero); anything else is floating, as is
 * an operand written as a decimal literal (`x / 2.0`).
 */
function divide(op: '/' | '%', left: unknown, right: unknown, decimal: boolean): number {
  const [a, b] = numbers(op, left, right);
  if (!decimal && isInteger(a) && isInteger(b)) {
    if (b === 0) throw new Fault('division by zero');
    const result = op === '/' ? Math.trunc(a / b) : a % b;
    return result === 0 ? 0 : result;
  }
  return op === '/' ? a / b : a % b;
}

export function concat(left: unknown, right: unknown, budget: Budget): string {
  const max = budget.limits.maxOutputLength;
  return budget.text(toText(left, max) + toText(right, max));
}

export type StrictOp = Exclude<BinaryOp, 'and' | 'or' | '??' | '???' | '..'>;

/** Binary operators whose operands are both evaluated first. */
export function applyBinary(
  op: StrictOp,
  left: unknown,
  right: unknown,
  budget: Budget,
  decimal = false,
): unknown {
  switch (op) {
    case '==':
      return equals(left, right, budget);
    case '!=':
      return !equals(left, right, budget);
    case '<':
      return compare(left, right, 'operator `<`') < 0;
    case '>':
      return compare(left, right, 'operator `>`') > 0;
    case '<=':
      return compare(left, right, 'operator `<=`') <= 0;
    case '>=':
      return compare(left, right, 'operator `>=`') >= 0;
    case 'in':
      return contains(right, left, 'operator `in`', false, budget);
    case 'not in':
      return !contains(right, left, 'operator `not in`', false, budget);
    case 'contains':
      return contains(left, right, 'operator `contains`', true, budget);
    case '+':
      return add(left, right, budget);
    case '-':
      return subtract(left, right, budget);
    case '*': {
      const [a, b] = numbers('*', left, right);
      return a * b;
    }
    case '/':
    case '%':
      return divide(op, left, right, decimal);
    case '~':
      return concat(left, right, budget);
  }
}
