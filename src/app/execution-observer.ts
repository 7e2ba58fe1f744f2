// Watches executions start and end, outside the engine: a connection's job goes on its timeline
// (stored in the transaction that consumes the notice, so each is recorded once), and the
// notifications it calls for — or, for a flow, those its FAILED or WARNING end calls for — are handed
// to the dispatcher once that transaction has committed. Nothing here can hold up an execution.
import { CONNECTIONS_NAMESPACE } from '../connections/connection.js';
import { notifyConnectionEvent, storeConnectionEvent } from '../connections/timeline.js';
import type { ConnectionEventRow } from '../db/connection-event-repository.js';
import type { Database, Queryable } from '../db/database.js';
import { processObserverNotices } from '../db/observer-store.js';
import type { Execution } from '../engine/execution.js';
import type { ExecutionNotice, QueueSignals } from '../engine/ports.js';
import { Outage } from '../engine/outage.js';
import { type ServiceLogger, silentLogger } from '../engine/service-logger.js';
import { Wakeup } from '../engine/wakeup.js';
import { notifierFor } from '../notifications/dispatcher.js';
import { flowNotification } from '../notifications/flow-notifications.js';
import type { SecretCipher } from '../secrets/cipher.js';
import { connectionJobEvent } from './connection-job-events.js';

export interface ObserverOptions {
  cipher?: SecretCipher;
  logger?: ServiceLogger;
  pollMs?: number;
}

export class ExecutionObserver {
  private running = false;
  private loopDone?: Promise<void>;
  private unsubscribe?: () => Promise<void>;
  private readonly wakeup = new Wakeup();
  private readonly logger: ServiceLogger;

  constructor(
    private readonly db: Database,
    private readonly signals: QueueSignals,
    private readonly options: ObserverOptions = {},
  ) {
    this.logger = options.logger ?? silentLogger;
  }

  async start(): Promise<void> {
    this.running = true;
    this.unsubscribe = await this.signals.subscribe('observer', () => this.wakeup.wake());
    this.loopDone = this.loop();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wakeup.wakeAll();
    await this.loopDone;
    await this.unsubscribe?.();
  }

  private async loop(): Promise<void> {
    const pollMs = this.options.pollMs ?? 1000;
    const outage = new Outage(this.logger, 'observer: claim', pollMs);
    while (this.running) {
      try {
        while (this.running && (await this.processBatch()) > 0);
        outage.ok();
      } catch (error) {
        outage.failed(error);
      }
      if (this.running) await this.wakeup.wait(pollMs);
    }
  }

  /** One batch of notices; what they call for is sent after it commits. */
  async processBatch(): Promise<number> {
    const after: (() => Promise<void>)[] = [];
    const count = await processObserverNotices(this.db, async (tx, notices) => {
      for (const notice of notices) after.push(...(await this.observe(tx, notice)));
    });
    for (const send of after)
      await send().catch((error: unknown) => this.logger.warn({ err: error }, 'observer'));
    return count;
  }

  private async observe(tx: Queryable, notice: ExecutionNotice): Promise<(() => Promise<void>)[]> {
    const { rows } = await tx.query<{ doc: Execution }>('SELECT doc FROM executions WHERE id = $1', [
      notice.executionId,
    ]);
    const execution = rows[0]?.doc;
    if (!execution) return [];
    const deps = { db: this.db, cipher: this.options.cipher, logger: this.logger };
    if (notice.namespace === CONNECTIONS_NAMESPACE) {
      const event = connectionJobEvent(notice, execution);
      const row: ConnectionEventRow | undefined = event && (await storeConnectionEvent(tx, event));
      return row ? [() => notifyConnectionEvent(deps, row)] : [];
    }
    const cipher = this.options.cipher;
    if (notice.event !== 'ended' || !cipher) return [];
    const flow = flowNotification(execution);
    if (!flow) return [];
    return [
      async () =>
        notifierFor({ db: this.db, cipher, logger: this.logger }).notify(
          flow.event,
          flow.scopes,
          flow.notification,
        ),
    ];
  }
}
