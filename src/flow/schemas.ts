// Zod building blocks shared by the task catalog and the flow loader, so that a duration, a label set or
// an "integer or expression" is checked the same way (and with the same message) wherever it appears.
import { z } from 'zod';
import { STATES } from '../engine/state.js';
import { durationProblem } from './duration.js';
import { isTemplate } from './expressions.js';
import { describeValue, issueMessage } from './issues.js';

/** Execution and task run states, as in Kestra (the engine's list). */
export { STATES };

export const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'] as const;

/** A schema's own message for a value it refuses, in the words every other message uses. */
export const expecting = (what: string) => ({
  error: (issue: { input?: unknown }) => `expected ${what}, got ${describeValue(issue.input)}`,
});

/** A string property; YAML scalars such as `42` or `true` are taken as their text, as Jackson does. */
export const text = () =>
  z.union([z.string(), z.number(), z.boolean()], expecting('a string')).transform(String);

export const duration = () =>
  z.string().superRefine((value, ctx) => {
    const problem = durationProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** A value of `base`, or an expression that renders to one. The whole alternative is named when a
 * value is refused, even when it was a string that merely lacked `{{`. */
function orExpression<T extends z.ZodType>(base: T, what: string) {
  const message = expecting(`${what} or an expression`);
  return z.union([base, z.string()], message).refine((v) => typeof v !== 'string' || isTemplate(v), message);
}

export const boolOrExpression = () => orExpression(z.boolean(), 'a boolean');

export const intOrExpression = (min: number) => orExpression(z.int().min(min), `an integer >= ${min}`);

/** Conditions are rendered then judged truthy, so any string is acceptable, as is a literal boolean. */
export const condition = () => z.union([z.string(), z.boolean()], expecting('a string or a boolean'));

export const looseMap = () => z.record(z.string(), z.unknown());

export const stringMap = () => z.record(z.string(), text());

/** A list of tasks; each item is validated as a task by the loader, which knows where it sits. */
export const taskList = () => z.array(z.unknown());

export const nonEmptyTaskList = () => taskList().min(1);

export const state = () => z.enum(STATES);

/** Validates with `list` when the value is a list and with `other` otherwise, keeping the chosen
 * schema's own findings (a plain union would only say that neither matched). */
export function listOr<L extends z.ZodType, O extends z.ZodType>(list: L, other: O) {
  return z.unknown().transform((value, ctx): z.output<L> | z.output<O> => {
    const result = (Array.isArray(value) ? list : other).safeParse(value, { error: issueMessage });
    if (result.success) return result.data;
    for (const issue of result.error.issues) ctx.addIssue({ ...issue });
    return z.NEVER;
  });
}

/** Labels as a map, or as Kestra's list of `{key, value}`; values become strings either way. */
export const labels = () =>
  listOr(
    z.array(z.strictObject({ key: z.string().min(1), value: text() })).transform((list) => {
      const out: Record<string, string> = {};
      for (const { key, value } of list) out[key] = value;
      return out;
    }),
    z.record(z.string(), text()),
  );
