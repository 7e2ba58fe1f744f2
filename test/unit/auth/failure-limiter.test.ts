import { expect, test } from 'vitest';
import { FailureLimiter } from '../../../src/auth/failure-limiter.js';

function limiterAt(start = 1_000_000) {
  const clock = { now: start };
  return { clock, limiter: new FailureLimiter({ maxFailures: 3, windowMs: 60_000 }, () => clock.now) };
}

test('a key may try again until it has failed maxFailures times within the window', () => {
  const { limiter } = limiterAt();
  const waits: number[] = [];
  for (let i = 0; i < 3; i++) {
    waits.push(limiter.blockedFor('ip:1'));
    limiter.fail('ip:1');
  }
  expect([...waits, limiter.blockedFor('ip:1')]).toEqual([0, 0, 0, 60_000]);
});

test('the wait ends when the oldest counted failure leaves the window', () => {
  const { clock, limiter } = limiterAt();
  limiter.fail('k');
  clock.now += 10_000;
  limiter.fail('k');
  limiter.fail('k');
  clock.now += 45_000;
  expect(limiter.blockedFor('k')).toBe(5_000);
  clock.now += 5_000;
  expect(limiter.blockedFor('k')).toBe(0);
});

test('keys are counted apart', () => {
  const { limiter } = limiterAt();
  for (let i = 0; i < 3; i++) limiter.fail('user:ada');
  expect([limiter.blockedFor('user:ada'), limiter.blockedFor('user:bob')]).toEqual([60_000, 0]);
});
