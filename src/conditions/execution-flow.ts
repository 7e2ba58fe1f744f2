import { z } from 'zod';
import { text } from '../flow/schemas.js';
import { CONDITION_PACKAGE, judged, oldNames } from './render.js';
import type { ConditionType } from './types.js';

export const executionFlow: ConditionType = {
  type: `${CONDITION_PACKAGE}.ExecutionFlow`,
  aliases: oldNames('ExecutionFlow'),
  description: 'The judged execution is one of the given flow.',
  properties: z.strictObject({ namespace: text(), flowId: text() }),
  onSchedule: false,
  async test(c, ctx) {
    const e = await judged(ctx, 'ExecutionFlow');
    return e.namespace === c.namespace && e.flowId === c.flowId;
  },
};
