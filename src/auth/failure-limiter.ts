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

/** What a client refused for guesses still being checked waits: they end within a second or so. */
export const IN_FLIGHT_WAIT_MS = 1_000;

/** A guess holding its place until its credentials are judged. */
export interface Attempt {
  /** frees the place uncounted: the credentials were good, or nothing could be judged */
  release(): void;
  /** frees the place and counts a failure */
  fail(): void;
}

export class FailureLimiter {
  private readonly failures = new Map<string, number[]>();
  /** per key, the guesses being checked right now and how many requests carry each */
  private readonly inFlight = new Map<string, Map<string, number>>();

  constructor(
    private readonly limits: FailureLimits = DEFAULT_FAILURE_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Takes a place for one guess under every key, or answers how many milliseconds to wait when a
   * key has no room left: its failures in the window and its other guesses still being checked
   * already reach the limit. Counting a guess before it is checked is what holds the limit when
   * guesses arrive all at once, since checking a password takes a while. `guess` names what is tried
   * (a digest of the credentials): requests carrying the same credentials at once are one guess, so
   * a client sending its right password on many parallel requests is not refused.
   */
  attempt(keys: readonly string[], guess: string): Attempt | number {
    const wait = Math.max(0, ...keys.map((key) => this.waitFor(key, guess)));
    if (wait > 0) return wait;
    for (const key of keys) {
      const guesses = this.inFlight.get(key) ?? new Map<string, number>();
      guesses.set(guess, (guesses.get(guess) ?? 0) + 1);
      this.inFlight.set(key, guesses);
    }
    let settled = false;
    const settle = (failed: boolean) => {
      if (settled) return;
      settled = true;
      for (const key of keys) {
        this.release(key, guess);
        if (failed) this.fail(key);
      }
    };
    return { release: () => settle(false), fail: () => settle(true) };
  }

  /** Milliseconds until the key may try again on failures alone; 0 when it may now. */
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

  private waitFor(key: string, guess: string): number {
    const blocked = this.blockedFor(key);
    if (blocked > 0) return blocked;
    const guesses = this.inFlight.get(key);
    if (!guesses || guesses.has(guess)) return 0;
    return this.recent(key).length + guesses.size >= this.limits.maxFailures ? IN_FLIGHT_WAIT_MS : 0;
  }

  private release(key: string, guess: string): void {
    const guesses = this.inFlight.get(key);
    const count = guesses?.get(guess);
    if (!guesses || count === undefined) return;
    if (count > 1) guesses.set(guess, count - 1);
    else guesses.delete(guess);
    if (guesses.size === 0) this.inFlight.delete(key);
  }

  private recent(key: string): number[] {
    const since = this.now() - this.limits.windowMs;
    const times = (this.failures.get(key) ?? []).filter((t) => t > since);
    if (times.length === 0) this.failures.delete(key);
    return times;
  }
}
