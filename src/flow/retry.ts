// Retry policies, on a task or on the whole flow. Each policy type needs its own intervals; an
// exponential one without a ceiling gets one (ten doublings), so that backoff never grows unbounded.
import { z } from 'zod';
import { formatDuration, parseDuration } from './duration.js';
import type { RetryDef } from './model.js';
import { duration } from './schemas.js';

const NEEDS: Record<RetryDef['type'], (keyof RetryDef)[]> = {
  constant: ['interval'],
  exponential: ['interval'],
  random: ['minInterval', 'maxInterval'],
  airbyte: [],
};

const DEFAULT_DOUBLINGS = 10;

export const retry = () =>
  z
    .strictObject({
      type: z.enum(['constant', 'exponential', 'random', 'airbyte']),
      interval: duration().optional(),
      maxInterval: duration().optional(),
      delayFactor: z.number().positive().optional(),
      minInterval: duration().optional(),
      maxAttempt: z.int().min(1).optional(),
      maxDuration: duration().optional(),
      warningOnRetry: z.boolean().optional(),
      behavior: z.enum(['RETRY_FAILED_TASK', 'CREATE_NEW_EXECUTION']).optional(),
      successiveCompleteFailureLimit: z.int().min(0).optional(),
      totalCompleteFailureLimit: z.int().min(0).optional(),
      successivePartialFailureLimit: z.int().min(0).optional(),
      totalPartialFailureLimit: z.int().min(0).optional(),
    })
    .superRefine((policy, ctx) => {
      for (const key of NEEDS[policy.type]) {
        if (policy[key] === undefined) {
          ctx.addIssue({ code: 'custom', message: `a ${policy.type} retry needs '${key}'`, input: policy });
        }
      }
    })
    .transform((policy): RetryDef => {
      if (policy.type !== 'exponential' || policy.maxInterval || !policy.interval) return policy;
      return {
        ...policy,
        maxInterval: formatDuration(parseDuration(policy.interval) * 2 ** DEFAULT_DOUBLINGS),
      };
    });
