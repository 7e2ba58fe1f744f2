import { z } from 'zod';
import { isTemplate } from '../flow/expressions.js';
import { parseLocalDate } from './dates.js';
import { dateTemplate } from './date-property.js';
import { DEFAULT_COUNTRY, HOLIDAY_COUNTRIES, isHoliday, knownCountry, knownSubdivision } from './holidays.js';
import { CONDITION_PACKAGE, oldNames, renderIn } from './render.js';
import type { ConditionType } from './types.js';

export const publicHoliday: ConditionType = {
  type: `${CONDITION_PACKAGE}.PublicHoliday`,
  aliases: oldNames('PublicHoliday'),
  description: 'The date is a public holiday of `country` (and `subDivision`).',
  properties: z
    .strictObject({
      date: dateTemplate(),
      country: z.string().optional(),
      subDivision: z.string().optional(),
    })
    .superRefine((c, ctx) => {
      // literal names are checked now; templated ones when rendered
      const country = c.country ?? DEFAULT_COUNTRY;
      if (isTemplate(country)) return;
      if (!knownCountry(country)) {
        ctx.addIssue({
          code: 'custom',
          path: ['country'],
          message: `no public holidays known for '${country}': use one of ${HOLIDAY_COUNTRIES.join(', ')}`,
        });
      } else if (
        c.subDivision !== undefined &&
        !isTemplate(c.subDivision) &&
        !knownSubdivision(country, c.subDivision)
      ) {
        ctx.addIssue({
          code: 'custom',
          path: ['subDivision'],
          message: `no public holidays known for '${c.subDivision}' in ${country}`,
        });
      }
    }),
  onSchedule: true,
  async test(c, ctx) {
    const country = c.country === undefined ? DEFAULT_COUNTRY : await renderIn(ctx, String(c.country));
    const subdivision = c.subDivision === undefined ? undefined : await renderIn(ctx, String(c.subDivision));
    return isHoliday(parseLocalDate(await renderIn(ctx, String(c.date))), country, subdivision);
  },
};
