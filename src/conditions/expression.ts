import { z } from 'zod';
import { CONDITION_PACKAGE, expressionHolds, oldNames, renderIn } from './render.js';
import type { ConditionType } from './types.js';

export const expression: ConditionType = {
  type: `${CONDITION_PACKAGE}.Expression`,
  aliases: [...oldNames('Expression', 'VariableCondition')],
  description: 'An expression renders to anything but blank text or `false`.',
  properties: z.strictObject({ expression: z.string().min(1) }),
  onSchedule: true,
  async test(c, ctx) {
    return expressionHolds(await renderIn(ctx, String(c.expression)));
  },
};
