import { DatabaseStoppedError, isDiskFull } from '../engine/failure-kind.js';

/** How long a full disk reported by the database keeps it unhealthy: writes that fail are retried
 * within seconds, so a disk still full reports again before this passes, and one with space again
 * is healthy this long after the last failure. */
export const DISK_FULL_WINDOW_MS = 30_000;

/** What a database has told us about itself through the errors of its queries: a full disk lately,
 * or a fatal error after which the embedded database must not be used again. */
export class DatabaseHealth {
  private diskFull?: { at: number; message: string };
  private stoppedBy?: Error;
  private readonly listeners: Array<(error: Error) => void> = [];

  constructor(private readonly diskFullWindowMs = DISK_FULL_WINDOW_MS) {}

  /** Looks at an error a query gave; returns it, for `throw health.saw(error)`. */
  saw(error: unknown): unknown {
    if (isDiskFull(error)) this.diskFull = { at: Date.now(), message: (error as Error).message };
    return error;
  }

  /** Marks the database stopped for good and tells the listeners, once. */
  stop(cause: Error): void {
    if (this.stoppedBy) return;
    this.stoppedBy = cause;
    for (const fn of this.listeners) fn(cause);
  }

  /** Throws when the database stopped: a call must not reach it any more. */
  refuseIfStopped(): void {
    if (this.stoppedBy) throw new DatabaseStoppedError(this.stoppedBy);
  }

  get stopped(): boolean {
    return this.stoppedBy !== undefined;
  }

  problem(): string | undefined {
    if (this.stoppedBy) return new DatabaseStoppedError(this.stoppedBy).message;
    if (this.diskFull && Date.now() - this.diskFull.at < this.diskFullWindowMs) {
      return `the database is out of disk space: ${this.diskFull.message}`;
    }
    return undefined;
  }

  onStopped(fn: (error: Error) => void): void {
    this.listeners.push(fn);
    if (this.stoppedBy) fn(this.stoppedBy);
  }
}
