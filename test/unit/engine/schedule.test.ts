import { describe, expect, test } from 'vitest';
import { dueOccurrences, firstFireDate, nextFireDate } from '../../../src/engine/schedule.js';
import type { TriggerDef } from '../../../src/flow/model.js';

const schedule = (props: Record<string, unknown>): TriggerDef => ({
  id: 's',
  type: 'io.kestra.plugin.core.trigger.Schedule',
  ...props,
});

describe('schedule arithmetic', () => {
  test('a five-field cron fires on the next whole minute', () => {
    const next = nextFireDate(schedule({ cron: '*/15 * * * *' }), new Date('2026-01-01T10:07:30Z'));
    expect(next?.toISOString()).toBe('2026-01-01T10:15:00.000Z');
  });

  test('six fields count seconds first', () => {
    const next = nextFireDate(
      schedule({ cron: '*/10 * * * * *', withSeconds: true }),
      new Date('2026-01-01T10:00:01Z'),
    );
    expect(next?.toISOString()).toBe('2026-01-01T10:00:10.000Z');
  });

  test('the time zone decides when a daily cron fires', () => {
    const next = nextFireDate(
      schedule({ cron: '0 9 * * *', timezone: 'Europe/Paris' }),
      new Date('2026-01-01T00:00:00Z'),
    );
    expect(next?.toISOString()).toBe('2026-01-01T08:00:00.000Z');
  });

  test('a backfill starts at its start date, inclusive', () => {
    const first = firstFireDate(
      schedule({ cron: '0 0 * * *', backfill: { start: '2026-01-01T00:00:00Z' } }),
      new Date('2026-03-01T00:00:00Z'),
    );
    expect(first?.toISOString()).toBe('2026-01-01T00:00:00.000Z');
  });

  test('ALL recovers every missed occurrence, LAST only the latest, NONE none', () => {
    const from = new Date('2026-01-01T00:00:00Z');
    const now = new Date('2026-01-01T00:05:30Z');
    const all = dueOccurrences(schedule({ cron: '* * * * *' }), from, now);
    expect(all.fire).toHaveLength(6);
    expect(all.next?.toISOString()).toBe('2026-01-01T00:06:00.000Z');
    expect(
      dueOccurrences(schedule({ cron: '* * * * *', recoverMissedSchedules: 'LAST' }), from, now).fire,
    ).toEqual([new Date('2026-01-01T00:05:00Z')]);
    expect(
      dueOccurrences(schedule({ cron: '* * * * *', recoverMissedSchedules: 'NONE' }), from, now).fire,
    ).toEqual([]);
  });
});
