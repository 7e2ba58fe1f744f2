import { z } from 'zod';
import { duration } from '../flow/schemas.js';

const LOCAL_TIME = /^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?$/;

const localTime = () => z.string().regex(LOCAL_TIME, 'expected a time of day such as 09:00:00');

export const WINDOW_TYPES = [
  'DURATION_WINDOW',
  'SLIDING_WINDOW',
  'DAILY_TIME_WINDOW',
  'DAILY_TIME_DEADLINE',
] as const;

/** Kestra's TimeWindow: the period within which every precondition must be met. */
export const timeWindow = () =>
  z
    .strictObject({
      type: z.enum(WINDOW_TYPES).default('DURATION_WINDOW'),
      window: duration().optional(),
      windowAdvance: duration().optional(),
      startTime: localTime().optional(),
      endTime: localTime().optional(),
      deadline: localTime().optional(),
    })
    .superRefine((w, ctx) => {
      if (w.type === 'DAILY_TIME_DEADLINE' && !w.deadline)
        ctx.addIssue({
          code: 'custom',
          path: ['deadline'],
          message: 'a DAILY_TIME_DEADLINE window needs a deadline',
        });
      if (w.type === 'DAILY_TIME_WINDOW' && (!w.startTime || !w.endTime))
        ctx.addIssue({
          code: 'custom',
          path: ['startTime'],
          message: 'a DAILY_TIME_WINDOW needs startTime and endTime',
        });
    });

export type TimeWindow = z.output<ReturnType<typeof timeWindow>>;

/** An id as Kestra's MultipleCondition and preconditions take it. */
export const windowId = () =>
  z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_-]*$/, 'expected letters, digits, _ or -');
