import { z } from 'zod';
import { CONDITION_PACKAGE, oldNames } from './render.js';
import type { ConditionDef, ConditionType } from './types.js';

export const not: ConditionType = {
  type: `${CONDITION_PACKAGE}.Not`,
  aliases: oldNames('Not'),
  description: 'None of the nested conditions holds.',
  properties: z.strictObject({ conditions: z.array(z.unknown()).min(1) }),
  onSchedule: true,
  nested: { key: 'conditions' },
  async test(c, _ctx, evaluate) {
    for (const nested of c.conditions as ConditionDef[]) if (await evaluate(nested)) return false;
    return true;
  },
};
