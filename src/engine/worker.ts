import { hostname } from 'node:os';
import type { RenderOptions } from '../expression/index.js';
import { Redactor } from '../secrets/redactor.js';
import type { NamespaceServices } from '../namespaces/services.js';
import type { InputSeal } from '../secrets/sealed-inputs.js';
import type { Storage } from '../storage/storage.js';
import type { RunnableTask } from '../tasks/types.js';
import { type AttemptFailure, attemptFailureOf } from './attempt-failure.js';
import { newId } from './execution.js';
import type { LogLine, WorkerJob } from './messages.js';
import { Heartbeat } from './heartbeat.js';
import type {
  LivenessBackend,
  QueueSignals,
  SecretResolver,
  SharedDirectoryKit,
  WorkerBackend,
} from './ports.js';
import { createRunContext } from './run-context.js';
import { type ServiceLogger, silentLogger } from './service-logger.js';
import { failureKind, isDiskFull } from './failure-kind.js';
import { BufferedTaskLogger, type LostLines } from './task-logger.js';
import { Outage } from './outage.js';
import { Wakeup } from './wakeup.js';

/** Finds the implementation of a runnable task type by its canonical name. */
export type TaskRuntime = (type: string) => RunnableTask | undefined;

export interface WorkerOptions {
  id?: string;
  /** task runs executed at once */
  threads?: number;
  pollMs?: number;
  logger?: ServiceLogger;
  secrets?: SecretResolver;
  /** the KV store and namespace files, for tasks and templates */
  namespaces?: NamespaceServices;
  /** opens the SECRET inputs of the jobs' executions */
  inputSeal?: InputSeal;
  /** registration and heartbeats; without it (one-off runs) the worker is not tracked */
  liveness?: LivenessBackend;
  heartbeatMs?: number;
  livenessTimeoutMs?: number;
  /** how long stop() lets running task runs finish before handing them back (default 30 s) */
  shutdownGraceMs?: number;
  /** told when the worker fenced itself; the host process should stop */
  onFenced?: (reason: string) => void;
  /** serve only jobs of this worker group (tasks with `workerGroup.key`); absent: jobs of no group */
  workerGroup?: string;
  /** fills and empties a WorkingDirectory's shared directory */
  sharedDirectoryKit?: SharedDirectoryKit;
}

/** Claims runnable task runs from the queue, runs them, and reports each result to the executor. */
export class Worker {
  readonly id: string;
  private running = false;
  private readonly active = new Map<string, { executionId: string; controller: AbortController }>();
  private readonly finished = new Set<Promise<void>>();
  private readonly wakeup = new Wakeup();
  private loopDone?: Promise<void>;
  private unsubscribe?: () => Promise<void>;
  private unsubscribeKills?: () => Promise<void>;
  private readonly logger: ServiceLogger;
  private heartbeat?: Heartbeat;
  /** set once this worker must not report anything more: its jobs are someone else's now */
  private fenced = false;
  /** jobs may be waiting that no thread was free to claim */
  private backlog = false;

  constructor(
    private readonly backend: WorkerBackend,
    private readonly signals: QueueSignals,
    private readonly runtime: TaskRuntime,
    private readonly storage: Storage,
    private readonly options: WorkerOptions = {},
  ) {
    this.id = options.id ?? `${hostname()}-${process.pid}-${newId().slice(0, 6)}`;
    this.logger = options.logger ?? silentLogger;
  }

  async start(): Promise<void> {
    const liveness = this.options.liveness;
    if (liveness) {
      this.heartbeat = new Heartbeat(liveness, this.id, 'worker', {
        intervalMs: this.options.heartbeatMs,
        timeoutMs: this.options.livenessTimeoutMs,
        logger: this.logger,
        onFenced: (reason) => this.fence(reason),
        onBeat: () => this.reclaimOrphans(),
        workerGroup: this.options.workerGroup,
      });
      await this.heartbeat.start();
    }
    this.running = true;
    this.unsubscribe = await this.signals.subscribe('worker', () => this.wakeup.wake());
    this.unsubscribeKills = await this.signals.subscribeKills((executionId) => {
      for (const job of this.active.values()) {
        if (job.executionId === executionId) job.controller.abort(new KilledError());
      }
    });
    this.loopDone = this.loop();
  }

  /** Graceful shutdown: stops claiming, lets the task runs in progress finish for the grace
   * period, then stops the rest and hands them back to the queue for another worker. */
  async stop(): Promise<void> {
    this.running = false;
    this.wakeup.wakeAll();
    await this.loopDone;
    const grace = this.options.shutdownGraceMs ?? 30_000;
    const allDone = Promise.all(this.finished).then(() => true);
    const finished = await Promise.race([allDone, new Promise<boolean>((r) => setTimeout(r, grace, false))]);
    if (!finished && this.options.liveness) {
      this.fenced = true;
      for (const job of this.active.values()) job.controller.abort(new HandedBackError());
      await Promise.all(this.finished);
      const n = await this.options.liveness.handBack(this.id);
      this.logger.warn(
        { id: this.id },
        `worker: ${n} task run(s) still running after ${grace} ms handed back`,
      );
    }
    await this.heartbeat?.stop();
    await this.unsubscribe?.();
    await this.unsubscribeKills?.();
  }

  /** Stops at once without reporting: another component declared this worker dead and re-queued
   * its jobs, or it could not heartbeat and soon will be. */
  private fence(reason: string): void {
    this.fenced = true;
    this.running = false;
    this.wakeup.wakeAll();
    for (const job of this.active.values()) job.controller.abort(new HandedBackError());
    this.options.onFenced?.(reason);
  }

  private async loop(): Promise<void> {
    const threads = this.options.threads ?? 16;
    const pollMs = this.options.pollMs ?? 1000;
    const outage = new Outage(this.logger, 'worker: claiming', Math.min(pollMs, 500));
    while (this.running) {
      try {
        const free = threads - this.active.size;
        this.backlog = free <= 0;
        if (free > 0) {
          const jobs = await this.backend.claim(this.id, free, this.options.workerGroup);
          outage.ok();
          for (const job of jobs) this.track(this.run(job));
          if (jobs.length === free) continue;
        }
        // jobs are never delayed: a new one comes with a NOTIFY, a free thread wakes the loop too
        await this.wakeup.wait(pollMs);
      } catch (error) {
        await this.wakeup.wait(outage.failed(error));
      }
    }
  }

  /** Jobs recorded under this worker that it is not running (the answer to a claim was lost, for
   * example when the database connection dropped) go back to the queue. */
  private async reclaimOrphans(): Promise<void> {
    const n = await this.options.liveness?.handBack(this.id, [...this.active.keys()]);
    if (n) this.logger.warn({ id: this.id }, `worker: ${n} claimed job(s) it never received handed back`);
  }

  private track(p: Promise<void>): void {
    this.finished.add(p);
    void p.finally(() => {
      this.finished.delete(p);
      // a thread is free and jobs may be waiting for one: claim now rather than at the next poll
      // (when the last claim took every job there was, a new one comes with a NOTIFY)
      if (this.backlog) this.wakeup.wake();
    });
  }

  private async run(job: WorkerJob): Promise<void> {
    const controller = new AbortController();
    this.active.set(job.taskRunId, { executionId: job.executionId, controller });
    const redactor = new Redactor();
    const logger = new BufferedTaskLogger(
      job,
      (lines) => this.backend.appendLogs(lines),
      (error) => this.logger.error({ err: error }, 'worker: writing task logs failed'),
      redactor,
    );
    const timeout = job.timeoutMs
      ? setTimeout(() => controller.abort(new TimeoutError(job.task.timeout)), job.timeoutMs)
      : undefined;
    const startDate = new Date().toISOString();
    const ctx = createRunContext(
      job,
      this.storage,
      logger,
      controller.signal,
      redactor,
      await this.renderOptions(job),
      this.options.inputSeal,
      this.options.namespaces,
      this.options.sharedDirectoryKit,
    );
    let state: 'SUCCESS' | 'WARNING' | 'FAILED' | 'KILLED' = 'SUCCESS';
    let outputs: Record<string, unknown> | undefined;
    let labels: Record<string, string> | undefined;
    let parentOutputs: Record<string, unknown> | undefined;
    let error: string | undefined;
    let failure: AttemptFailure | undefined;
    try {
      const task = this.runtime(job.task.type);
      if (!task) throw new Error(`no worker implementation for task type '${job.task.type}'`);
      const result = await task.run(job.task, ctx);
      if (controller.signal.aborted) throw controller.signal.reason;
      state = result.state ?? 'SUCCESS';
      outputs = redactor.value(result.outputs) as Record<string, unknown> | undefined;
      labels = redactor.value(result.labels) as Record<string, string> | undefined;
      parentOutputs = redactor.value(await ctx.closeSharedDirectory()) as Record<string, unknown> | undefined;
    } catch (e) {
      const reason: unknown = controller.signal.aborted ? controller.signal.reason : e;
      state = reason instanceof KilledError ? 'KILLED' : 'FAILED';
      error = redactor.text(reason instanceof Error ? reason.message : String(reason));
      failure = redactor.value(attemptFailureOf(reason)) as AttemptFailure | undefined;
      logger.error(error);
    } finally {
      clearTimeout(timeout);
    }
    await ctx.cleanup().catch(() => {});
    if (this.fenced) {
      await logger.flush();
      // the job belongs to whoever gets it from the queue now; a result from here would be a guess
      this.active.delete(job.taskRunId);
      return;
    }
    // the last log lines go with the result, so whoever reacts to it (errorLogs(), the UI) sees them
    const logs = await logger.drain();
    await this.completeWithRetry(job, logs, logger, {
      type: 'taskrun.result',
      executionId: job.executionId,
      taskRunId: job.taskRunId,
      attempt: job.attempt,
      state,
      outputs,
      labels,
      error,
      ...(failure ? { failure } : {}),
      startDate,
      endDate: new Date().toISOString(),
      workerId: this.id,
      ...(parentOutputs ? { parentOutputs } : {}),
    });
    this.active.delete(job.taskRunId);
  }

  /** Secrets are read only for tasks that ask for one, and never travel through the queue. */
  private async renderOptions(job: WorkerJob): Promise<RenderOptions> {
    if (!this.options.secrets || !JSON.stringify(job.task).includes('secret(')) return {};
    const secrets = await this.options.secrets.secretsFor(job.namespace);
    return { secret: (name) => secrets.get(name) };
  }

  /** A finished result is never dropped while the database is away: it is tried again, log lines
   * included, until the database is back. What the database refuses is bounded instead. Log lines
   * refused with the result are written on their own, and the result goes without them; a result
   * refused MAX_RESULT_REFUSALS times (outputs over the size limit, say) is replaced by a FAILED one
   * that says why, so that the task run ends and its slot and `worker_job_running` row are
   * released. On a full disk the log lines are given up first: the small result may still fit. Log
   * lines lost on the way turn a SUCCESS into a WARNING that says how many were lost. */
  private async completeWithRetry(
    job: WorkerJob,
    logs: LogLine[],
    logger: BufferedTaskLogger,
    result: Parameters<WorkerBackend['complete']>[1],
  ): Promise<void> {
    let pending = logs;
    let current = result;
    let refusals = 0;
    /** a full disk refused log lines: the result goes alone from then on, the note in its error */
    let resultOnly = false;
    for (let delay = 200; !this.fenced; delay = Math.min(delay * 2, 10_000)) {
      const reported = withLostLines(current, logger.lost);
      const lines = resultOnly || reported === current ? pending : [...pending, lostNote(job, logger.lost!)];
      try {
        await this.backend.complete(job, reported, lines);
        return;
      } catch (error) {
        this.logger.warn(
          { err: error, taskRunId: job.taskRunId },
          'worker: reporting a result failed, retrying',
        );
        const kind = failureKind(error);
        if (kind === 'refused' && pending.length > 0) {
          await this.backend.appendLogs(pending).catch((e: unknown) => logger.lose(pending.length, e));
          pending = [];
          continue;
        }
        if (kind === 'refused' && current === result && ++refusals >= MAX_RESULT_REFUSALS) {
          const reason = logger.mask(`the result of this task run could not be stored: ${errorText(error)}`);
          this.logger.error({ err: error, taskRunId: job.taskRunId }, `worker: ${reason}`);
          current = { ...result, state: 'FAILED', outputs: undefined, error: reason };
          continue;
        }
        if (isDiskFull(error) && lines.length > 0) {
          if (pending.length > 0) logger.lose(pending.length, error);
          pending = [];
          resultOnly = true;
        }
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }
}

/** Tries of a result the database refuses before it is replaced by a FAILED one. */
export const MAX_RESULT_REFUSALS = 3;

type ResultMessage = Parameters<WorkerBackend['complete']>[1];

/** The result as reported when log lines were lost: a SUCCESS becomes a WARNING, and the error
 * says how many lines are missing and why (a FAILED result keeps its own error). */
function withLostLines(result: ResultMessage, lost: LostLines | undefined): ResultMessage {
  if (!lost) return result;
  const note = lostText(lost);
  if (result.state === 'SUCCESS') return { ...result, state: 'WARNING', error: note };
  return { ...result, error: result.error ? `${result.error}; ${note}` : note };
}

function lostText(lost: LostLines): string {
  return `${lost.count} log line(s) of this task run could not be stored: ${lost.reason}`;
}

function lostNote(job: WorkerJob, lost: LostLines): LogLine {
  return {
    executionId: job.executionId,
    namespace: job.namespace,
    flowId: job.flowId,
    taskId: job.task.id,
    taskRunId: job.taskRunId,
    attempt: job.attempt,
    level: 'WARN',
    message: lostText(lost),
    ts: new Date().toISOString(),
  };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

class HandedBackError extends Error {
  constructor() {
    super('Stopped: handed back to another worker');
  }
}

class KilledError extends Error {
  constructor() {
    super('Killed');
  }
}

class TimeoutError extends Error {
  constructor(timeout: unknown) {
    super(`Timeout after ${String(timeout)}`);
  }
}
