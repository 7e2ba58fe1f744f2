/** The abort signal of one HTTP request: aborted when the task is killed or when a countdown runs out,
 * and able to say afterwards which of the two (or neither) made the request fail. */
export class RequestDeadline {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private expired: string | undefined;

  constructor(private readonly taskSignal: AbortSignal) {
    if (taskSignal.aborted) this.controller.abort(taskSignal.reason);
    else taskSignal.addEventListener('abort', this.onTaskAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** (Re)starts the countdown; no duration means no countdown. `why` is what a timeout reports. */
  arm(ms: number | undefined, why: string): void {
    clearTimeout(this.timer);
    if (ms === undefined) return;
    this.timer = setTimeout(() => {
      this.expired = why;
      this.controller.abort(new Error(why));
    }, ms);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.taskSignal.removeEventListener('abort', this.onTaskAbort);
  }

  /** The error to report for something that went wrong while the request or its body was under way. */
  explain(error: unknown, target: string): Error {
    if (this.expired) return new Error(`Request to ${target} timed out: ${this.expired}`);
    if (this.taskSignal.aborted)
      return new Error(`Request to ${target} aborted: ${reasonText(this.taskSignal.reason)}`);
    // fetch reports every network failure as "fetch failed" and keeps the useful part in `cause`.
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    return new Error(`Request to ${target} failed: ${reasonText(cause)}`);
  }

  private readonly onTaskAbort = (): void => {
    this.controller.abort(this.taskSignal.reason);
  };
}

function reasonText(reason: unknown): string {
  return reason instanceof Error ? reason.message : String(reason);
}
