import { z } from 'zod';
import { dayOfWeek, parseLocalDate } from './dates.js';
import { dateTemplate } from './date-property.js';
import { CONDITION_PACKAGE, oldNames, renderIn } from './render.js';
import type { ConditionType } from './types.js';

export const weekend: ConditionType = {
  type: `${CONDITION_PACKAGE}.Weekend`,
  aliases: oldNames('Weekend'),
  description: 'The date is a Saturday or a Sunday.',
  properties: z.strictObject({ date: dateTemplate() }),
  onSchedule: true,
  async test(c, ctx) {
    const day = dayOfWeek(parseLocalDate(await renderIn(ctx, String(c.date))));
    return day === 'SATURDAY' || day === 'SUNDAY';
  },
};
