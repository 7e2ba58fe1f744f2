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

test('guesses still being checked count against the limit: the one past it waits without being checked', () => {
  const { limiter } = limiterAt();
  const attempts = ['a', 'b', 'c', 'd'].map((guess) => limiter.attempt(['ip:1'], guess));
  expect(attempts.map((a) => typeof a)).toEqual(['object', 'object', 'object', 'number']);
});

test('a guess released (good credentials) frees its place uncounted; a failed one counts', () => {
  const { limiter } = limiterAt();
  const [first, second] = ['a', 'b'].map((guess) => limiter.attempt(['ip:1'], guess));
  if (typeof first === 'number' || typeof second === 'number') throw new Error('refused');
  first.release();
  second.fail();
  // one failure, nothing in flight: two more guesses fit, a third does not
  const more = ['c', 'd', 'e'].map((guess) => typeof limiter.attempt(['ip:1'], guess));
  expect(more).toEqual(['object', 'object', 'number']);
});

test('the same guess sent on several requests at once takes one place', () => {
  const { limiter } = limiterAt();
  const same = Array.from({ length: 5 }, () => typeof limiter.attempt(['ip:1'], 'right'));
  expect([...same, typeof limiter.attempt(['ip:1'], 'x'), typeof limiter.attempt(['ip:1'], 'y')]).toEqual([
    ...Array(5).fill('object'),
    'object',
    'object',
  ]);
});
