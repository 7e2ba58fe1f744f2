import { z } from 'zod';
import { duration } from '../flow/schemas.js';
import { CONDITION_PACKAGE } from './render.js';
import { timeWindow, windowId } from './time-window.js';
import type { ConditionType } from './types.js';

/** Kestra's MultipleCondition (deprecated in favour of a Flow trigger's `preconditions`): named
 * conditions that must each have held for some execution within a time window. Its Flow trigger
 * keeps the window (engine/flow-trigger.ts); nested in Not or Or it has no window to read. */
export const multipleCondition: ConditionType = {
  type: `${CONDITION_PACKAGE}.MultipleCondition`,
  aliases: ['io.kestra.core.models.conditions.types.MultipleCondition'],
  description: 'Every named condition held for some execution within the time window.',
  properties: z.strictObject({
    id: windowId(),
    timeWindow: timeWindow().optional(),
    window: duration().optional(),
    windowAdvance: duration().optional(),
    resetOnSuccess: z.boolean().default(true),
    conditions: z
      .record(z.string(), z.unknown())
      .refine((m) => Object.keys(m).length > 0, 'must not be empty'),
  }),
  onSchedule: false,
  nested: { key: 'conditions', map: true },
  async test() {
    throw new Error('a MultipleCondition is evaluated by its Flow trigger, never inside another condition');
  },
};
