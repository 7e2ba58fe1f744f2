/** Lets consumer loops sleep until a NOTIFY arrives or a timeout passes, whichever is first. A wake
 * with nobody waiting is remembered, so a notification between two polls is never lost. */
export class Wakeup {
  private waiters = new Set<() => void>();
  private pending = false;

  wake(): void {
    if (this.waiters.size === 0) {
      this.pending = true;
      return;
    }
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
