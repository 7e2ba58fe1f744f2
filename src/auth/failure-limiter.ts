// Failed logins per key (a client address, a user name), counted over a sliding window in this
// process's memory: each webserver replica counts its own, which bounds guessing per replica.

export interface FailureLimits {
  /** failures allowed within the window; the next attempt is refused */
  maxFailures: number;
  windowMs: number;
}

export const DEFAULT_FAILURE_LIMITS: FailureLimits = { maxFailures: 10, windowMs: 5 * 60_000 };

/** Keys tracked at most: a flood of made-up user names must not grow the map without end. */
const MAX_KEYS = 100_000;

export class FailureLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly limits: FailureLimits = DEFAULT_FAILURE_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds until the key may try again; 0 when it may now. */
  blockedFor(key: string): number {
    const times = this.recent(key);
    if (times.length < this.limits.maxFailures) return 0;
    return times[times.length - this.limits.maxFailures] + this.limits.windowMs - this.now();
  }

  fail(key: string): void {
    const times = this.recent(key);
    times.push(this.now());
    // the oldest keys go first (a Map iterates in insertion order, and a key is re-inserted on failure)
    this.failures.delete(key);
    this.failures.set(key, times.slice(-this.limits.maxFailures));
    if (this.failures.size > MAX_KEYS) this.failures.delete(this.failures.keys().next().value!);
  }

  private recent(key: string): number[] {
    const since = this.now() - this.limits.windowMs;
    const times = (this.failures.get(key) ?? []).filter((t) => t > since);
    if (times.length === 0) this.failures.delete(key);
    return times;
  }
}
