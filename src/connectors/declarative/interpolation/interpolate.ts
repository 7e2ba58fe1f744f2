// The CDK's interpolation (interpolation/jinja.py and the Interpolated* wrappers): render with Jinja,
// then turn the text back into a value with Python's literal_eval. A rendering that comes out empty
// falls back to the default; looking into an undefined value does too.
import { renderTemplate } from './jinja.js';
import { UndefinedError, literalOrText, pyStr } from './py-values.js';

export type Context = Record<string, unknown>;

/** The variables every template sees; the CDK's aliases of `stream_slice` added. */
function withAliases(context: Context): Context {
  if (!('stream_slice' in context)) return context;
  return { ...context, stream_interval: context.stream_slice, stream_partition: context.stream_slice };
}

/** JinjaInterpolation.eval: the template's value, or the default's when the rendering is empty. */
export function interpolate(template: string, context: Context, fallback?: string): unknown {
  const ctx = withAliases(context);
  try {
    const text = renderTemplate(template, ctx);
    if (text) return literalOrText(text);
  } catch (error) {
    if (!(error instanceof UndefinedError)) throw error;
  }
  if (fallback === undefined) return null;
  const text = renderTemplate(fallback, ctx);
  return text ? literalOrText(text) : text;
}

const isTemplate = (s: string) => s.includes('{{') || s.includes('{%');

/** InterpolatedString: a plain string stays as it is; a template is interpolated, itself as default. */
export function interpolateString(value: string, context: Context, fallback?: string): unknown {
  if (!isTemplate(value)) return value;
  return interpolate(value, context, fallback ?? value);
}

/** InterpolatedString where text is wanted (URLs, headers, field names): Python's str() of the value. */
export function interpolateText(value: string, context: Context): string {
  const v = interpolateString(value, context);
  return v === null || v === undefined ? '' : typeof v === 'string' ? v : pythonText(v);
}

const FALSE_VALUES = new Set(['False', 'false', '{}', '[]', '()', '', '0', '0.0']);

/** InterpolatedBoolean. */
export function interpolateBoolean(condition: string | boolean, context: Context): boolean {
  if (typeof condition === 'boolean') return condition;
  const v = interpolate(condition, context, 'False');
  if (typeof v === 'string') return !FALSE_VALUES.has(v);
  if (v === null || v === false || v === 0) return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

/** InterpolatedMapping: keys and string values interpolated (plain strings through literal_eval too,
 * as the CDK does). */
export function interpolateMapping(
  mapping: Record<string, unknown>,
  context: Context,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(mapping)) {
    const key = interpolate(k, context);
    out[key === null ? k : pythonText(key)] = typeof v === 'string' ? interpolate(v, context) : v;
  }
  return out;
}

/** InterpolatedNestedMapping: every string inside, at any depth. */
export function interpolateNested(value: unknown, context: Context): unknown {
  if (typeof value === 'string') return interpolate(value, context);
  if (Array.isArray(value)) return value.map((v) => interpolateNested(v, context));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const key = interpolate(k, context);
      out[key === null ? k : pythonText(key)] = interpolateNested(v, context);
    }
    return out;
  }
  return value;
}

/** How Python's `str()` prints a value into a URL, a header or a key. */
export function pythonText(v: unknown): string {
  return pyStr(v ?? null);
}
