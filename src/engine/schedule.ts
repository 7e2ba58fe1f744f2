import { Cron } from 'croner';
import type { TriggerDef } from '../flow/model.js';

export const SCHEDULE_TRIGGER = 'io.kestra.plugin.core.trigger.Schedule';
export const SCHEDULE_ON_DATES_TRIGGER = 'io.kestra.plugin.core.trigger.ScheduleOnDates';

/** Triggers the scheduler fires at dates it computes (each has a row in `triggers`). */
export function isScheduled(trigger: TriggerDef): boolean {
  return trigger.type === SCHEDULE_TRIGGER || trigger.type === SCHEDULE_ON_DATES_TRIGGER;
}

/** The first fire time of a scheduled trigger strictly after `after`; null when there is none. A
 * Schedule computes it from its cron expression in its time zone (six fields mean seconds first,
 * Kestra's `withSeconds`); a ScheduleOnDates takes the next of its dates. */
export function nextFireDate(trigger: TriggerDef, after: Date): Date | null {
  if (trigger.type === SCHEDULE_ON_DATES_TRIGGER) {
    const dates = (trigger.dates as string[]).map((d) => Date.parse(d)).sort((a, b) => a - b);
    const next = dates.find((d) => d > after.getTime());
    return next === undefined ? null : new Date(next);
  }
  const cron = new Cron(String(trigger.cron), {
    timezone: typeof trigger.timezone === 'string' ? trigger.timezone : undefined,
    paused: true,
  });
  return cron.nextRun(after);
}

/** Where a new trigger starts: its backfill start when it has one, else the next occurrence. */
export function firstFireDate(trigger: TriggerDef, now: Date): Date | null {
  const backfill = trigger.backfill as { start?: string } | undefined;
  if (backfill?.start) return nextFireDate(trigger, new Date(Date.parse(backfill.start) - 1));
  return nextFireDate(trigger, now);
}

/** Which due occurrences to fire after downtime: Kestra's recoverMissedSchedules (ALL by default).
 * A backfill always fires every occurrence. Returns the occurrences to fire, oldest first, and the
 * next date to wait for. */
export function dueOccurrences(
  trigger: TriggerDef,
  nextDate: Date,
  now: Date,
  max = 1000,
): { fire: Date[]; next: Date | null } {
  const fire: Date[] = [];
  let next: Date | null = nextDate;
  while (next && next.getTime() <= now.getTime() && fire.length < max) {
    fire.push(next);
    next = nextFireDate(trigger, next);
  }
  const mode = trigger.backfill ? 'ALL' : ((trigger.recoverMissedSchedules as string | undefined) ?? 'ALL');
  if (mode === 'ALL' || fire.length <= 1) return { fire, next };
  // Only the latest occurrence is "on time"; the rest were missed.
  const latest = fire[fire.length - 1];
  return { fire: mode === 'LAST' ? [latest] : isRecent(latest, now) ? [latest] : [], next };
}

/** An occurrence this close to now is the current one, not a missed one (one scheduler tick). */
function isRecent(date: Date, now: Date): boolean {
  return now.getTime() - date.getTime() < 5_000;
}
