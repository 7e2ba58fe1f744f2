// A backfill asked through the API (Kestra's Backfill of a Schedule trigger): the trigger fires every
// occurrence from `start` to `end` (or to now) at once, with the backfill's inputs and labels over
// the trigger's own, then goes back to its regular schedule where it left it.
import type { TriggerDef } from '../flow/model.js';
import { nextFireDate } from './schedule.js';

export interface Backfill {
  start: string;
  /** null: up to the time it was asked, then the schedule carries on */
  end: string | null;
  inputs?: Record<string, unknown>;
  labels?: Record<string, string>;
  /** the regular next date when the backfill was asked: where a backfill with an end resumes */
  resume: string | null;
  /** occurrences from start to end, and how many of them have fired (progress) */
  total: number;
  fired: number;
  done: boolean;
}

/** More would be a mistake more often than a wish (a per-second cron over a year): refused. */
export const MAX_BACKFILL_OCCURRENCES = 10_000;

/** The occurrences of a trigger from `first` to `end` inclusive, counted up to `cap` + 1. */
export function countOccurrences(
  trigger: TriggerDef,
  first: Date,
  end: Date,
  cap = MAX_BACKFILL_OCCURRENCES,
): number {
  let n = 0;
  for (
    let d: Date | null = first;
    d && d.getTime() <= end.getTime() && n <= cap;
    d = nextFireDate(trigger, d)
  )
    n++;
  return n;
}

/** How far a backfill's firing may go now: its end, or now when that comes first. */
export function backfillHorizon(backfill: Backfill, now: Date): Date {
  return backfill.end && Date.parse(backfill.end) < now.getTime() ? new Date(backfill.end) : now;
}

/** After a pass that fired `fired` occurrences and stopped before `next`: the backfill's new state,
 * and where the trigger goes next (back to its schedule once the backfill is done). */
export function advanceBackfill(
  backfill: Backfill,
  fired: number,
  next: Date | null,
  now: Date,
): { backfill: Backfill; next: Date | null } {
  const reachedEnd = backfill.end === null || Date.parse(backfill.end) <= now.getTime();
  const done = reachedEnd && (!next || next.getTime() > backfillHorizon(backfill, now).getTime());
  const progressed = { ...backfill, fired: backfill.fired + fired, done };
  if (!done) return { backfill: progressed, next };
  // an end in the past: the regular schedule resumes where it was; none: it goes on from here
  const resume = backfill.end !== null && backfill.resume ? new Date(backfill.resume) : next;
  return { backfill: progressed, next: resume };
}
