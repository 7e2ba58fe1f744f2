import { z } from 'zod';
import { render } from '../expression/index.js';
import { CONDITION_PACKAGE, expressionHolds, judged, oldNames } from './render.js';
import type { ConditionType } from './types.js';

export const executionOutputs: ConditionType = {
  type: `${CONDITION_PACKAGE}.ExecutionOutputs`,
  aliases: oldNames('ExecutionOutputs'),
  description: "An expression over the judged execution's flow outputs (`trigger.outputs`) holds.",
  properties: z.strictObject({ expression: z.string().min(1) }),
  onSchedule: true,
  async test(c, ctx) {
    const outputs = (await judged(ctx, 'ExecutionOutputs')).outputs;
    // an execution without outputs never matches, and the expression is not even rendered
    if (!outputs || Object.keys(outputs).length === 0) return false;
    const variables = { ...(await ctx.variables()), trigger: { outputs } };
    return expressionHolds(render(String(c.expression), variables));
  },
};
