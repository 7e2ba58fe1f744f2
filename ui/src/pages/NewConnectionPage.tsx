import { useEffect, useState } from 'react';
import { api } from '../api';
import { ConnectionOptions, type Options } from '../components/ConnectionOptions';
import { ErrorNote } from '../components/ErrorNote';
import { Link } from '../components/Link';
import { SectionNav } from '../components/SectionNav';
import { allStreams, fitModes, StreamPicker, streamsProblem } from '../components/StreamPicker';
import { useLoad } from '../hooks';
import { listActors, useCatalog, useDestinationModes } from '../resources';
import { navigate, setParams, useLocation } from '../router';
import type { Connection, StreamSetting } from '../types';

/** A new connection: a source and a destination, the streams to sync (after a discover), a schedule. */
export function NewConnectionPage() {
  const { params } = useLocation();
  const sourceId = params.get('sourceId') ?? '';
  const destinationId = params.get('destinationId') ?? '';
  const sources = useLoad('sources', (signal) => listActors('source', signal));
  const destinations = useLoad('destinations', (signal) => listActors('destination', signal));
  const source = sources.data?.actors.find((a) => a.id === sourceId);
  const destination = destinations.data?.actors.find((a) => a.id === destinationId);
  const catalog = useCatalog(sourceId);
  const destinationModes = useDestinationModes(destination);
  const [streams, setStreams] = useState<StreamSetting[]>([]);
  const [options, setOptions] = useState<Options>({
    name: '',
    schedule: { scheduleType: 'manual' },
    namespaceDefinition: 'destination',
    prefix: '',
    status: 'active',
  });
  const [named, setNamed] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();

  // a fresh catalog starts the picker over, every stream selected; another destination keeps the
  // picks and changes only the modes it cannot write
  const discovered = catalog.data?.catalog;
  useEffect(() => {
    if (discovered) setStreams(allStreams(discovered, destinationModes));
  }, [discovered]);
  useEffect(() => {
    if (discovered) setStreams((current) => fitModes(discovered, current, destinationModes));
  }, [destinationModes]);
  // the name follows the two ends until the user writes one
  useEffect(() => {
    if (!named && source && destination)
      setOptions((o) => ({ ...o, name: `${source.name} → ${destination.name}` }));
  }, [named, source, destination]);

  const choose = (change: { sourceId?: string; destinationId?: string }) =>
    setParams({ sourceId, destinationId, ...change });
  const problem = catalog.data ? streamsProblem(catalog.data.catalog, streams) : undefined;

  const create = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const created = await api<Connection>('/api/v1/connections', {
        json: { ...options, sourceId, destinationId, configurations: { streams } },
      });
      navigate(`/connections/${created.connectionId}`);
    } catch (e) {
      setError(e as Error);
      setBusy(false);
    }
  };

  return (
    <div className="page">
      <SectionNav />
      <div className="page-header">
        <h1>New connection</h1>
      </div>
      <ErrorNote error={sources.error ?? destinations.error} />
      <div className="panel">
        <div className="ends">
          <div className="field">
            <label htmlFor="source">Source</label>
            <select id="source" value={sourceId} onChange={(e) => choose({ sourceId: e.target.value })}>
              <option value="">Pick a source…</option>
              {sources.data?.actors.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name} ({a.connector})
                </option>
              ))}
            </select>
            <Link className="small" href="/sources/new">
              New source
            </Link>
          </div>
          <div className="field">
            <label htmlFor="destination">Destination</label>
            <select
              id="destination"
              value={destinationId}
              onChange={(e) => choose({ destinationId: e.target.value })}
            >
              <option value="">Pick a destination…</option>
              {destinations.data?.actors.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name} ({a.connector})
                </option>
              ))}
            </select>
            <Link className="small" href="/destinations/new">
              New destination
            </Link>
          </div>
        </div>
      </div>

      {sourceId && (
        <section className="panel">
          <div className="section-header">
            <h2>Streams</h2>
            <button onClick={catalog.refresh} disabled={catalog.loading}>
              Refresh the source’s schema
            </button>
          </div>
          <ErrorNote error={catalog.error} />
          {catalog.loading && <p className="muted">Discovering the source’s streams…</p>}
          {catalog.data && !catalog.loading && (
            <StreamPicker
              catalog={catalog.data.catalog}
              value={streams}
              onChange={setStreams}
              destinationModes={destinationModes}
            />
          )}
        </section>
      )}

      {sourceId && destinationId && (
        <section className="panel">
          <h2>Settings</h2>
          <ConnectionOptions
            value={options}
            onChange={(next) => {
              if (next.name !== options.name) setNamed(true);
              setOptions(next);
            }}
          />
          <ErrorNote error={error} />
          {problem && <p className="error-text">{problem}</p>}
          <div className="form-actions">
            <button
              className="primary"
              onClick={create}
              disabled={busy || !catalog.data || problem !== undefined}
            >
              {busy ? 'Creating…' : 'Create connection'}
            </button>
          </div>
        </section>
      )}
    </div>
  );
}
