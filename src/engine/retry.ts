import { parseDuration } from '../flow/duration.js';
import type { RetryDef } from '../flow/model.js';

/** Delay before the next attempt, or undefined when the policy allows no more attempts.
 * `attempts` is the number of tries made so far (Kestra: maxAttempt counts the first try). */
export function nextRetryDelay(
  retry: RetryDef | undefined,
  attempts: number,
  firstStartedAt: number,
  now: number,
  random: () => number = Math.random,
): number | undefined {
  if (!retry) return undefined;
  if (retry.maxAttempt !== undefined && attempts >= retry.maxAttempt) return undefined;
  let delay: number;
  switch (retry.type) {
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
