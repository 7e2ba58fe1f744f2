import { useEffect, useState } from 'react';
import { api, ApiError, query } from '../api';
import { ConnectionOptions, type Options } from '../components/ConnectionOptions';
import { ErrorNote } from '../components/ErrorNote';
import { JobsTable } from '../components/JobsTable';
import { Link } from '../components/Link';
import { ScheduleText } from '../components/ScheduleField';
import { SectionNav } from '../components/SectionNav';
import { StreamPicker, streamsOrAll, streamsProblem } from '../components/StreamPicker';
import { SchemaChangeNote, StreamJobs } from '../components/StreamJobs';
import { Tabs } from '../components/Tabs';
import { Timeline } from '../components/Timeline';
import { NotificationSettingsForm } from '../components/NotificationSettingsForm';
import { useLoad } from '../hooks';
import { getActor, useCatalog, useDestinationModes } from '../resources';
import { navigate } from '../router';
import type { Actor, Connection, DataPage, Job, StreamSetting } from '../types';

type Tab = 'jobs' | 'timeline' | 'streams' | 'settings';

/** The events a connection's own notification settings can route (over the installation's). */
export const CONNECTION_EVENTS = [
  'sendOnFailure',
  'sendOnSuccess',
  'sendOnConnectionUpdate',
  'sendOnConnectionUpdateActionRequired',
  'sendOnSyncDisabled',
];

const connectionPath = (id: string) => `/api/v1/connections/${encodeURIComponent(id)}`;

function StreamsTab({
  connection,
  destination,
  onSaved,
  onStarted,
}: {
  connection: Connection;
  destination: Actor | undefined;
  onSaved: () => void;
  onStarted: () => void;
}) {
  const catalog = useCatalog(connection.sourceId);
  const destinationModes = useDestinationModes(destination);
  const [streams, setStreams] = useState<StreamSetting[]>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  const [review, setReview] = useState<string>();

  /** Airbyte's "Refresh source schema": discover now, compare, apply as the connection says. */
  const refreshSchema = async () => {
    setError(undefined);
    setReview(undefined);
    try {
      const result = await api<{ schemaChange: string; appliedChanges?: string[] }>(
        '/api/v1/sources/discover_schema',
        { json: { sourceId: connection.sourceId, connectionId: connection.connectionId } },
      );
      setReview(
        result.schemaChange === 'no_change'
          ? 'No schema change.'
          : result.appliedChanges?.length
            ? `Applied: ${result.appliedChanges.join('; ')}`
            : `Schema change found (${result.schemaChange.replace('_', '-')}).`,
      );
      catalog.refresh();
      onSaved();
    } catch (e) {
      setError(e as Error);
    }
  };

  useEffect(() => {
    if (catalog.data) setStreams(streamsOrAll(connection.configurations.streams, catalog.data.catalog));
  }, [catalog.data, connection]);

  const problem = catalog.data && streams ? streamsProblem(catalog.data.catalog, streams) : undefined;
  const unchanged =
    catalog.data !== undefined &&
    JSON.stringify(streams) ===
      JSON.stringify(streamsOrAll(connection.configurations.streams, catalog.data.catalog));
  const save = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await api(connectionPath(connection.connectionId), {
        method: 'PATCH',
        json: { configurations: { streams } },
      });
      onSaved();
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section>
      <div className="section-header">
        <span className="muted small">
          {catalog.data?.discoveredAt && `Discovered ${new Date(catalog.data.discoveredAt).toLocaleString()}`}
        </span>
        <div className="actions">
          <button onClick={refreshSchema} disabled={catalog.loading}>
            Refresh source schema
          </button>
          <button
            className="primary"
            onClick={save}
            disabled={busy || !streams || unchanged || problem !== undefined}
          >
            {busy ? 'Saving…' : 'Save streams'}
          </button>
        </div>
      </div>
      <ErrorNote error={catalog.error ?? error} />
      {problem && <p className="error-text">{problem}</p>}
      {review && (
        <p className="muted" role="status">
          {review}
        </p>
      )}
      {catalog.loading && <p className="muted">Discovering the source’s streams…</p>}
      {catalog.data && streams && !catalog.loading && (
        <StreamPicker
          catalog={catalog.data.catalog}
          value={streams}
          onChange={setStreams}
          destinationModes={destinationModes}
        />
      )}
      {streams && <StreamJobs connection={connection} streams={streams} onStarted={onStarted} />}
    </section>
  );
}

function StateView({ connectionId }: { connectionId: string }) {
  const state = useLoad(connectionId, (signal) =>
    api<{ stateType: string; state: unknown }>(`${connectionPath(connectionId)}/state`, { signal }),
  );
  const [error, setError] = useState<Error>();
  const reset = async () => {
    if (!confirm('Forget the state of every stream? The next sync reads everything again.')) return;
    try {
      await api(`${connectionPath(connectionId)}/state/reset`, { json: {} });
      state.reload();
    } catch (e) {
      setError(e as Error);
    }
  };
  return (
    <section className="panel">
      <div className="section-header">
        <h2>State</h2>
        <button onClick={reset} disabled={state.data?.stateType === 'not_set'}>
          Reset state
        </button>
      </div>
      <ErrorNote error={state.error ?? error} />
      {state.data &&
        (state.data.stateType === 'not_set' ? (
          <p className="muted">None yet: the next sync starts from the beginning.</p>
        ) : (
          <>
            <p className="muted small">
              The {state.data.stateType} state the next sync starts from, as the destination acknowledged it.
            </p>
            <pre className="state-json">{JSON.stringify(state.data.state, null, 2)}</pre>
          </>
        ))}
    </section>
  );
}

function SettingsTab({ connection, onSaved }: { connection: Connection; onSaved: () => void }) {
  const [options, setOptions] = useState<Options>(connection);
  const [behavior, setBehavior] = useState(connection.nonBreakingSchemaUpdatesBehavior ?? 'ignore');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();

  const save = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const { name, schedule, namespaceDefinition, namespaceFormat, prefix, status } = options;
      await api(connectionPath(connection.connectionId), {
        method: 'PATCH',
        json: {
          name,
          schedule,
          namespaceDefinition,
          namespaceFormat,
          prefix,
          status,
          nonBreakingSchemaUpdatesBehavior: behavior,
        },
      });
      onSaved();
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };
  const remove = async () => {
    if (!confirm(`Delete the connection ${connection.name}? Its past jobs stay.`)) return;
    try {
      await api(connectionPath(connection.connectionId), { method: 'DELETE' });
      navigate('/connections');
    } catch (e) {
      setError(e as Error);
    }
  };

  return (
    <>
      <section className="panel">
        <ConnectionOptions value={options} onChange={setOptions} />
        <div className="field">
          <label htmlFor="schema-updates">
            When the source’s schema changes without breaking the connection
          </label>
          <select
            id="schema-updates"
            value={behavior}
            onChange={(e) => setBehavior(e.target.value as typeof behavior)}
          >
            <option value="ignore">Ignore: review the changes yourself</option>
            <option value="disable_connection">Pause the connection</option>
            <option value="propagate_columns">Propagate column changes only</option>
            <option value="propagate_fully">Propagate all changes (streams and columns)</option>
          </select>
        </div>
        <ErrorNote error={error} />
        <div className="form-actions">
          <button className="danger" onClick={remove}>
            Delete connection
          </button>
          <button className="primary" onClick={save} disabled={busy}>
            {busy ? 'Saving…' : 'Save settings'}
          </button>
        </div>
      </section>
      <NotificationSettingsForm
        path={`${connectionPath(connection.connectionId)}/notifications`}
        events={CONNECTION_EVENTS}
        schemaToggle
        note="An event left empty here is notified where the installation's notification settings send it."
      />
      <StateView connectionId={connection.connectionId} />
    </>
  );
}

/** One connection: "Sync now", its jobs with their logs, the streams it syncs, its settings. */
export function ConnectionPage({ id }: { id: string }) {
  const connection = useLoad(id, (signal) => api<Connection>(connectionPath(id), { signal }));
  const c = connection.data;
  const source = useLoad(`source/${c?.sourceId}`, (signal) =>
    c ? getActor('source', c.sourceId, signal) : Promise.resolve(undefined),
  );
  const destination = useLoad(`destination/${c?.destinationId}`, (signal) =>
    c ? getActor('destination', c.destinationId, signal) : Promise.resolve(undefined),
  );
  const [tab, setTab] = useState<Tab>('jobs');
  const [started, setStarted] = useState(0);
  const [syncError, setSyncError] = useState<Error>();

  // the newest job: while it runs, "Sync now" waits and "Cancel sync" stops it
  const latest = useLoad(
    `${id}|${started}`,
    (signal) => api<DataPage<Job>>(`/api/v1/jobs${query({ connectionId: id, limit: 1 })}`, { signal }),
    2000,
  );
  const running = latest.data?.data.find((j) => j.status === 'pending' || j.status === 'running');
  const [asking, setAsking] = useState(false);

  const syncNow = async () => {
    setSyncError(undefined);
    setAsking(true);
    try {
      await api('/api/v1/jobs', { json: { connectionId: id, jobType: 'sync' } });
      setTab('jobs');
    } catch (e) {
      setSyncError(
        e instanceof ApiError && e.status === 409
          ? new Error('A job of this connection is already running: wait for its end, or cancel it.')
          : (e as Error),
      );
    } finally {
      setStarted((n) => n + 1);
      setAsking(false);
    }
  };

  const cancel = async (jobId: string) => {
    setSyncError(undefined);
    try {
      await api(`/api/v1/jobs/${jobId}`, { method: 'DELETE' });
    } catch (e) {
      // a job that ended meanwhile has nothing left to cancel
      if (!(e instanceof ApiError && e.status === 409)) setSyncError(e as Error);
    } finally {
      setStarted((n) => n + 1);
    }
  };

  if (connection.error instanceof ApiError && connection.error.status === 404) {
    return (
      <div className="page">
        <SectionNav />
        <ErrorNote error={connection.error} />
      </div>
    );
  }

  return (
    <div className="page">
      <SectionNav />
      <div className="page-header">
        <div>
          <h1>{c?.name ?? '…'}</h1>
          {c && (
            <div className="muted">
              <Link href={`/sources/${c.sourceId}`}>{source.data?.name ?? 'source'}</Link> →{' '}
              <Link href={`/destinations/${c.destinationId}`}>{destination.data?.name ?? 'destination'}</Link>{' '}
              · <ScheduleText schedule={c.schedule} />
              {c.status !== 'active' && ' · inactive'}
            </div>
          )}
        </div>
        <div className="actions">
          {running && (
            <button className="danger" onClick={() => void cancel(running.jobId)}>
              Cancel sync
            </button>
          )}
          <button
            className="primary"
            onClick={syncNow}
            disabled={!c || !latest.data || running !== undefined || asking}
            title={running ? 'A job is running: wait for its end, or cancel it' : undefined}
          >
            {running ? 'Syncing…' : 'Sync now'}
          </button>
        </div>
      </div>
      <ErrorNote error={connection.error ?? syncError} />
      {c && <SchemaChangeNote connection={c} />}
      <Tabs<Tab>
        tabs={[
          { id: 'jobs', label: 'Jobs' },
          { id: 'timeline', label: 'Timeline' },
          { id: 'streams', label: 'Streams' },
          { id: 'settings', label: 'Settings' },
        ]}
        current={tab}
        onChange={setTab}
      />
      {tab === 'jobs' && <JobsTable connectionId={id} reloadKey={started} />}
      {tab === 'timeline' && <Timeline connectionId={id} reloadKey={started} />}
      {tab === 'streams' && c && (
        <StreamsTab
          connection={c}
          destination={destination.data}
          onSaved={connection.reload}
          onStarted={() => {
            setStarted((n) => n + 1);
            setTab('jobs');
          }}
        />
      )}
      {tab === 'settings' && c && (
        <SettingsTab key={c.updatedAt} connection={c} onSaved={connection.reload} />
      )}
    </div>
  );
}
