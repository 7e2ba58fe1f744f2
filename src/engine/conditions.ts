import { type RenderOptions, render } from '../expression/index.js';

/** Kestra's rule for conditions (If, runIf, Fail.condition): after rendering, exactly `false`, `0`,
 * `-0` and the empty string are false — case-sensitive, so "False" is true. */
export function isTruthy(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (value === null || value === undefined) return false;
  const text = String(value);
  return !(text === 'false' || text === '0' || text === '-0' || text === '');
}

/** Renders a condition as written in a flow (a template, or a plain boolean or number) and tests it. */
export function conditionHolds(
  raw: unknown,
  variables: Record<string, unknown>,
  options?: RenderOptions,
): boolean {
  return isTruthy(typeof raw === 'string' ? render(raw, variables, options) : raw);
}
