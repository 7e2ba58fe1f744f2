import { parseExpressionCached, parseTemplateCached } from './cache.js';
import { ExpressionError, Fault, isStackOverflow } from './errors.js';
import { Evaluator, isTemplate, type RenderOptions, Session } from './evaluate.js';
import { DEFAULT_LIMITS, depthError, resolveLimits } from './limits.js';
import { isMap } from './values.js';

export { ExpressionError } from './errors.js';
export type { ExpressionFunction, RenderOptions } from './evaluate.js';
export { isTemplate } from './evaluate.js';
export type { ExpressionLimits } from './limits.js';

/** Every failure leaves as an ExpressionError, with secrets masked and JS stack overflows named as depth. */
function guarded<T>(options: RenderOptions | undefined, work: (session: Session) => T): T {
  const limits = resolveLimits(options?.limits);
  const session = new Session(options ?? {}, limits);
  try {
    return work(session);
  } catch (error) {
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
  if (!isTemplate(template)) return template;
  return guarded(options, (session) => session.render(template, variables));
}

/** Walks objects and arrays, rendering every string; returns a new value (plain data). */
export function renderRecursive(
  value: unknown,
  variables: Record<string, unknown>,
  options?: RenderOptions,
): unknown {
  if (typeof value === 'string') return render(value, variables, options);
  if (Array.isArray(value)) return value.map((item) => renderRecursive(item, variables, options));
  if (isMap(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        isTemplate(key) ? render(key, variables, options) : key,
        renderRecursive(item, variables, options),
      ]),
    );
  }
  return value;
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

/** Parses without rendering; throws ExpressionError with line/col for a syntax error (used by `flow validate`). */
export function parseTemplate(template: string): void {
  try {
    parseTemplateCached(template, DEFAULT_LIMITS.maxDepth);
  } catch (error) {
    if (isStackOverflow(error)) throw depthError(DEFAULT_LIMITS);
    throw error;
  }
}
