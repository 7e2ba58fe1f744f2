import type { Node } from './ast.js';
import { parseExpressionCached, parseTemplateCached } from './cache.js';
import { ExpressionError, Fault, isStackOverflow } from './errors.js';
import { Evaluator, isTemplate, type RenderOptions, Session } from './evaluate.js';
import { DEFAULT_LIMITS, depthError, resolveLimits } from './limits.js';
import { Answers, Pending } from './services.js';
import { unknownFunctions } from './names.js';
import { isMap } from './values.js';

export { ExpressionError } from './errors.js';
export type { ExpressionFunction, RenderOptions } from './evaluate.js';
export { isTemplate } from './evaluate.js';
export type { ExpressionLimits } from './limits.js';
export type { RenderServices } from './services.js';

/** Every failure leaves as an ExpressionError, with secrets masked and JS stack overflows named as depth;
 * a Pending service request leaves as it is, for renderAsync. */
function guarded<T>(options: RenderOptions | undefined, work: (session: Session) => T, answers?: Answers): T {
  const limits = resolveLimits(options?.limits);
  const session = new Session(options ?? {}, limits, answers);
  try {
    return work(session);
  } catch (error) {
    if (error instanceof Pending) throw error;
    if (error instanceof ExpressionError) throw session.redact(error);
    if (isStackOverflow(error)) throw depthError(limits);
    if (error instanceof Fault) throw session.redact(new ExpressionError(error.message));
    const message = error instanceof Error ? error.message : String(error);
    throw session.redact(new ExpressionError(`cannot render: ${message}`));
  }
}

export function render(
  template: string,
  variables: Record<string, unknown>,
  options?: RenderOptions,
): string {
  return renderWith(template, variables, options, undefined);
}

function renderWith(
  template: string,
  variables: Record<string, unknown>,
  options: RenderOptions | undefined,
  answers: Answers | undefined,
): string {
  if (!isTemplate(template)) return template;
  return guarded(options, (session) => session.render(template, variables), answers);
}

/** Walks objects and arrays, rendering every string; returns a new value (plain data). */
export function renderRecursive(
  value: unknown,
  variables: Record<string, unknown>,
  options?: RenderOptions,
): unknown {
  return renderRecursiveWith(value, variables, options, undefined);
}

function renderRecursiveWith(
  value: unknown,
  variables: Record<string, unknown>,
  options: RenderOptions | undefined,
  answers: Answers | undefined,
): unknown {
  const walk = (item: unknown): unknown => {
    if (typeof item === 'string') return renderWith(item, variables, options, answers);
    if (Array.isArray(item)) return item.map(walk);
    if (isMap(item)) {
      return Object.fromEntries(
        Object.entries(item).map(([key, element]) => [
          isTemplate(key) ? renderWith(key, variables, options, answers) : key,
          walk(element),
        ]),
      );
    }
    return item;
  };
  return walk(value);
}

/** How many service answers (files read, KV keys) one asynchronous render may wait for. */
export const MAX_SERVICE_CALLS = 100;

/**
 * Renders with platform services (`read()`, `fileSize()`, `kv()`): each time the render needs an answer it
 * has not got, the service is asked and the render starts again with what is known, so the template itself
 * stays synchronous and bounded.
 */
async function withServices<T>(options: RenderOptions, work: (answers: Answers) => T): Promise<T> {
  const answers = new Answers(options.services ?? {});
  const maxBytes = resolveLimits(options.limits).maxOutputLength;
  for (;;) {
    try {
      return work(answers);
    } catch (error) {
      if (!(error instanceof Pending)) throw error;
      if (answers.size >= MAX_SERVICE_CALLS) {
        throw new ExpressionError(`a template may read at most ${MAX_SERVICE_CALLS} files or keys`);
      }
      await answers.fetch(error.request, maxBytes);
    }
  }
}

export function renderAsync(
  template: string,
  variables: Record<string, unknown>,
  options: RenderOptions = {},
): Promise<string> {
  return withServices(options, (answers) => renderWith(template, variables, options, answers));
}

export function renderRecursiveAsync(
  value: unknown,
  variables: Record<string, unknown>,
  options: RenderOptions = {},
): Promise<unknown> {
  return withServices(options, (answers) => renderRecursiveWith(value, variables, options, answers));
}

/** Evaluates a bare expression (no braces), e.g. `inputs.x > 3`, and returns the typed value. */
export function evaluate(
  expression: string,
  variables: Record<string, unknown>,
  options?: RenderOptions,
): unknown {
  if (/^\s*\{[{%]/.test(expression)) {
    throw new ExpressionError('evaluate() takes a bare expression such as `inputs.x > 3`, without `{{ }}`');
  }
  return guarded(options, (session) => {
    const expr = parseExpressionCached(expression, session.budget.limits.maxDepth);
    return new Evaluator(expression, variables, session).value(expr);
  });
}

/** Parses without rendering; throws ExpressionError with line/col for a syntax error. */
export function parseTemplate(template: string): void {
  try {
    parseTemplateCached(template, DEFAULT_LIMITS.maxDepth);
  } catch (error) {
    if (isStackOverflow(error)) throw depthError(DEFAULT_LIMITS);
    throw error;
  }
}

/**
 * What `flow validate` reports about one template: its syntax error (an unknown filter or test is one), or
 * else every function that does not exist (with a suggestion when a known name is close), with line/col.
 */
export function checkTemplate(template: string): ExpressionError[] {
  let nodes: Node[];
  try {
    nodes = parseTemplateCached(template, DEFAULT_LIMITS.maxDepth);
  } catch (error) {
    if (isStackOverflow(error)) return [depthError(DEFAULT_LIMITS)];
    if (error instanceof ExpressionError) return [error];
    throw error;
  }
  return unknownFunctions(template, nodes);
}
