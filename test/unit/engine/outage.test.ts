import { expect, test } from 'vitest';
import { Outage } from '../../../src/engine/outage.js';

function recorder() {
  const lines: string[] = [];
  const log = (_: object, msg?: string) => lines.push(msg ?? '');
  return { lines, logger: { info: log, warn: log, error: log, debug: log } };
}

test('an outage logs once when it starts and once when it ends, backing off in between', () => {
  const { lines, logger } = recorder();
  const outage = new Outage(logger, 'executor: processing', 100, 1_000);
  expect([1, 2, 3, 4, 5].map(() => outage.failed(new Error('connection refused')))).toEqual([
    100, 200, 400, 800, 1_000,
  ]);
  outage.ok();
  outage.ok();
  expect(lines).toHaveLength(2);
  expect(lines[0]).toBe('executor: processing failing, retrying with backoff');
  expect(lines[1]).toMatch(/^executor: processing working again after [\d.]+ s \(5 failed tries\)$/);
});

test('after a recovery the backoff starts again from the base delay', () => {
  const { logger } = recorder();
  const outage = new Outage(logger, 'worker: claiming', 100);
  outage.failed(new Error('x'));
  outage.failed(new Error('x'));
  outage.ok();
  expect(outage.failed(new Error('x'))).toBe(100);
});
