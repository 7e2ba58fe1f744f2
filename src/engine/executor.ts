import type { RenderOptions } from '../expression/index.js';
import type { Flow } from '../flow/model.js';
import type { InputSeal } from '../secrets/sealed-inputs.js';
import type { Storage } from '../storage/storage.js';
import type { Execution } from './execution.js';
import type { ExecutorMessage } from './messages.js';
import { failureKind, isDatabaseError } from './failure-kind.js';
import type { ClaimOutcome, ExecutorBackend, ExecutorTx, QueueSignals } from './ports.js';
import { ExecutionProcessor } from './processor.js';
import { type ServiceLogger, silentLogger } from './service-logger.js';
import { failedDocument } from './unprocessable.js';
import { Outage } from './outage.js';
import { Wakeup } from './wakeup.js';

/** How many times processing one execution may fail for a reason of its own (the database refused
 * what it wrote, an error outside the walk) before it is failed without processing: a database
 * that is away does not count. Counted in the execution's row, so a restart does not reset it. */
export const MAX_PROCESSING_FAILURES = 5;
/** Between those tries its messages wait, doubling from the base (1, 2, 4, 8 s): about 15 s from
 * the first failure to the last. */
export const PROCESSING_BACKOFF = { baseMs: 1000, maxMs: 30_000 };

export interface ExecutorOptions {
  /** loops claiming messages at once; different executions proceed in parallel */
  concurrency?: number;
  /** longest sleep between polls when no NOTIFY arrives */
  pollMs?: number;
  logger?: ServiceLogger;
  /** opens the SECRET inputs for the templates the executor renders, seals those of subflows */
  inputSeal?: InputSeal;
  /** how long an execution that failed to process waits before its next try (PROCESSING_BACKOFF) */
  failureBackoff?: { baseMs: number; maxMs: number };
  /** internal storage, for the flowables that read or write files (ForEachItem's batches) */
  storage?: Storage;
}

/** Consumes executor messages: locks the execution they concern, applies them and decides what
 * runs next, all in the transaction that deletes the messages. */
export class Executor {
  private running = false;
  private loops: Promise<void>[] = [];
  private readonly wakeup = new Wakeup();
  private unsubscribe?: () => Promise<void>;
  private readonly logger: ServiceLogger;

  constructor(
    private readonly backend: ExecutorBackend,
    private readonly signals: QueueSignals,
    private readonly options: ExecutorOptions = {},
  ) {
    this.logger = options.logger ?? silentLogger;
  }

  async start(): Promise<void> {
    this.running = true;
    this.unsubscribe = await this.signals.subscribe('executor', () => this.wakeup.wake());
    for (let i = 0; i < (this.options.concurrency ?? 1); i++) this.loops.push(this.loop());
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wakeup.wakeAll();
    await Promise.all(this.loops);
    await this.unsubscribe?.();
  }

  private async loop(): Promise<void> {
    const pollMs = this.options.pollMs ?? 1000;
    const outage = new Outage(this.logger, 'executor: processing', Math.min(pollMs, 500));
    while (this.running) {
      try {
        const outcome = await this.step();
        outage.ok();
        // without more available, a message that arrives meanwhile comes with a NOTIFY
        if (outcome.processed && outcome.more) continue;
        const due = outcome.nextDueMs;
        await this.wakeup.wait(due === undefined ? pollMs : Math.min(pollMs, Math.max(1, due)));
      } catch (error) {
        // The transaction rolled back, so the messages are still queued. A serialization failure or
        // a deadlock between replicas is retried at once (after a short random pause, so the two
        // sides do not collide again); the database being away (a restart, a full disk) is waited
        // out with a backoff.
        if (failureKind(error) === 'conflict') {
          this.logger.debug({ err: error }, 'executor: transaction conflict, retrying');
          await new Promise((r) => setTimeout(r, 5 + Math.random() * 45));
          continue;
        }
        await this.wakeup.wait(outage.failed(error));
      }
    }
  }

  /** One claim. When the batch fails for a reason of its own (not a database that is away), one of
   * its executions is the cause and the others must not wait for it: each is processed again
   * alone, and the one that fails alone has its failure counted. */
  private async step(): Promise<ClaimOutcome> {
    const batch: string[] = [];
    try {
      return await this.backend.processNext((tx, messages, execution) => {
        if (execution) batch.push(execution.id);
        return this.handle(tx, messages, execution);
      });
    } catch (error) {
      if (failureKind(error) !== 'refused' || batch.length === 0) throw error;
      if (batch.length > 1) {
        this.logger.warn(
          { err: error, batch },
          'executor: a batch failed, processing its executions one by one',
        );
      }
      for (const id of batch) await this.processAlone(id);
      return { processed: true, more: true };
    }
  }

  private async processAlone(executionId: string): Promise<void> {
    try {
      await this.backend.processNext(
        (tx, messages, execution) => this.handle(tx, messages, execution),
        executionId,
      );
    } catch (error) {
      if (failureKind(error) !== 'refused') throw error;
      const reason = errorMessage(error);
      this.logger.error({ err: error, executionId }, 'executor: processing an execution failed');
      const failures = await this.backend.recordFailure(
        executionId,
        `the executor could not process this execution, and tries again later (at most ${MAX_PROCESSING_FAILURES} times): ${reason}`,
        this.options.failureBackoff ?? PROCESSING_BACKOFF,
      );
      if (failures >= MAX_PROCESSING_FAILURES) {
        await this.backend.failUnprocessable(
          executionId,
          `the executor could not process this execution (${failures} tries): ${reason}`,
        );
      }
    }
  }

  private async handle(
    tx: ExecutorTx,
    messages: ExecutorMessage[],
    execution: Execution | undefined,
  ): Promise<void> {
    if (!execution) return;
    let processor: ExecutionProcessor | undefined;
    try {
      const flow = await tx.getFlow(execution.namespace, execution.flowId, execution.flowRevision);
      if (!flow) {
        failedDocument(
          execution,
          `flow ${execution.namespace}.${execution.flowId} revision ${execution.flowRevision} not found`,
          new Date(),
        );
      } else {
        processor = new ExecutionProcessor(
          flow,
          execution,
          tx,
          undefined,
          await renderOptions(tx, flow),
          this.options.inputSeal,
          this.options.storage,
        );
        for (const m of messages) await processor.apply(m);
        await processor.advance();
      }
    } catch (error) {
      if (isDatabaseError(error)) throw error;
      // An error while deciding what comes next (a bug, a secret that cannot be decrypted) would
      // be the same on every try: the execution fails at once, with the reason.
      this.logger.error({ err: error, executionId: execution.id }, 'executor: execution failed unexpectedly');
      await failNow(processor, execution, `internal error: ${errorMessage(error)}`);
    }
    await tx.saveExecution(execution);
  }
}

/** Through the processor when there is one (running task runs stop, the parent hears of it), else
 * (or when that throws too) by closing the document as it is. */
async function failNow(
  processor: ExecutionProcessor | undefined,
  execution: Execution,
  reason: string,
): Promise<void> {
  if (processor) {
    try {
      await processor.failWith(reason);
      return;
    } catch (error) {
      if (isDatabaseError(error)) throw error;
    }
  }
  failedDocument(execution, reason, new Date());
}

/** Secrets are read only for flows that use secret(), so most steps cost no extra query. */
async function renderOptions(tx: ExecutorTx, flow: Flow): Promise<RenderOptions> {
  if (!flow.source.includes('secret(')) return {};
  const secrets = await tx.secretsFor(flow.namespace);
  return { secret: (name) => secrets.get(name) };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
