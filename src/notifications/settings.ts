// Where notifications go, in Airbyte's NotificationSettings shape: one item per event, each naming
// the channels it goes to (`slack`: Slack's incoming-webhook JSON; `webhook`: Sluice's plain JSON)
// with their URLs. A webhook URL is a credential (Slack's path is its secret): stored encrypted,
// answered masked, and a masked URL sent back keeps the stored one.
import { z } from 'zod';
import type { SecretCipher } from '../secrets/cipher.js';
import { SECRET_MASK } from '../secrets/connector-secrets.js';

/** Airbyte's names where Airbyte has the event; the flow ones are Sluice's. */
export const NOTIFICATION_EVENTS = [
  'sendOnFailure',
  'sendOnSuccess',
  'sendOnConnectionUpdate',
  'sendOnConnectionUpdateActionRequired',
  'sendOnSyncDisabled',
  'sendOnFlowFailure',
  'sendOnFlowWarning',
] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

const url = z
  .string()
  .max(2048)
  .refine((u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol), {
    message: 'expected an http or https URL',
  });

export const notificationItem = z.strictObject({
  notificationType: z.array(z.enum(['slack', 'webhook'])),
  slackConfiguration: z.strictObject({ webhook: url }).optional(),
  webhookConfiguration: z.strictObject({ url }).optional(),
});
export type NotificationItem = z.infer<typeof notificationItem>;

export const notificationSettings = z.strictObject(
  Object.fromEntries(NOTIFICATION_EVENTS.map((e) => [e, notificationItem.optional()])) as Record<
    NotificationEvent,
    z.ZodOptional<typeof notificationItem>
  >,
);
export type NotificationSettings = z.infer<typeof notificationSettings>;

/** What a scope stores: the installation's and a flow's only `notificationSettings`, a connection's
 * also Airbyte's `notifySchemaChanges`. */
export const scopeSettings = z.strictObject({
  notificationSettings: notificationSettings.default({}),
  notifySchemaChanges: z.boolean().optional(),
});
export type ScopeSettings = z.infer<typeof scopeSettings>;

export const INSTALLATION_SCOPE = 'installation';
export const connectionScope = (id: string) => `connection:${id}`;
export const flowScope = (namespace: string, id: string) => `flow:${namespace}/${id}`;

const CONTEXT = 'notification-webhook';

/** Shows where a URL goes (scheme, host, port) and nothing of its path or query. */
export function maskUrl(clear: string): string {
  return `${new URL(clear).origin}/${SECRET_MASK}`;
}

type Channel = 'slack' | 'webhook';

function mapUrls(
  settings: ScopeSettings,
  fn: (u: string, event: NotificationEvent, channel: Channel) => string,
): ScopeSettings {
  const out: NotificationSettings = {};
  for (const event of NOTIFICATION_EVENTS) {
    const item = settings.notificationSettings[event];
    if (!item) continue;
    out[event] = {
      ...item,
      ...(item.slackConfiguration && {
        slackConfiguration: { webhook: fn(item.slackConfiguration.webhook, event, 'slack') },
      }),
      ...(item.webhookConfiguration && {
        webhookConfiguration: { url: fn(item.webhookConfiguration.url, event, 'webhook') },
      }),
    };
  }
  return { ...settings, notificationSettings: out };
}

const storedUrl = (item: NotificationItem | undefined, channel: Channel) =>
  channel === 'slack' ? item?.slackConfiguration?.webhook : item?.webhookConfiguration?.url;

export function encryptSettings(settings: ScopeSettings, cipher: SecretCipher): ScopeSettings {
  return mapUrls(settings, (u) => cipher.encrypt(u, CONTEXT));
}

/** Settings as the database holds them (written by encryptSettings: the URLs are ciphertexts). */
export function storedSettings(raw: unknown): ScopeSettings {
  const stored = raw as Partial<ScopeSettings>;
  return { ...stored, notificationSettings: stored.notificationSettings ?? {} };
}

export function decryptSettings(stored: ScopeSettings, cipher: SecretCipher): ScopeSettings {
  return mapUrls(stored, (u) => cipher.decrypt(u, CONTEXT));
}

export function maskSettings(clear: ScopeSettings): ScopeSettings {
  return mapUrls(clear, maskUrl);
}

/** An update: a URL sent back as its mask keeps the URL stored for the same event and channel
 * (the mask shows only the origin, so it can stand for nothing else). */
export function keepMaskedUrls(incoming: ScopeSettings, clearStored: ScopeSettings): ScopeSettings {
  return mapUrls(incoming, (u, event, channel) => {
    if (!u.endsWith(`/${SECRET_MASK}`)) return u;
    const kept = storedUrl(clearStored.notificationSettings[event], channel);
    if (kept === undefined || maskUrl(kept) !== u)
      throw new Error(`${event}: the mask ${u} was sent, but no such ${channel} URL is stored for it`);
    return kept;
  });
}

/** A mask sent to try a channel: the one stored URL of that channel it can stand for, in any event. */
export function unmaskForTry(url: string, channel: Channel, clearStored: ScopeSettings): string {
  if (!url.endsWith(`/${SECRET_MASK}`)) return url;
  const candidates = new Set(
    NOTIFICATION_EVENTS.map((e) => storedUrl(clearStored.notificationSettings[e], channel)).filter(
      (s): s is string => s !== undefined && maskUrl(s) === url,
    ),
  );
  if (candidates.size !== 1)
    throw new Error(
      candidates.size === 0
        ? `the mask ${url} was sent, but no such ${channel} URL is stored`
        : `the mask ${url} stands for several stored ${channel} URLs: send the URL itself`,
    );
  return [...candidates][0];
}
