import { z } from 'zod';
import { parseOffsetTime, parseZoned } from './dates.js';
import { dateTemplate, parsed } from './date-property.js';
import { CONDITION_PACKAGE, oldNames, renderIn } from './render.js';
import type { ConditionType } from './types.js';

export const timeBetween: ConditionType = {
  type: `${CONDITION_PACKAGE}.TimeBetween`,
  aliases: oldNames('TimeBetween'),
  description: 'The time of day of the date is strictly after `after` and strictly before `before`.',
  properties: z
    .strictObject({
      date: dateTemplate(),
      after: parsed(parseOffsetTime).optional(),
      before: parsed(parseOffsetTime).optional(),
    })
    .refine((c) => c.after !== undefined || c.before !== undefined, 'give `after`, `before` or both'),
  onSchedule: true,
  async test(c, ctx) {
    // Java compares OffsetTimes as instants of one same day, offsets applied, with no wrap at midnight
    const time = parseZoned(await renderIn(ctx, String(c.date))).utcTimeOfDay;
    const after = c.after === undefined || time > parseOffsetTime(String(c.after));
    const before = c.before === undefined || time < parseOffsetTime(String(c.before));
    return after && before;
  },
};
