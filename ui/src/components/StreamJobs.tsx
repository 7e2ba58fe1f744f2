import { useState } from 'react';
import { api } from '../api';
import { useLoad } from '../hooks';
import type { Connection } from '../types';
import { ConfirmDialog } from './ConfirmDialog';
import { ErrorNote } from './ErrorNote';

interface Stream {
  name: string;
  namespace?: string;
}

interface Generation {
  streamName: string;
  streamNamespace?: string;
  generationId: number;
}

type Asked = { kind: 'refresh'; streams: Stream[] } | { kind: 'clear'; streams: Stream[] };

const label = (s: Stream) => (s.namespace ? `${s.namespace}.${s.name}` : s.name);
const connectionStreams = (streams: Stream[]) =>
  streams.map((s) => ({ streamName: s.name, ...(s.namespace && { streamNamespace: s.namespace }) }));

/** Airbyte's refresh and clear of a connection, for one stream or all, each asked for in a dialog:
 * a refresh reads the streams again from the start (removing or retaining what the destination
 * has), a clear empties them. Each stream shows its generation. */
export function StreamJobs({
  connection,
  streams,
  onStarted,
}: {
  connection: Connection;
  streams: Stream[];
  onStarted: () => void;
}) {
  const id = connection.connectionId;
  const state = useLoad(`${id}/${connection.updatedAt}`, (signal) =>
    api<{ generations?: Generation[] }>(`/api/v1/connections/${encodeURIComponent(id)}/state`, { signal }),
  );
  const [asked, setAsked] = useState<Asked>();
  const [mode, setMode] = useState<'truncate' | 'merge'>('truncate');
  const generationOf = (s: Stream) =>
    state.data?.generations?.find(
      (g) => g.streamName === s.name && (s.namespace === undefined || g.streamNamespace === s.namespace),
    )?.generationId ?? 0;
  const all = asked !== undefined && asked.streams.length === streams.length;

  const start = async () => {
    if (!asked) return;
    if (asked.kind === 'refresh') {
      await api('/api/v1/connections/refresh', {
        json: {
          connectionId: id,
          refreshMode: mode,
          ...(!all && { streams: connectionStreams(asked.streams) }),
        },
      });
    } else {
      await api('/api/v1/connections/clear/stream', {
        json: { connectionId: id, streams: connectionStreams(asked.streams) },
      });
    }
    state.reload();
    onStarted();
  };

  return (
    <section className="panel stream-jobs">
      <div className="section-header">
        <h2>Refresh and clear</h2>
        <div className="actions">
          <button onClick={() => setAsked({ kind: 'refresh', streams })} disabled={streams.length === 0}>
            Refresh all streams
          </button>
          <button
            className="danger"
            onClick={() => setAsked({ kind: 'clear', streams })}
            disabled={streams.length === 0}
          >
            Clear all data
          </button>
        </div>
      </div>
      <ErrorNote error={state.error} />
      <table className="table">
        <thead>
          <tr>
            <th>Stream</th>
            <th title="grows by one at each full refresh, refresh or clear">Generation</th>
            <th aria-label="actions" />
          </tr>
        </thead>
        <tbody>
          {streams.map((s) => (
            <tr key={label(s)} data-stream={s.name}>
              <td>{label(s)}</td>
              <td>{generationOf(s)}</td>
              <td>
                <details className="row-menu">
                  <summary aria-label={`actions for ${label(s)}`}>⋯</summary>
                  <div className="menu">
                    <button onClick={() => setAsked({ kind: 'refresh', streams: [s] })}>
                      Refresh stream
                    </button>
                    <button className="danger" onClick={() => setAsked({ kind: 'clear', streams: [s] })}>
                      Clear data
                    </button>
                  </div>
                </details>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {asked?.kind === 'refresh' && (
        <ConfirmDialog
          title={all ? 'Refresh all streams?' : `Refresh ${label(asked.streams[0])}?`}
          confirmLabel="Start refresh"
          onConfirm={start}
          onClose={() => setAsked(undefined)}
        >
          <p>Reads {all ? 'every stream' : 'the stream'} again from the start, whatever its state.</p>
          <fieldset className="choices">
            <label>
              <input
                type="radio"
                name="refresh-mode"
                checked={mode === 'truncate'}
                onChange={() => setMode('truncate')}
              />{' '}
              Refresh and remove records: the destination keeps only the new copy
            </label>
            <label>
              <input
                type="radio"
                name="refresh-mode"
                checked={mode === 'merge'}
                onChange={() => setMode('merge')}
              />{' '}
              Refresh and retain records: what the destination has stays
            </label>
          </fieldset>
        </ConfirmDialog>
      )}
      {asked?.kind === 'clear' && (
        <ConfirmDialog
          title={all ? 'Clear all data?' : `Clear the data of ${label(asked.streams[0])}?`}
          confirmLabel="Clear data"
          danger
          onConfirm={start}
          onClose={() => setAsked(undefined)}
        >
          <p>
            {all ? 'Every stream’s table is' : 'Its table is'} emptied in the destination and its state
            forgotten: the next sync reads it from the start.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}

/** Why a connection needs its user: a schema change that paused it, or one that waits for review. */
export function SchemaChangeNote({ connection }: { connection: Connection }) {
  if (connection.breakingChange) {
    return (
      <p className="error-text" role="alert">
        Paused by a breaking schema change: {connection.statusReason}. Change its streams to go on.
      </p>
    );
  }
  if (connection.status !== 'active' && connection.statusReason) {
    return <p className="error-text">Paused: {connection.statusReason}</p>;
  }
  if (connection.schemaChange === 'non_breaking') {
    return (
      <p className="muted" role="status">
        The source’s schema changed; the connection ignores it until its streams are reviewed.
      </p>
    );
  }
  return null;
}
