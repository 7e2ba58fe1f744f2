/** Lets consumer loops sleep until a NOTIFY arrives or a timeout passes, whichever is first. A wake
 * with nobody waiting is remembered, so a notification between two polls is never lost. */
export class Wakeup {
  private waiters = new Set<() => void>();
  private pending = false;

  /** Wakes one sleeping loop: a notification announces work that one loop can take, and a loop that
   * finds work keeps claiming until the queue is empty. Waking every loop made all but one of them
   * claim nothing, each at the cost of a transaction. */
  wake(): void {
    const [first] = this.waiters;
    if (first) first();
    else this.pending = true;
  }

  /** Wakes every sleeping loop (shutdown). */
  wakeAll(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const w of waiters) w();
  }

  wait(ms: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }
}
