import { Cron } from 'croner';
import { parseDuration } from '../flow/duration.js';
import type { TriggerDef } from '../flow/model.js';

export const SCHEDULE_TRIGGER = 'io.kestra.plugin.core.trigger.Schedule';
export const SCHEDULE_ON_DATES_TRIGGER = 'io.kestra.plugin.core.trigger.ScheduleOnDates';
export const HTTP_TRIGGER = 'io.kestra.plugin.core.http.Trigger';
/** Kestra's default interval between two polls of a polling trigger */
const DEFAULT_POLL_INTERVAL = 'PT60S';

/** Triggers the scheduler fires at dates it computes (each has a row in `triggers`): schedules, and
 * polling triggers, whose dates are their polls. */
export function isScheduled(trigger: TriggerDef): boolean {
  return (
    trigger.type === SCHEDULE_TRIGGER || trigger.type === SCHEDULE_ON_DATES_TRIGGER || isPolling(trigger)
  );
}

/** A trigger that asks something outside (an HTTP endpoint) at each of its dates whether to fire. */
export function isPolling(trigger: TriggerDef): boolean {
  return trigger.type === HTTP_TRIGGER;
}

/** The first fire time of a scheduled trigger strictly after `after`; null when there is none. A
 * Schedule computes it from its cron expression in its time zone (six fields mean seconds first,
 * Kestra's `withSeconds`); a ScheduleOnDates takes the next of its dates. */
export function nextFireDate(trigger: TriggerDef, after: Date): Date | null {
  if (isPolling(trigger))
    return new Date(after.getTime() + parseDuration(String(trigger.interval ?? DEFAULT_POLL_INTERVAL)));
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
  // a polling trigger polls at once, then every interval
  if (isPolling(trigger)) return now;
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
  // a poll missed while the scheduler was away is not made up: one poll now, the next an interval on
  if (isPolling(trigger))
    return nextDate.getTime() <= now.getTime()
      ? { fire: [now], next: nextFireDate(trigger, now) }
      : { fire: [], next: nextDate };
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
