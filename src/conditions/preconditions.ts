// A Flow trigger's `preconditions` (Kestra 0.19+): upstream flows and execution filters that must
// ALL have been met, each by some execution, within one time window. The window's bookkeeping is the
// engine's (engine/preconditions.ts); this is the schema and the test of one condition of the set.
import { z } from 'zod';
import { isTruthy } from '../engine/conditions.js';
import type { StateType } from '../engine/state.js';
import { looseMap, state, text } from '../flow/schemas.js';
import { renderIn } from './render.js';
import { timeWindow, windowId } from './time-window.js';
import type { ConditionContext } from './types.js';

const FIELDS = ['FLOW_ID', 'NAMESPACE', 'STATE', 'EXPRESSION'] as const;
const ONE_VALUE = [
  'EQUAL_TO',
  'NOT_EQUAL_TO',
  'IS_NULL',
  'IS_NOT_NULL',
  'IS_TRUE',
  'IS_FALSE',
  'STARTS_WITH',
  'ENDS_WITH',
  'REGEX',
  'CONTAINS',
] as const;
const MANY_VALUES = ['IN', 'NOT_IN'] as const;

const filter = z
  .strictObject({
    field: z.enum(FIELDS),
    type: z.enum([...ONE_VALUE, ...MANY_VALUES]),
    value: text().optional(),
    values: z.array(text()).optional(),
  })
  .superRefine((f, ctx) => {
    // Kestra's PreconditionFilterValidation, word for word in what it asks
    const many = (MANY_VALUES as readonly string[]).includes(f.type);
    if (!many && f.value === undefined)
      ctx.addIssue({ code: 'custom', message: `\`value\` cannot be null for type ${f.type}` });
    if (many && f.value !== undefined)
      ctx.addIssue({ code: 'custom', message: `\`value\` must be null for type ${f.type}` });
    if (many && f.values === undefined)
      ctx.addIssue({ code: 'custom', message: `\`values\` cannot be null for type ${f.type}` });
    if (!many && f.values !== undefined)
      ctx.addIssue({ code: 'custom', message: `\`values\` must be null for type ${f.type}` });
  });

type Filter = z.output<typeof filter>;

const upstreamFlow = z.strictObject({
  namespace: text(),
  flowId: text().optional(),
  states: z.array(state()).optional(),
  labels: looseMap().optional(),
});

const executionFilter = z.strictObject({
  id: z.string().min(1),
  operand: z.enum(['AND', 'OR']).default('AND'),
  filters: z.array(filter).min(1),
});

export const preconditions = () =>
  z.strictObject({
    id: windowId().optional(),
    timeWindow: timeWindow().optional(),
    resetOnSuccess: z.boolean().default(true),
    flows: z.array(upstreamFlow).optional(),
    where: z.array(executionFilter).optional(),
  });

export type Preconditions = z.output<ReturnType<typeof preconditions>>;

/** One condition of a set, tested against the judged execution. */
export type SetMember = (ctx: ConditionContext) => Promise<boolean>;

function upstream(flow: z.output<typeof upstreamFlow>): SetMember {
  return async (ctx) => {
    const e = await ctx.execution!();
    if (e.namespace !== flow.namespace) return false;
    if (flow.flowId !== undefined && e.flowId !== flow.flowId) return false;
    if (flow.states && !flow.states.includes(e.state)) return false;
    return Object.entries(flow.labels ?? {}).every(([key, value]) =>
      e.labels.some((l) => l.key === key && l.value === String(value)),
    );
  };
}

async function fieldValue(f: Filter, ctx: ConditionContext): Promise<string> {
  const e = await ctx.execution!();
  if (f.field === 'FLOW_ID') return e.flowId;
  if (f.field === 'NAMESPACE') return e.namespace;
  if (f.field === 'STATE') return e.state satisfies StateType;
  return renderIn(ctx, f.value ?? '');
}

/** Kestra's FilterCondition: for EXPRESSION the rendered `value` is the field, and the comparison
 * still reads `value` (so EQUAL_TO compares the template with its own rendering). */
async function passes(f: Filter, ctx: ConditionContext): Promise<boolean> {
  const actual = await fieldValue(f, ctx);
  const value = f.value ?? '';
  switch (f.type) {
    case 'EQUAL_TO':
      return actual === value;
    case 'NOT_EQUAL_TO':
      return actual !== value;
    case 'IN':
      return (f.values ?? []).includes(actual);
    case 'NOT_IN':
      return !(f.values ?? []).includes(actual);
    case 'IS_TRUE':
      return isTruthy(actual);
    case 'IS_FALSE':
      return !isTruthy(actual);
    // a field always has a value here (a rendered template is text): as in Kestra
    case 'IS_NULL':
      return false;
    case 'IS_NOT_NULL':
      return true;
    case 'STARTS_WITH':
      return actual.startsWith(value);
    case 'ENDS_WITH':
      return actual.endsWith(value);
    case 'REGEX':
      // Java's String.matches: the whole text
      return new RegExp(`^(?:${value})$`).test(actual);
    case 'CONTAINS':
      return actual.includes(value);
  }
}

function where(w: z.output<typeof executionFilter>): SetMember {
  return async (ctx) => {
    for (const f of w.filters) {
      const ok = await passes(f, ctx);
      if (w.operand === 'OR' && ok) return true;
      if (w.operand === 'AND' && !ok) return false;
    }
    return w.operand === 'AND';
  };
}

/** The named conditions of a preconditions block, named as Kestra names them. */
export function preconditionMembers(p: Preconditions): Record<string, SetMember> {
  const members: Record<string, SetMember> = {};
  let n = 0;
  for (const f of p.flows ?? []) members[`condition_${++n}`] = upstream(f);
  for (const w of p.where ?? []) members[`condition_${++n}_${w.id}`] = where(w);
  return members;
}
