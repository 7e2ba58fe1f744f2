import { Cron } from 'croner';
import type { TriggerDef } from '../flow/model.js';

export const SCHEDULE_TRIGGER = 'io.kestra.plugin.core.trigger.Schedule';

/** The first fire time of a Schedule trigger strictly after `after`, in its time zone; null when the
 * expression has no future occurrence. Six fields mean seconds first (Kestra's `withSeconds`). */
export function nextFireDate(trigger: TriggerDef, after: Date): Date | null {
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
