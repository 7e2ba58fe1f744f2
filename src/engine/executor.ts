import type { RenderOptions } from '../expression/index.js';
import type { Flow } from '../flow/model.js';
import type { InputSeal } from '../secrets/sealed-inputs.js';
import type { Execution } from './execution.js';
import type { ExecutorMessage } from './messages.js';
import type { ExecutorBackend, ExecutorTx, QueueSignals } from './ports.js';
import { ExecutionProcessor } from './processor.js';
import { type ServiceLogger, silentLogger } from './service-logger.js';
import { transition } from './state.js';
import { Outage } from './outage.js';
import { Wakeup } from './wakeup.js';

export interface ExecutorOptions {
  /** loops claiming messages at once; different executions proceed in parallel */
  concurrency?: number;
  /** longest sleep between polls when no NOTIFY arrives */
  pollMs?: number;
  logger?: ServiceLogger;
  /** opens the SECRET inputs for the templates the executor renders, seals those of subflows */
  inputSeal?: InputSeal;
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
        const outcome = await this.backend.processNext((tx, messages, execution) =>
          this.handle(tx, messages, execution),
        );
        outage.ok();
        // without more available, a message that arrives meanwhile comes with a NOTIFY
        if (outcome.processed && outcome.more) continue;
        const due = outcome.nextDueMs;
        await this.wakeup.wait(due === undefined ? pollMs : Math.min(pollMs, Math.max(1, due)));
      } catch (error) {
        // The transaction rolled back, so the messages are still queued. A serialization failure or
        // a deadlock between replicas is retried at once (after a short random pause, so the two
        // sides do not collide again); anything else backs off, which is also how a database
        // restart is ridden out.
        if (isRetryableConflict(error)) {
          this.logger.debug({ err: error }, 'executor: transaction conflict, retrying');
          await new Promise((r) => setTimeout(r, 5 + Math.random() * 45));
          continue;
        }
        await this.wakeup.wait(outage.failed(error));
      }
    }
  }

  private async handle(
    tx: ExecutorTx,
    messages: ExecutorMessage[],
    execution: Execution | undefined,
  ): Promise<void> {
    if (!execution) return;
    const flow = await tx.getFlow(execution.namespace, execution.flowId, execution.flowRevision);
    if (!flow) {
      failExecution(
        execution,
        `flow ${execution.namespace}.${execution.flowId} revision ${execution.flowRevision} not found`,
      );
    } else {
      const processor = new ExecutionProcessor(
        flow,
        execution,
        tx,
        undefined,
        await renderOptions(tx, flow),
        this.options.inputSeal,
      );
      try {
        for (const m of messages) await processor.apply(m);
        await processor.advance();
      } catch (error) {
        if (isDatabaseError(error)) throw error;
        // A bug or an impossible document must not loop forever: the execution fails with the reason.
        this.logger.error(
          { err: error, executionId: execution.id },
          'executor: execution failed unexpectedly',
        );
        failExecution(execution, `internal error: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    await tx.saveExecution(execution);
  }
}

/** Secrets are read only for flows that use secret(), so most steps cost no extra query. */
async function renderOptions(tx: ExecutorTx, flow: Flow): Promise<RenderOptions> {
  if (!flow.source.includes('secret(')) return {};
  const secrets = await tx.secretsFor(flow.namespace);
  return { secret: (name) => secrets.get(name) };
}

function failExecution(execution: Execution, reason: string): void {
  execution.error = reason;
  transition(execution.state, 'FAILED');
}

/** SQLSTATE 40001 (serialization failure) and 40P01 (deadlock detected). */
export function isRetryableConflict(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '40001' || code === '40P01';
}

/** Errors from the database (SQLSTATE codes, broken connections) abort the transaction and must
 * be retried; anything else is a processing error. */
function isDatabaseError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' || /connection|terminat|ECONNREFUSED|ECONNRESET/i.test(error.message);
}
