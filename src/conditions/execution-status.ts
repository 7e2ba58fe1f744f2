import { z } from 'zod';
import type { StateType } from '../engine/state.js';
import { state } from '../flow/schemas.js';
import { CONDITION_PACKAGE, judged, oldNames } from './render.js';
import type { ConditionType } from './types.js';

/** `in` and `notIn`, as ExecutionStatus and HasRetryAttempt read them. */
export const stateFilter = { in: z.array(state()).optional(), notIn: z.array(state()).optional() };

export function passesStateFilter(current: StateType, filter: Record<string, unknown>): boolean {
  const inStates = filter.in as StateType[] | undefined;
  const notIn = filter.notIn as StateType[] | undefined;
  return (!inStates || inStates.includes(current)) && !notIn?.includes(current);
}

export const executionStatus: ConditionType = {
  type: `${CONDITION_PACKAGE}.ExecutionStatus`,
  aliases: oldNames('ExecutionStatus'),
  description: "The judged execution's state is in `in` and not in `notIn`.",
  properties: z.strictObject(stateFilter),
  onSchedule: false,
  async test(c, ctx) {
    return passesStateFilter((await judged(ctx, 'ExecutionStatus')).state, c);
  },
};
