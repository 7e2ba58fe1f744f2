import { z } from 'zod';
import { DAYS_OF_WEEK, dayOfWeek, parseLocalDate } from './dates.js';
import { dateTemplate } from './date-property.js';
import { CONDITION_PACKAGE, oldNames, renderIn } from './render.js';
import type { ConditionType } from './types.js';

const ORDINAL = { FIRST: 1, SECOND: 2, THIRD: 3, FOURTH: 4 } as const;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export const dayWeekInMonth: ConditionType = {
  type: `${CONDITION_PACKAGE}.DayWeekInMonth`,
  aliases: oldNames('DayWeekInMonth'),
  description: 'The date is the first, second, third, fourth or last `dayOfWeek` of its month.',
  properties: z.strictObject({
    date: dateTemplate(),
    dayOfWeek: z.enum(DAYS_OF_WEEK),
    dayInMonth: z.enum(['FIRST', 'SECOND', 'THIRD', 'FOURTH', 'LAST']),
  }),
  onSchedule: true,
  async test(c, ctx) {
    const date = parseLocalDate(await renderIn(ctx, String(c.date)));
    if (dayOfWeek(date) !== c.dayOfWeek) return false;
    const [year, month, day] = date.split('-').map(Number);
    if (c.dayInMonth === 'LAST') return day + 7 > daysInMonth(year, month);
    return Math.ceil(day / 7) === ORDINAL[c.dayInMonth as keyof typeof ORDINAL];
  },
};
