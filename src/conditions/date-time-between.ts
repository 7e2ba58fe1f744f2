import { z } from 'zod';
import { parseZoned } from './dates.js';
import { dateTemplate, parsed } from './date-property.js';
import { CONDITION_PACKAGE, oldNames, renderIn } from './render.js';
import type { ConditionType } from './types.js';

export const dateTimeBetween: ConditionType = {
  type: `${CONDITION_PACKAGE}.DateTimeBetween`,
  aliases: oldNames('DateTimeBetween'),
  description: 'The date is strictly after `after` and strictly before `before` (either may be left out).',
  properties: z
    .strictObject({
      date: dateTemplate(),
      after: parsed(parseZoned).optional(),
      before: parsed(parseZoned).optional(),
    })
    .refine((c) => c.after !== undefined || c.before !== undefined, 'give `after`, `before` or both'),
  onSchedule: true,
  async test(c, ctx) {
    const date = parseZoned(await renderIn(ctx, String(c.date))).instant;
    const after = c.after === undefined || date > parseZoned(String(c.after)).instant;
    const before = c.before === undefined || date < parseZoned(String(c.before)).instant;
    return after && before;
  },
};
