// A connection's timeline: what happened to it, stored as events under Airbyte's connection event
// names, and the notifications some of them set off. The one entry point for every part of Sluice
// that changes a connection (settings, schema changes, refreshes) is recordConnectionEvent.
import { randomUUID } from 'node:crypto';
import { getConnection } from '../db/connection-repository.js';
import { type ConnectionEventRow, insertConnectionEvent } from '../db/connection-event-repository.js';
import type { Database, Queryable } from '../db/database.js';
import { loadNotificationSettings } from '../db/notification-settings-repository.js';
import type { ServiceLogger } from '../engine/service-logger.js';
import { notifierFor } from '../notifications/dispatcher.js';
import type { Notification } from '../notifications/messages.js';
import { connectionScope, type NotificationEvent, type ScopeSettings } from '../notifications/settings.js';
import type { SecretCipher } from '../secrets/cipher.js';

/** Airbyte's ConnectionEventType names. */
export const CONNECTION_EVENT_TYPES = [
  'SYNC_STARTED',
  'SYNC_SUCCEEDED',
  'SYNC_INCOMPLETE',
  'SYNC_FAILED',
  'SYNC_CANCELLED',
  'REFRESH_STARTED',
  'REFRESH_SUCCEEDED',
  'REFRESH_INCOMPLETE',
  'REFRESH_FAILED',
  'REFRESH_CANCELLED',
  'CLEAR_STARTED',
  'CLEAR_SUCCEEDED',
  'CLEAR_INCOMPLETE',
  'CLEAR_FAILED',
  'CLEAR_CANCELLED',
  'CONNECTION_SETTINGS_UPDATE',
  'CONNECTION_ENABLED',
  'CONNECTION_DISABLED',
  'SCHEMA_UPDATE',
  'SCHEMA_CONFIG_UPDATE',
  'CONNECTOR_UPDATE',
  'UNKNOWN',
] as const;
export type ConnectionEventType = (typeof CONNECTION_EVENT_TYPES)[number];

export interface ConnectionEventInput {
  connectionId: string;
  eventType: ConnectionEventType;
  summary?: Record<string, unknown>;
  /** the job the event is about: one event of each type per job */
  jobId?: string;
  /** when it happened, if not now (a job's start) */
  createdAt?: string;
}

export interface TimelineDeps {
  db: Database;
  /** without it, events are stored but no notification goes out (webhook URLs are encrypted) */
  cipher?: SecretCipher;
  logger?: ServiceLogger;
}

/** Stores the event in the caller's transaction; undefined when that job's event was stored before. */
export function storeConnectionEvent(
  q: Queryable,
  e: ConnectionEventInput,
): Promise<ConnectionEventRow | undefined> {
  return insertConnectionEvent(q, {
    id: randomUUID(),
    connectionId: e.connectionId,
    eventType: e.eventType,
    jobId: e.jobId ?? null,
    summary: e.summary ?? {},
    createdAt: e.createdAt,
  });
}

/** Stores the event and sends the notifications it calls for. Never fails because of a notification. */
export async function recordConnectionEvent(
  deps: TimelineDeps,
  e: ConnectionEventInput,
): Promise<ConnectionEventRow | undefined> {
  const row = await storeConnectionEvent(deps.db, e);
  if (row) await notifyConnectionEvent(deps, row);
  return row;
}

/** Which notification an event sets off, if any. A schema change notifies only connections that
 * ask for it (Airbyte's notifySchemaChanges, on unless turned off); a breaking one needs action. */
function notificationEventOf(
  row: ConnectionEventRow,
  settings: ScopeSettings | undefined,
): NotificationEvent | undefined {
  const type = row.eventType;
  if (type.endsWith('_FAILED')) return 'sendOnFailure';
  if (type.endsWith('_SUCCEEDED')) return 'sendOnSuccess';
  if (type === 'CONNECTION_DISABLED') return 'sendOnSyncDisabled';
  if (type === 'SCHEMA_UPDATE') {
    if (settings?.notifySchemaChanges === false) return undefined;
    return row.summary.breaking === true ? 'sendOnConnectionUpdateActionRequired' : 'sendOnConnectionUpdate';
  }
  return undefined;
}

const TITLES: Partial<Record<string, string>> = {
  SYNC_FAILED: 'Sync failed',
  SYNC_SUCCEEDED: 'Sync succeeded',
  REFRESH_FAILED: 'Refresh failed',
  REFRESH_SUCCEEDED: 'Refresh succeeded',
  CLEAR_FAILED: 'Clear failed',
  CLEAR_SUCCEEDED: 'Clear succeeded',
  CONNECTION_DISABLED: 'Connection disabled',
  SCHEMA_UPDATE: 'Schema changed',
};

export async function notifyConnectionEvent(deps: TimelineDeps, row: ConnectionEventRow): Promise<void> {
  if (!deps.cipher) return;
  try {
    const scope = connectionScope(row.connectionId);
    const stored = (await loadNotificationSettings(deps.db, [scope])).get(scope) as ScopeSettings | undefined;
    const event = notificationEventOf(row, stored);
    if (!event) return;
    const connection = await getConnection(deps.db, row.connectionId);
    const name = connection?.name ?? row.connectionId;
    const s = row.summary as Record<string, unknown>;
    const failure = (s.failureReason as { externalMessage?: string } | undefined)?.externalMessage;
    const notification: Notification = {
      event,
      title: `${TITLES[row.eventType] ?? row.eventType}: ${name}`,
      message: failure ?? (typeof s.message === 'string' ? s.message : undefined),
      facts: {
        eventType: row.eventType,
        ...(typeof s.jobId === 'string' && { jobId: s.jobId }),
        ...(typeof s.recordsLoaded === 'number' && { recordsLoaded: s.recordsLoaded }),
        ...(typeof s.attemptsCount === 'number' && { attemptsCount: s.attemptsCount }),
        ...(typeof s.failureType === 'string' && { failureType: s.failureType }),
      },
      connection: { id: row.connectionId, name },
      timestamp: row.createdAt,
    };
    notifierFor({ db: deps.db, cipher: deps.cipher, logger: deps.logger }).notify(
      event,
      [scope],
      notification,
    );
  } catch (error) {
    deps.logger?.warn({ err: error }, 'notifications: the connection event could not be notified');
  }
}
