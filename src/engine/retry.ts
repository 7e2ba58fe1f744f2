import { parseDuration } from '../flow/duration.js';
import type { RetryDef } from '../flow/model.js';

/** Delay before the next attempt, or undefined when the policy allows no more attempts.
 * `attempts` is the number of tries made so far (Kestra: maxAttempt counts the first try);
 * `progress` says, per try so far, whether it got somewhere before failing. */
export function nextRetryDelay(
  retry: RetryDef | undefined,
  attempts: number,
  firstStartedAt: number,
  now: number,
  random: () => number = Math.random,
  progress: boolean[] = [],
): number | undefined {
  if (!retry) return undefined;
  if (retry.maxAttempt !== undefined && attempts >= retry.maxAttempt) return undefined;
  let delay: number;
  switch (retry.type) {
    case 'airbyte': {
      const next = airbyteRetryDelay(retry, progress);
      if (next === undefined) return undefined;
      delay = next;
      break;
    }
    case 'constant':
      delay = parseDuration(retry.interval ?? 'PT0S');
      break;
    case 'exponential': {
      const base = parseDuration(retry.interval ?? 'PT1S');
      const max = retry.maxInterval ? parseDuration(retry.maxInterval) : Number.POSITIVE_INFINITY;
      delay = Math.min(max, base * (retry.delayFactor ?? 2) ** (attempts - 1));
      break;
    }
    case 'random': {
      const min = parseDuration(retry.minInterval ?? 'PT0S');
      const max = parseDuration(retry.maxInterval ?? retry.minInterval ?? 'PT1S');
      delay = min + random() * Math.max(0, max - min);
      break;
    }
  }
  if (retry.maxDuration !== undefined && now + delay - firstStartedAt > parseDuration(retry.maxDuration)) {
    return undefined;
  }
  return delay;
}

/** Airbyte's defaults (RetryManager, the worker's SYNC_JOB_RETRIES_* settings): five complete
 * failures in a row or ten in all end the job, as do 1000 partial ones in a row or 20 in all; a
 * complete failure waits 10 s × 3ⁿ⁻¹ up to 30 min, a partial one not at all. */
export const AIRBYTE_RETRY_DEFAULTS = {
  successiveCompleteFailureLimit: 5,
  totalCompleteFailureLimit: 10,
  successivePartialFailureLimit: 1000,
  totalPartialFailureLimit: 20,
  interval: 'PT10S',
  delayFactor: 3,
  maxInterval: 'PT30M',
} as const;

/** Airbyte's RetryManager: failures that committed something (partial) and failures that did not
 * (complete) are counted apart, a failure of one kind ends the other kind's run, and only complete
 * failures back off, exponentially in their run's length. */
function airbyteRetryDelay(retry: RetryDef, progress: boolean[]): number | undefined {
  const limits = { ...AIRBYTE_RETRY_DEFAULTS, ...retry };
  let successiveComplete = 0;
  let totalComplete = 0;
  let successivePartial = 0;
  let totalPartial = 0;
  for (const partial of progress) {
    if (partial) {
      successivePartial++;
      totalPartial++;
      successiveComplete = 0;
    } else {
      successiveComplete++;
      totalComplete++;
      successivePartial = 0;
    }
  }
  if (
    successiveComplete >= limits.successiveCompleteFailureLimit ||
    totalComplete >= limits.totalCompleteFailureLimit ||
    successivePartial >= limits.successivePartialFailureLimit ||
    totalPartial >= limits.totalPartialFailureLimit
  ) {
    return undefined;
  }
  if (successiveComplete === 0) return 0;
  const min = parseDuration(limits.interval);
  const max = parseDuration(limits.maxInterval);
  return Math.min(max, min * limits.delayFactor ** (successiveComplete - 1));
}
