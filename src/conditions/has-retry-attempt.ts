import { z } from 'zod';
import { passesStateFilter, stateFilter } from './execution-status.js';
import { CONDITION_PACKAGE, judged, oldNames } from './render.js';
import type { ConditionType } from './types.js';

export const hasRetryAttempt: ConditionType = {
  type: `${CONDITION_PACKAGE}.HasRetryAttempt`,
  aliases: oldNames('HasRetryAttempt'),
  description: 'A task run of the judged execution was retried, with an attempt in `in` and not in `notIn`.',
  properties: z.strictObject(stateFilter),
  onSchedule: false,
  async test(c, ctx) {
    const { attempts } = await judged(ctx, 'HasRetryAttempt');
    return attempts.some((states) => states.length > 1 && states.some((s) => passesStateFilter(s, c)));
  },
};
