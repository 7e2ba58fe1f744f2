import { api } from '../api';
import { formatBytes, formatDate } from '../format';
import { useLoad } from '../hooks';
import { ErrorNote } from './ErrorNote';

interface ConnectionEvent {
  id: string;
  eventType: string;
  createdAt: string;
  summary: Record<string, unknown>;
}

const TITLES: Record<string, string> = {
  STARTED: 'started',
  SUCCEEDED: 'succeeded',
  FAILED: 'failed',
  CANCELLED: 'cancelled',
  INCOMPLETE: 'incomplete',
};

function title(type: string): string {
  const job = /^(SYNC|REFRESH|CLEAR)_(\w+)$/.exec(type);
  if (job) return `${job[1][0]}${job[1].slice(1).toLowerCase()} ${TITLES[job[2]] ?? job[2].toLowerCase()}`;
  return (
    {
      CONNECTION_SETTINGS_UPDATE: 'Settings changed',
      CONNECTION_ENABLED: 'Connection enabled',
      CONNECTION_DISABLED: 'Connection disabled',
      SCHEMA_UPDATE: 'Schema change',
      SCHEMA_CONFIG_UPDATE: 'Streams changed',
      CONNECTOR_UPDATE: 'Connector updated',
    }[type] ?? type
  );
}

const tone = (type: string) =>
  type.endsWith('_FAILED') || type === 'CONNECTION_DISABLED'
    ? 'FAILED'
    : type.endsWith('_SUCCEEDED')
      ? 'SUCCESS'
      : type.endsWith('_STARTED')
        ? 'RUNNING'
        : 'CREATED';

function Detail({ event }: { event: ConnectionEvent }) {
  const s = event.summary;
  const failure = s.failureReason as
    { failureType?: string; failureOrigin?: string; externalMessage?: string } | undefined;
  const patches = s.patches as Record<string, { from: unknown; to: unknown }> | undefined;
  return (
    <>
      {typeof s.recordsLoaded === 'number' && !event.eventType.endsWith('_STARTED') && (
        <span className="muted small">
          {' '}
          · {s.recordsLoaded} rows · {formatBytes(Number(s.bytesLoaded ?? 0))}
          {Number(s.attemptsCount ?? 1) > 1 && ` · ${String(s.attemptsCount)} attempts`}
        </span>
      )}
      {failure && (
        <p className="attempt-failure small" data-failure-type={failure.failureType}>
          <strong>{failure.failureType}</strong> in the {failure.failureOrigin}: {failure.externalMessage}
        </p>
      )}
      {patches && (
        <ul className="small muted patches">
          {Object.entries(patches).map(([field, p]) => (
            <li key={field}>
              {field}: <code>{JSON.stringify(p.from)}</code> → <code>{JSON.stringify(p.to)}</code>
            </li>
          ))}
        </ul>
      )}
      {typeof s.message === 'string' && <p className="small">{s.message}</p>}
    </>
  );
}

/** What happened to a connection, newest first: jobs, settings, schema changes. */
export function Timeline({ connectionId, reloadKey }: { connectionId: string; reloadKey: number }) {
  const events = useLoad(
    `${connectionId}|${reloadKey}`,
    (signal) =>
      api<{ events: ConnectionEvent[] }>('/api/v1/connections/events/list', {
        json: { connectionId, pagination: { pageSize: 100 } },
        signal,
      }),
    3000,
  );
  return (
    <section className="timeline" aria-label="Timeline">
      <ErrorNote error={events.error} />
      <ol className="timeline-events">
        {events.data?.events.map((event) => (
          <li key={event.id} data-event-type={event.eventType}>
            <span className={`badge state-${tone(event.eventType)}`}>{title(event.eventType)}</span>{' '}
            <time className="muted small" dateTime={event.createdAt}>
              {formatDate(event.createdAt)}
            </time>
            <Detail event={event} />
          </li>
        ))}
      </ol>
      {events.data?.events.length === 0 && (
        <p className="empty">Nothing has happened to this connection yet.</p>
      )}
    </section>
  );
}
