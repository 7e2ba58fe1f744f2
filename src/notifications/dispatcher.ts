// Sends notifications in the background: the caller hands one over and goes on at once. At most a
// few deliveries run together and a bounded number wait; beyond that the oldest waiting one is dropped
// (and logged), so that a receiver that hangs can never make the process hold unbounded work.
import type { Database } from '../db/database.js';
import { loadNotificationSettings } from '../db/notification-settings-repository.js';
import { type ServiceLogger, silentLogger } from '../engine/service-logger.js';
import type { SecretCipher } from '../secrets/cipher.js';
import { deliver, type DeliveryOptions, type DeliveryResult } from './delivery.js';
import { type Notification, slackBody, webhookBody } from './messages.js';
import {
  decryptSettings,
  INSTALLATION_SCOPE,
  type NotificationEvent,
  type NotificationItem,
  storedSettings,
} from './settings.js';

export interface NotifierDeps {
  db: Database;
  cipher: SecretCipher;
  logger?: ServiceLogger;
  delivery?: DeliveryOptions;
}

const CONCURRENCY = 4;
const MAX_WAITING = 1000;

interface Job {
  url: string;
  body: unknown;
  label: string;
}

export class NotificationDispatcher {
  private readonly waiting: Job[] = [];
  private running = 0;
  private routing = 0;
  private idle: (() => void)[] = [];
  private readonly logger: ServiceLogger;

  constructor(private readonly deps: NotifierDeps) {
    this.logger = deps.logger ?? silentLogger;
  }

  /** Sends the notification of `event` where the scopes route it: the first scope (most specific)
   * that has an item for the event decides, the installation's comes last. Never throws. */
  notify(event: NotificationEvent, scopes: string[], notification: Notification): void {
    this.routing++;
    void this.route(event, scopes, notification)
      .catch((error: unknown) =>
        this.logger.warn({ err: error, event }, 'notifications: the settings could not be read'),
      )
      .finally(() => {
        this.routing--;
        this.settle();
      });
  }

  private settle(): void {
    if (this.routing === 0 && this.running === 0 && this.waiting.length === 0)
      for (const resolve of this.idle.splice(0)) resolve();
  }

  private async route(event: NotificationEvent, scopes: string[], notification: Notification): Promise<void> {
    const item = await this.itemFor(event, [...scopes, INSTALLATION_SCOPE]);
    if (!item) return;
    if (item.notificationType.includes('slack') && item.slackConfiguration) {
      this.enqueue({
        url: item.slackConfiguration.webhook,
        body: slackBody(notification),
        label: `${event} slack`,
      });
    }
    if (item.notificationType.includes('webhook') && item.webhookConfiguration) {
      this.enqueue({
        url: item.webhookConfiguration.url,
        body: webhookBody(notification),
        label: `${event} webhook`,
      });
    }
  }

  private async itemFor(event: NotificationEvent, scopes: string[]): Promise<NotificationItem | undefined> {
    const stored = await loadNotificationSettings(this.deps.db, scopes);
    for (const scope of scopes) {
      const raw = stored.get(scope);
      if (raw === undefined) continue;
      const item = storedSettings(raw).notificationSettings[event];
      if (item)
        return decryptSettings({ notificationSettings: { [event]: item } }, this.deps.cipher)
          .notificationSettings[event];
    }
    return undefined;
  }

  private enqueue(job: Job): void {
    if (this.waiting.length >= MAX_WAITING) {
      const dropped = this.waiting.shift()!;
      this.logger.warn(
        { notification: dropped.label },
        'notifications: too many waiting, the oldest dropped',
      );
    }
    this.waiting.push(job);
    this.pump();
  }

  private pump(): void {
    while (this.running < CONCURRENCY && this.waiting.length > 0) {
      const job = this.waiting.shift()!;
      this.running++;
      void deliver(job.url, job.body, this.deps.delivery)
        .then((result) => this.report(job, result))
        .finally(() => {
          this.running--;
          this.pump();
          this.settle();
        });
    }
  }

  private report(job: Job, result: DeliveryResult): void {
    // the URL is a credential: only its label and the outcome are logged
    if (result.ok)
      this.logger.debug({ notification: job.label, attempts: result.attempts }, 'notification sent');
    else
      this.logger.warn(
        { notification: job.label, attempts: result.attempts, error: result.error },
        'notifications: not delivered, given up',
      );
  }

  /** Resolves once nothing is being sent or waiting (tests, shutdown). */
  drained(): Promise<void> {
    if (this.routing === 0 && this.running === 0 && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }
}

const dispatchers = new WeakMap<Database, NotificationDispatcher>();

/** The process's dispatcher for a database: every part of the process that notifies shares its
 * limits. The first caller's options (logger, delivery) are the ones it keeps. */
export function notifierFor(deps: NotifierDeps): NotificationDispatcher {
  let dispatcher = dispatchers.get(deps.db);
  if (!dispatcher) {
    dispatcher = new NotificationDispatcher(deps);
    dispatchers.set(deps.db, dispatcher);
  }
  return dispatcher;
}
