import type { ServiceLogger } from './service-logger.js';

/** A loop's view of failures it retries (a database restart, most often): the first failure is
 * logged with its cause, the retries back off exponentially up to a ceiling without repeating the
 * log, and the recovery is logged with how long it lasted. */
export class Outage {
  private since?: number;
  private failures = 0;

  constructor(
    private readonly logger: ServiceLogger,
    private readonly what: string,
    private readonly baseMs: number,
    private readonly maxMs = 10_000,
  ) {}

  /** Records a failure and returns how long to wait before the next try. */
  failed(error: unknown): number {
    if (this.since === undefined) {
      this.since = Date.now();
      this.logger.warn({ err: error }, `${this.what} failing, retrying with backoff`);
    }
    this.failures++;
    return Math.min(this.maxMs, this.baseMs * 2 ** (this.failures - 1));
  }

  /** Records a success; logs the end of an outage if there was one. */
  ok(): void {
    if (this.since === undefined) return;
    const seconds = ((Date.now() - this.since) / 1000).toFixed(1);
    this.logger.info({}, `${this.what} working again after ${seconds} s (${this.failures} failed tries)`);
    this.since = undefined;
    this.failures = 0;
  }
}
