import { z } from 'zod';
import { labels } from '../flow/schemas.js';
import { CONDITION_PACKAGE, judged, oldNames } from './render.js';
import type { ConditionType } from './types.js';

export const executionLabels: ConditionType = {
  type: `${CONDITION_PACKAGE}.ExecutionLabels`,
  aliases: oldNames('ExecutionLabels'),
  description: 'The judged execution carries every one of the given labels.',
  properties: z.strictObject({ labels: labels() }),
  onSchedule: false,
  async test(c, ctx) {
    const have = (await judged(ctx, 'ExecutionLabels')).labels;
    return Object.entries(c.labels as Record<string, string>).every(([key, value]) =>
      have.some((l) => l.key === key && l.value === value),
    );
  },
};
