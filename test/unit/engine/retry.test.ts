import { describe, expect, test } from 'vitest';
import { nextRetryDelay } from '../../../src/engine/retry.js';

describe('nextRetryDelay', () => {
  const t0 = 1_000_000;

  test('no policy means no retry', () => {
    expect(nextRetryDelay(undefined, 1, t0, t0)).toBeUndefined();
  });

  test('constant waits its interval until maxAttempt tries were made', () => {
    const retry = { type: 'constant' as const, interval: 'PT2S', maxAttempt: 3 };
    expect(nextRetryDelay(retry, 1, t0, t0)).toBe(2000);
    expect(nextRetryDelay(retry, 2, t0, t0)).toBe(2000);
    expect(nextRetryDelay(retry, 3, t0, t0)).toBeUndefined();
  });

  test('exponential multiplies by delayFactor and stops growing at maxInterval', () => {
    const retry = {
      type: 'exponential' as const,
      interval: 'PT1S',
      maxInterval: 'PT5S',
      delayFactor: 2,
      maxAttempt: 10,
    };
    expect([1, 2, 3, 4].map((n) => nextRetryDelay(retry, n, t0, t0))).toEqual([1000, 2000, 4000, 5000]);
  });

  test('random stays between minInterval and maxInterval', () => {
    const retry = { type: 'random' as const, minInterval: 'PT1S', maxInterval: 'PT3S', maxAttempt: 5 };
    expect(nextRetryDelay(retry, 1, t0, t0, () => 0)).toBe(1000);
    expect(nextRetryDelay(retry, 1, t0, t0, () => 1)).toBe(3000);
  });

  test('maxDuration refuses a retry that would start after it', () => {
    const retry = { type: 'constant' as const, interval: 'PT1S', maxDuration: 'PT10S' };
    expect(nextRetryDelay(retry, 1, t0, t0 + 8000)).toBe(1000);
    expect(nextRetryDelay(retry, 1, t0, t0 + 9500)).toBeUndefined();
  });
});

describe("Airbyte's sync attempt policy", () => {
  const airbyte = { type: 'airbyte' } as const;
  const delay = (progress: boolean[]) => nextRetryDelay(airbyte, progress.length, 0, 0, () => 0, progress);

  test('complete failures wait 10 s × 3ⁿ⁻¹, capped at 30 min', () => {
    expect([[false], [false, false], [false, false, false]].map(delay)).toEqual([10_000, 30_000, 90_000]);
    expect(nextRetryDelay({ ...airbyte, maxInterval: 'PT20S' }, 2, 0, 0, () => 0, [false, false])).toBe(
      20_000,
    );
  });

  test('a partial failure is retried at once and restarts the run of complete failures', () => {
    expect(delay([false, false, true])).toBe(0);
    expect(delay([false, false, true, false])).toBe(10_000);
  });

  test('five complete failures in a row end the job', () => {
    expect(delay(Array<boolean>(4).fill(false))).toBe(270_000);
    expect(delay(Array<boolean>(5).fill(false))).toBeUndefined();
  });

  test('ten complete failures in all end the job, even when partial ones came between', () => {
    const history = Array.from({ length: 19 }, (_, i) => i % 2 === 1);
    expect(delay(history)).toBeUndefined();
    expect(delay(history.slice(0, 18))).toBe(0);
  });

  test('twenty partial failures in all end the job', () => {
    expect(delay(Array<boolean>(19).fill(true))).toBe(0);
    expect(delay(Array<boolean>(20).fill(true))).toBeUndefined();
  });
});
