import type { LogLevel, TaskLogger } from '../tasks/types.js';
import type { Redactor } from '../secrets/redactor.js';
import type { LogLine, WorkerJob } from './messages.js';

/** Lines longer than this are cut: one runaway line must not bloat the log table. */
export const MAX_LOG_LINE = 16 * 1024;
const FLUSH_LINES = 500;
const FLUSH_MS = 250;

/** Buffers a task run's log lines and writes them in batches (one INSERT per batch). Each line is
 * masked of the run's secrets as it is logged, before it is buffered. */
export class BufferedTaskLogger implements TaskLogger {
  private buffer: LogLine[] = [];
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

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
    if (this.buffer.length >= FLUSH_LINES) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS);
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

  /** Writes everything buffered so far; batches are written in order. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const lines = this.buffer;
    this.buffer = [];
    if (lines.length > 0) {
      this.flushing = this.flushing.then(() => this.write(lines)).catch(this.onWriteError);
    }
    return this.flushing;
  }
}
