import { useState } from 'react';
import { api } from '../api';
import { useLoad } from '../hooks';
import { ErrorNote } from './ErrorNote';

/** Airbyte's NotificationSettings item: the channels an event goes to, with their URLs. */
interface NotificationItem {
  notificationType: Array<'slack' | 'webhook'>;
  slackConfiguration?: { webhook: string };
  webhookConfiguration?: { url: string };
}

export interface NotificationSettings {
  notificationSettings: Record<string, NotificationItem | undefined>;
  notifySchemaChanges?: boolean;
}

export const EVENT_LABELS: Record<string, string> = {
  sendOnFailure: 'A sync fails',
  sendOnSuccess: 'A sync succeeds',
  sendOnConnectionUpdate: 'The schema changes',
  sendOnConnectionUpdateActionRequired: 'A breaking schema change pauses the connection',
  sendOnSyncDisabled: 'A connection is disabled',
  sendOnFlowFailure: 'A flow execution fails',
  sendOnFlowWarning: 'A flow execution ends in WARNING',
};

type Urls = Record<string, { webhook: string; slack: string }>;

const urlsOf = (settings: NotificationSettings, events: string[]): Urls =>
  Object.fromEntries(
    events.map((e) => {
      const item = settings.notificationSettings[e];
      return [
        e,
        {
          webhook: item?.notificationType.includes('webhook') ? (item.webhookConfiguration?.url ?? '') : '',
          slack: item?.notificationType.includes('slack') ? (item.slackConfiguration?.webhook ?? '') : '',
        },
      ];
    }),
  );

function itemsOf(urls: Urls): Record<string, NotificationItem> {
  const items: Record<string, NotificationItem> = {};
  for (const [event, { webhook, slack }] of Object.entries(urls)) {
    const types = [
      ...(slack.trim() ? (['slack'] as const) : []),
      ...(webhook.trim() ? (['webhook'] as const) : []),
    ];
    if (types.length === 0) continue;
    items[event] = {
      notificationType: types,
      ...(slack.trim() && { slackConfiguration: { webhook: slack.trim() } }),
      ...(webhook.trim() && { webhookConfiguration: { url: webhook.trim() } }),
    };
  }
  return items;
}

/** Where each event is notified: a plain JSON webhook and/or a Slack incoming webhook. Stored URLs
 * come back masked (their path is their secret); left as shown, they are kept. */
export function NotificationSettingsForm({
  path,
  events,
  schemaToggle = false,
  note,
}: {
  path: string;
  events: string[];
  schemaToggle?: boolean;
  note?: string;
}) {
  const loaded = useLoad(path, (signal) => api<NotificationSettings>(path, { signal }));
  // kept here: a save reloads the settings, which starts the editor afresh
  const [saved, setSaved] = useState(false);
  return (
    <section className="panel notification-settings" aria-label="Notifications">
      <h2>Notifications</h2>
      {note && <p className="muted small">{note}</p>}
      <ErrorNote error={loaded.error} />
      {loaded.data && (
        <Editor
          key={JSON.stringify(loaded.data)}
          path={path}
          events={events}
          initial={loaded.data}
          schemaToggle={schemaToggle}
          saved={saved}
          onSaved={(done) => {
            setSaved(done);
            if (done) loaded.reload();
          }}
        />
      )}
    </section>
  );
}

function Editor({
  path,
  events,
  initial,
  schemaToggle,
  saved,
  onSaved,
}: {
  path: string;
  events: string[];
  initial: NotificationSettings;
  schemaToggle: boolean;
  saved: boolean;
  onSaved: (done: boolean) => void;
}) {
  const [urls, setUrls] = useState<Urls>(urlsOf(initial, events));
  const [notifySchemaChanges, setNotifySchemaChanges] = useState(initial.notifySchemaChanges !== false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  const set = (event: string, channel: 'webhook' | 'slack', value: string) =>
    setUrls((u) => ({ ...u, [event]: { ...u[event], [channel]: value } }));

  const save = async () => {
    setBusy(true);
    setError(undefined);
    onSaved(false);
    try {
      // events this form does not show keep what they had
      const kept = Object.fromEntries(
        Object.entries(initial.notificationSettings).filter(([e, item]) => !events.includes(e) && item),
      );
      await api(path, {
        method: 'PUT',
        json: {
          notificationSettings: { ...kept, ...itemsOf(urls) },
          ...(schemaToggle && { notifySchemaChanges }),
        },
      });
      onSaved(true);
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <table className="list compact notification-events">
        <thead>
          <tr>
            <th>When</th>
            <th>Webhook URL (plain JSON)</th>
            <th>Slack webhook URL</th>
          </tr>
        </thead>
        <tbody>
          {events.map((event) => (
            <tr key={event} data-event={event}>
              <td>{EVENT_LABELS[event] ?? event}</td>
              <td>
                <input
                  className="mono"
                  aria-label={`${EVENT_LABELS[event] ?? event}: webhook URL`}
                  placeholder="https://…"
                  value={urls[event].webhook}
                  onChange={(e) => set(event, 'webhook', e.target.value)}
                />
              </td>
              <td>
                <input
                  className="mono"
                  aria-label={`${EVENT_LABELS[event] ?? event}: Slack webhook URL`}
                  placeholder="https://hooks.slack.com/services/…"
                  value={urls[event].slack}
                  onChange={(e) => set(event, 'slack', e.target.value)}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {schemaToggle && (
        <label className="checkbox-line">
          <input
            type="checkbox"
            checked={notifySchemaChanges}
            onChange={(e) => setNotifySchemaChanges(e.target.checked)}
          />{' '}
          Notify schema changes of this connection
        </label>
      )}
      <ErrorNote error={error} />
      <div className="form-actions">
        {saved && (
          <span className="muted small" role="status">
            Saved.
          </span>
        )}
        <button className="primary" onClick={save} disabled={busy}>
          {busy ? 'Saving…' : 'Save notifications'}
        </button>
      </div>
    </>
  );
}
