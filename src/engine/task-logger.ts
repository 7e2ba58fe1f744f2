import type { LogLevel, TaskLogger } from '../tasks/types.js';
import type { Redactor } from '../secrets/redactor.js';
import { failureKind } from './failure-kind.js';
import type { LogLine, WorkerJob } from './messages.js';

/** Lines longer than this are cut: one runaway line must not bloat the log table. */
export const MAX_LOG_LINE = 16 * 1024;
const FLUSH_LINES = 500;
const FLUSH_MS = 250;
/** Lines kept for another try while the database is away (a restart, a full disk); past this many,
 * the oldest are given up, and counted. */
export const MAX_HELD_LINES = 20_000;
const HOLD_RETRY_MS = 1000;

/** Log lines of a task run that could not be stored, and why. */
export interface LostLines {
  count: number;
  reason: string;
}

/** Buffers a task run's log lines and writes them in batches (one INSERT per batch). Each line is
 * masked of the run's secrets as it is logged, before it is buffered. A batch the database cannot
 * take now is kept and written with the next one; lines it refuses, or that exceed what may be
 * kept, are counted as lost, so that the task run can say so instead of ending as if all were
 * there. */
export class BufferedTaskLogger implements TaskLogger {
  private buffer: LogLine[] = [];
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  private lostCount = 0;
  private lostReason = '';
  /** after a failed write, the next waits until then rather than one per line logged */
  private retryAt = 0;

  constructor(
    private readonly job: WorkerJob,
    private readonly write: (lines: LogLine[]) => Promise<void>,
    private readonly onWriteError: (error: unknown) => void,
    private readonly redactor: Redactor,
  ) {}

  log(level: LogLevel, message: string): void {
    const clear = this.redactor.text(message);
    const text =
      clear.length > MAX_LOG_LINE
        ? `${clear.slice(0, MAX_LOG_LINE)}… [${clear.length - MAX_LOG_LINE} characters cut]`
        : clear;
    this.buffer.push({
      executionId: this.job.executionId,
      namespace: this.job.namespace,
      flowId: this.job.flowId,
      taskId: this.job.task.id,
      taskRunId: this.job.taskRunId,
      attempt: this.job.attempt,
      level,
      message: text,
      ts: new Date().toISOString(),
    });
    const wait = this.retryAt - Date.now();
    if (this.buffer.length >= FLUSH_LINES && wait <= 0) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), Math.max(FLUSH_MS, wait));
  }

  trace(message: string): void {
    this.log('TRACE', message);
  }
  debug(message: string): void {
    this.log('DEBUG', message);
  }
  info(message: string): void {
    this.log('INFO', message);
  }
  warn(message: string): void {
    this.log('WARN', message);
  }
  error(message: string): void {
    this.log('ERROR', message);
  }

  /** The lines not written yet, once the batches already on their way are written: the caller
   * writes them itself (the worker, with the task run's result). */
  async drain(): Promise<LogLine[]> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.flushing;
    const lines = this.buffer;
    this.buffer = [];
    return lines;
  }

  /** Writes everything buffered so far; batches are written in order. Each write takes what is
   * buffered when its turn comes, so lines kept after a failed write go out first. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.buffer.length === 0) return this.flushing;
    this.flushing = this.flushing.then(async () => {
      // after a failed write the lines wait for the retry time, however many flushes queued up
      if (this.buffer.length === 0 || Date.now() < this.retryAt) return;
      const lines = this.buffer;
      this.buffer = [];
      try {
        await this.write(lines);
        this.retryAt = 0;
      } catch (error) {
        // once per stretch of failures, not once per batch
        if (this.retryAt === 0) this.onWriteError(error);
        if (failureKind(error) === 'unavailable') this.hold(lines, error);
        else this.lose(lines.length, error);
      }
    });
    return this.flushing;
  }

  /** Text masked of the run's secrets, as every line logged is. */
  mask(text: string): string {
    return this.redactor.text(text);
  }

  /** Lines that could not be stored so far (see lose), or undefined when none were lost. */
  get lost(): LostLines | undefined {
    return this.lostCount > 0 ? { count: this.lostCount, reason: this.lostReason } : undefined;
  }

  /** Counts lines given up: the task run reports them when it ends. */
  lose(count: number, error: unknown): void {
    this.lostCount += count;
    this.lostReason = error instanceof Error ? error.message : String(error);
  }

  private hold(lines: LogLine[], error: unknown): void {
    this.retryAt = Date.now() + HOLD_RETRY_MS;
    const kept = [...lines, ...this.buffer];
    const over = kept.length - MAX_HELD_LINES;
    if (over > 0) this.lose(over, error);
    this.buffer = over > 0 ? kept.slice(over) : kept;
  }
}
