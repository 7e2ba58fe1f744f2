// Notification settings per scope (the installation, a connection, a flow), as the API reads and
// writes them: validated, webhook URLs encrypted at rest, answered masked, a mask sent back keeping
// the stored URL. Also Airbyte's notifications/try: one test message to a channel.
import { getConnection } from '../db/connection-repository.js';
import { getFlow } from '../db/flow-repository.js';
import {
  loadNotificationSettings,
  saveNotificationSettings,
} from '../db/notification-settings-repository.js';
import { deliver } from '../notifications/delivery.js';
import { type Notification, slackBody, webhookBody } from '../notifications/messages.js';
import {
  connectionScope,
  decryptSettings,
  encryptSettings,
  flowScope,
  INSTALLATION_SCOPE,
  keepMaskedUrls,
  maskSettings,
  type NotificationItem,
  scopeSettings,
  type ScopeSettings,
  storedSettings,
  unmaskForTry,
} from '../notifications/settings.js';
import { ResourceError, type ResourceDeps } from './connections.js';

export type Scope =
  | { kind: 'installation' }
  | { kind: 'connection'; id: string }
  | { kind: 'flow'; namespace: string; id: string };

async function scopeKey(deps: ResourceDeps, scope: Scope): Promise<string> {
  if (scope.kind === 'installation') return INSTALLATION_SCOPE;
  if (scope.kind === 'connection') {
    if (!(await getConnection(deps.db, scope.id))) throw new ResourceError(404, `no connection ${scope.id}`);
    return connectionScope(scope.id);
  }
  if (!(await getFlow(deps.db, scope.namespace, scope.id)))
    throw new ResourceError(404, `no flow ${scope.namespace}.${scope.id}`);
  return flowScope(scope.namespace, scope.id);
}

async function clearSettings(deps: ResourceDeps, key: string): Promise<ScopeSettings> {
  const stored = (await loadNotificationSettings(deps.db, [key])).get(key);
  return stored === undefined
    ? { notificationSettings: {} }
    : decryptSettings(storedSettings(stored), deps.cipher);
}

/** The scope's settings, URLs masked; a connection's says notifySchemaChanges (on unless turned off). */
export async function getNotificationSettings(deps: ResourceDeps, scope: Scope): Promise<ScopeSettings> {
  const settings = maskSettings(await clearSettings(deps, await scopeKey(deps, scope)));
  return scope.kind === 'connection' ? { notifySchemaChanges: true, ...settings } : settings;
}

/** Replaces the scope's settings. */
export async function putNotificationSettings(
  deps: ResourceDeps,
  scope: Scope,
  body: unknown,
): Promise<ScopeSettings> {
  const key = await scopeKey(deps, scope);
  const parsed = scopeSettings.safeParse(body);
  if (!parsed.success) {
    throw new ResourceError(
      422,
      'invalid notification settings',
      parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    );
  }
  if (scope.kind !== 'connection' && parsed.data.notifySchemaChanges !== undefined)
    throw new ResourceError(422, 'notifySchemaChanges is a setting of a connection');
  let settings: ScopeSettings;
  try {
    settings = keepMaskedUrls(parsed.data, await clearSettings(deps, key));
  } catch (error) {
    throw new ResourceError(422, (error as Error).message);
  }
  await saveNotificationSettings(deps.db, key, encryptSettings(settings, deps.cipher));
  return getNotificationSettings(deps, scope);
}

/** Airbyte's notifications/try: a test message to the item's channels, answered with the outcome. */
export async function tryNotification(
  deps: ResourceDeps,
  item: NotificationItem,
): Promise<{ status: 'succeeded' | 'failed'; message: string }> {
  const stored = await clearSettings(deps, INSTALLATION_SCOPE);
  let channel: NotificationItem;
  try {
    channel = {
      ...item,
      ...(item.slackConfiguration && {
        slackConfiguration: { webhook: unmaskForTry(item.slackConfiguration.webhook, 'slack', stored) },
      }),
      ...(item.webhookConfiguration && {
        webhookConfiguration: { url: unmaskForTry(item.webhookConfiguration.url, 'webhook', stored) },
      }),
    };
  } catch (error) {
    throw new ResourceError(422, (error as Error).message);
  }
  const test: Notification = {
    event: 'test',
    title: 'Sluice test notification',
    message: 'Notifications from this Sluice installation reach this channel.',
    facts: {},
    timestamp: new Date().toISOString(),
  };
  const sends = [
    ...(channel.notificationType.includes('slack') && channel.slackConfiguration
      ? [deliver(channel.slackConfiguration.webhook, slackBody(test), { attempts: 1 })]
      : []),
    ...(channel.notificationType.includes('webhook') && channel.webhookConfiguration
      ? [deliver(channel.webhookConfiguration.url, webhookBody(test), { attempts: 1 })]
      : []),
  ];
  if (sends.length === 0) throw new ResourceError(422, 'no channel with its URL to try');
  const results = await Promise.all(sends);
  const failed = results.find((r) => !r.ok);
  return failed
    ? { status: 'failed', message: failed.error ?? 'not delivered' }
    : { status: 'succeeded', message: `delivered to ${results.length} channel(s)` };
}
