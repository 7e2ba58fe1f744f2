// Live progress of a sync in its task's logs: per stream, records and bytes so far and their rates
// since the last report; then one summary line per stream when the data has moved.
import type { TaskLogger } from '../types.js';
import type { CountsByStream } from './pipe.js';

/** what tells a live progress line from a summary line, which parseProgressLine relies on */
const SO_FAR = ' so far ';
const PROGRESS_LINE = new RegExp(`^(.*): \\d+ records, [\\d.]+ MB${SO_FAR}\\(`, 's');

export class ProgressReporter {
  private timer: NodeJS.Timeout | undefined;
  private readonly started = Date.now();
  private last = new Map<string, { records: number; bytes: number; at: number }>();

  constructor(
    private readonly logger: TaskLogger,
    private readonly intervalMs: number,
  ) {}

  start(counts: () => CountsByStream): void {
    this.timer = setInterval(() => this.report(counts()), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  summary(emitted: CountsByStream, dropped: ReadonlyMap<string, number>): void {
    const seconds = Math.max((Date.now() - this.started) / 1000, 0.001);
    for (const [name, c] of emitted) {
      this.logger.info(
        `${name}: ${c.recordsEmitted} records, ${megabytes(c.bytesEmitted)} in ${seconds.toFixed(1)} s ` +
          `(${rate(c.recordsEmitted / seconds)} records/s, ${megabytes(c.bytesEmitted / seconds)}/s)`,
      );
    }
    for (const [name, n] of dropped) {
      this.logger.warn(`${name}: ${n} records dropped, the stream is not in the catalog`);
    }
  }

  private report(counts: CountsByStream): void {
    const now = Date.now();
    for (const [name, c] of counts) {
      const before = this.last.get(name) ?? { records: 0, bytes: 0, at: this.started };
      const seconds = Math.max((now - before.at) / 1000, 0.001);
      this.logger.info(
        `${name}: ${c.recordsEmitted} records, ${megabytes(c.bytesEmitted)}${SO_FAR}` +
          `(${rate((c.recordsEmitted - before.records) / seconds)} records/s, ` +
          `${megabytes((c.bytesEmitted - before.bytes) / seconds)}/s)`,
      );
      this.last.set(name, { records: c.recordsEmitted, bytes: c.bytesEmitted, at: now });
    }
  }
}

/** The stream a live progress line (not a summary) is about, for views that redraw it in place. */
export function parseProgressLine(message: string): { stream: string } | undefined {
  const match = PROGRESS_LINE.exec(message);
  return match ? { stream: match[1] } : undefined;
}

function rate(perSecond: number): string {
  // not toLocaleString: its first call loads ICU's locale data, 50 ms of a short sync
  return String(Math.round(perSecond)).replace(/\B(?=(\d{3})+$)/g, ',');
}

function megabytes(bytes: number): string {
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}
