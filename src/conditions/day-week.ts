import { z } from 'zod';
import { DAYS_OF_WEEK, dayOfWeek, parseLocalDate } from './dates.js';
import { dateTemplate } from './date-property.js';
import { CONDITION_PACKAGE, oldNames, renderIn } from './render.js';
import type { ConditionType } from './types.js';

export const dayWeek: ConditionType = {
  type: `${CONDITION_PACKAGE}.DayWeek`,
  aliases: oldNames('DayWeek'),
  description: 'The date falls on `dayOfWeek`.',
  properties: z.strictObject({ date: dateTemplate(), dayOfWeek: z.enum(DAYS_OF_WEEK) }),
  onSchedule: true,
  async test(c, ctx) {
    return dayOfWeek(parseLocalDate(await renderIn(ctx, String(c.date)))) === c.dayOfWeek;
  },
};
