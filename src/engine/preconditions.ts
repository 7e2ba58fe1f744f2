// The time windows of a Flow trigger's preconditions (and of the older MultipleCondition): which of
// its named conditions some execution has met since the window opened. Kept in the database so that
// every scheduler replica, and a restart, sees the same window (Kestra's MultipleConditionStorage).
import { parseDuration } from '../flow/duration.js';
import type { TimeWindow } from '../conditions/time-window.js';

export interface WindowKey {
  namespace: string;
  flowId: string;
  triggerId: string;
  conditionId: string;
}

export interface Window {
  start: Date;
  end: Date;
  /** the names of the conditions met within the window */
  met: string[];
}

export interface PreconditionStore {
  /** Adds `met` to the window of `key` that is open at `now`, or to a new window `fresh` when none is
   * open; answers the window as it stands (undefined when none is open and nothing was met). Two
   * replicas merging into one window are serialised, so neither loses the other's results. */
  merge(
    key: WindowKey,
    fresh: { start: Date; end: Date },
    met: string[],
    now: Date,
  ): Promise<Window | undefined>;
  delete(key: WindowKey): Promise<void>;
  /** Drops the windows that closed before `now`. */
  purgeExpired(now: Date): Promise<void>;
}

const DAY = 86_400_000;
const HOUR = 3_600_000;
const MINUTE = 60_000;

function timeOfDay(text: string): number {
  const [h, m, s = '0'] = text.split(':');
  return Math.round(((Number(h) * 60 + Number(m)) * 60 + Number(s)) * 1000);
}

/** The window a set of conditions opens at `now`, computed as Kestra computes it (in UTC). */
export function windowBounds(tw: TimeWindow | undefined, now: Date): { start: Date; end: Date } {
  const t = now.getTime() - (now.getTime() % 1000);
  const midnight = t - (t % DAY);
  switch (tw?.type ?? 'DURATION_WINDOW') {
    case 'SLIDING_WINDOW':
      return { start: new Date(t), end: new Date(t + (tw?.window ? parseDuration(tw.window) : DAY)) };
    case 'DAILY_TIME_WINDOW':
      return {
        start: new Date(midnight + timeOfDay(tw!.startTime!)),
        end: new Date(midnight + timeOfDay(tw!.endTime!)),
      };
    case 'DAILY_TIME_DEADLINE':
      return { start: new Date(midnight), end: new Date(midnight + timeOfDay(tw!.deadline!)) };
    default: {
      // a window of days starts at midnight, of hours at the hour, of minutes at a multiple of it
      const window = tw?.window ? parseDuration(tw.window) : DAY;
      let start = t;
      if (window >= DAY) start = midnight;
      else if (window >= HOUR) start = t - (t % HOUR);
      else if (window >= MINUTE) {
        const minutes = Math.floor(window / MINUTE);
        const hour = t - (t % HOUR);
        start = hour + Math.floor((t - hour) / MINUTE / minutes) * minutes * MINUTE;
      }
      if (tw?.windowAdvance) start += parseDuration(tw.windowAdvance);
      return { start: new Date(start), end: new Date(start + window - 1) };
    }
  }
}

/** Kestra's MultipleConditionWindow.isValid: strictly inside. */
export function isOpen(window: { start: Date; end: Date }, now: Date): boolean {
  return now > window.start && now < window.end;
}
