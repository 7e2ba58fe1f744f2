import { describe, expect, test } from 'vitest';
import {
  canonicalDuration,
  durationProblem,
  formatDuration,
  isDuration,
  parseDuration,
} from '../../../src/flow/duration.js';

describe('parseDuration', () => {
  test.each([
    ['PT0.2S', 200],
    ['PT1M30S', 90_000],
    ['P1D', 86_400_000],
    ['P2DT3H', 2 * 86_400_000 + 3 * 3_600_000],
    ['PT0S', 0],
    ['pt5s', 5000],
    ['PT1,5S', 1500],
    ['PT0.000001S', 0.001],
  ])('%s is %d ms', (iso, ms) => {
    expect(parseDuration(iso)).toBe(ms);
  });

  test('a negative duration is refused with a message naming it', () => {
    expect(() => parseDuration('-PT5S')).toThrow("negative duration '-PT5S' is not allowed");
  });

  test('weeks are refused: Java durations have no calendar units', () => {
    expect(() => parseDuration('P1W')).toThrow(
      "invalid duration 'P1W': years, months and weeks are not duration units, use days (e.g. P7D)",
    );
  });

  test.each(['P', 'PT', 'P1DT', '5 minutes', 'PT1.5M', '', 'P1H'])('%j is not a duration', (text) => {
    expect(() => parseDuration(text)).toThrow(`invalid duration '${text}'`);
  });
});

test('isDuration accepts only duration strings', () => {
  expect([isDuration('PT1S'), isDuration('1s'), isDuration(5)]).toEqual([true, false, false]);
});

test('durationProblem is undefined for a valid duration', () => {
  expect(durationProblem('PT1H')).toBeUndefined();
});

describe('formatDuration', () => {
  test.each([
    [200, 'PT0.2S'],
    [90_000, 'PT1M30S'],
    [0, 'PT0S'],
    [1_024_000, 'PT17M4S'],
    [2 * 86_400_000, 'PT48H'],
  ])('%d ms is %s', (ms, iso) => {
    expect(formatDuration(ms)).toBe(iso);
  });

  test('round-trips through parseDuration', () => {
    expect(parseDuration(formatDuration(3_723_004))).toBe(3_723_004);
  });
});

describe('canonicalDuration (Java Duration.toString)', () => {
  test.each([
    ['P1D', 'PT24H'],
    ['P1DT5M6S', 'PT24H5M6S'],
    ['PT0.2S', 'PT0.2S'],
    ['PT0S', 'PT0S'],
    ['PT0.0S', 'PT0S'],
    ['PT61S', 'PT1M1S'],
    ['PT1.100S', 'PT1.1S'],
    ['PT0.000000001S', 'PT0.000000001S'],
    ['P99999999999D', 'PT2399999999976H'],
  ])('%s is %s', (iso, expected) => {
    expect(canonicalDuration(iso)).toBe(expected);
  });

  test('refuses what parseDuration refuses', () => {
    expect(() => canonicalDuration('P1W')).toThrow(/weeks are not duration units/);
  });
});
