import type { Args } from './args.js';
import type { Budget } from './limits.js';
import type { ServiceRequest } from './services.js';
import type { PlainMap } from './values.js';

/** What filters, tests and functions may use of the render they run in. */
export interface CallEnv {
  readonly budget: Budget;
  /** Root variables merged with `{% set %}` and loop variables in scope. */
  variables(): PlainMap;
  /** Renders another template with the same variables, one level deeper. */
  render(template: string): string;
  secret(name: string): string;
  now(): Date;
  /** A platform service's answer (a file's text, a KV value); fails with "… is not available here" when
   * the caller gave no such service. */
  service(request: ServiceRequest): unknown;
}

export interface FilterDef {
  readonly args: readonly string[];
  /** The input may be undefined (JS `undefined`) instead of raising: only `default` needs this. */
  readonly acceptsMissing?: boolean;
  apply(input: unknown, args: Args, env: CallEnv): unknown;
}

export interface TestDef {
  readonly args?: readonly string[];
  apply(input: unknown, args: Args): boolean;
}

export interface FunctionDef {
  readonly args: readonly string[];
  readonly variadic?: boolean;
  call(args: Args, env: CallEnv): unknown;
}
