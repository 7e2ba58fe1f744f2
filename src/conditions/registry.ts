// Every condition type, under Kestra's current and older names. A flow is validated against this
// registry (an unknown type is an error, with the closest name), and triggers evaluate through it.
import { z } from 'zod';
import { closestName } from '../expression/names.js';
import { issueMessage } from '../flow/issues.js';
import { isRecord } from '../flow/values.js';
import { dateTimeBetween } from './date-time-between.js';
import { dayWeek } from './day-week.js';
import { dayWeekInMonth } from './day-week-in-month.js';
import { executionFlow } from './execution-flow.js';
import { executionLabels } from './execution-labels.js';
import { executionNamespace } from './execution-namespace.js';
import { executionOutputs } from './execution-outputs.js';
import { executionStatus } from './execution-status.js';
import { expression } from './expression.js';
import { flowCondition, flowNamespaceCondition } from './flow-condition.js';
import { hasRetryAttempt } from './has-retry-attempt.js';
import { multipleCondition } from './multiple-condition.js';
import { not } from './not.js';
import { or } from './or.js';
import { publicHoliday } from './public-holiday.js';
import { timeBetween } from './time-between.js';
import type { ConditionContext, ConditionDef, ConditionType } from './types.js';
import { weekend } from './weekend.js';

export const conditionTypes: ConditionType[] = [
  executionFlow,
  executionStatus,
  executionNamespace,
  executionLabels,
  executionOutputs,
  expression,
  hasRetryAttempt,
  not,
  or,
  dateTimeBetween,
  dayWeek,
  dayWeekInMonth,
  timeBetween,
  weekend,
  publicHoliday,
  multipleCondition,
  flowCondition,
  flowNamespaceCondition,
];

const byName = new Map<string, ConditionType>();
for (const spec of conditionTypes) for (const name of [spec.type, ...spec.aliases]) byName.set(name, spec);

export function findConditionType(name: string): ConditionType | undefined {
  return byName.get(name);
}

function unknownType(name: string): string {
  const shortNames = conditionTypes.map((spec) => spec.type.split('.').pop() ?? spec.type);
  const short = closestName(name.split('.').pop() ?? name, shortNames);
  const suggestion =
    closestName(name, [...byName.keys()]) ?? (short && conditionTypes[shortNames.indexOf(short)].type);
  return `unknown condition type '${name}'${suggestion ? ` (did you mean '${suggestion}'?)` : ''}`;
}

/** Where conditions are written: a Schedule trigger has no execution to judge, only dates. */
export type ConditionSite = 'flow' | 'schedule';

/** One condition: a known type, its properties checked by the type's schema, nested conditions
 * checked alike; the type comes out canonical. */
export function conditionSchema(site: ConditionSite): z.ZodType<ConditionDef> {
  return z.unknown().transform((value, ctx): ConditionDef => {
    const fail = (message: string, path: PropertyKey[] = []) => {
      ctx.addIssue({ code: 'custom', message, path, input: value });
      return z.NEVER;
    };
    if (!isRecord(value)) return fail('a condition must be a map with a type');
    const { type, ...properties } = value;
    if (typeof type !== 'string') return fail("a condition needs a 'type'", ['type']);
    const spec = findConditionType(type);
    if (!spec) return fail(unknownType(type), ['type']);
    if (site === 'schedule' && !spec.onSchedule) {
      const short = spec.type.split('.').pop();
      return fail(`${short} judges an execution: a Schedule trigger has none, use it on a Flow trigger`, [
        'type',
      ]);
    }
    const parsed = spec.properties.safeParse(properties, { error: issueMessage });
    if (!parsed.success) {
      for (const issue of parsed.error.issues) ctx.addIssue({ ...issue });
      return z.NEVER;
    }
    const checked: ConditionDef = { ...(parsed.data as Record<string, unknown>), type: spec.type };
    if (spec.nested) {
      const nested = spec.nested.map
        ? z.record(z.string(), conditionSchema(site))
        : z.array(conditionSchema(site));
      const inner = nested.safeParse(checked[spec.nested.key], { error: issueMessage });
      if (!inner.success) {
        for (const issue of inner.error.issues)
          ctx.addIssue({ ...issue, path: [spec.nested.key, ...issue.path] });
        return z.NEVER;
      }
      checked[spec.nested.key] = inner.data;
    }
    return checked;
  });
}

/** Decides one condition; a condition that cannot be evaluated throws. */
export async function testCondition(condition: ConditionDef, ctx: ConditionContext): Promise<boolean> {
  const spec = findConditionType(condition.type);
  if (!spec) throw new Error(unknownType(condition.type));
  return spec.test(condition, ctx, (nested) => testCondition(nested, ctx));
}

/** Whether every condition holds. One that cannot be evaluated does not hold, as in Kestra, and is
 * reported through `onError`. */
export async function conditionsHold(
  conditions: ConditionDef[],
  ctx: ConditionContext,
  onError: (condition: ConditionDef, error: unknown) => void,
): Promise<boolean> {
  for (const condition of conditions) {
    try {
      if (!(await testCondition(condition, ctx))) return false;
    } catch (error) {
      onError(condition, error);
      return false;
    }
  }
  return true;
}
