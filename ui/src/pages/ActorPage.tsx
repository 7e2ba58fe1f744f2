import { Suspense, useEffect, useState } from 'react';
import { api, ApiError } from '../api';
import { ErrorNote } from '../components/ErrorNote';
import { Link } from '../components/Link';
import { SectionNav } from '../components/SectionNav';
import { useLoad } from '../hooks';
import { ConnectorForm } from '../lazy';
import { connectorSpec, getActor, KIND_LABEL, saveActor } from '../resources';
import { navigate, setParams, useLeaveGuard, useLocation } from '../router';
import type { ActorKind, ConnectorDefinition, DataPage } from '../types';

type Check = { status: 'succeeded' | 'failed'; message: string | null } | 'running';

/** JSON with keys sorted: two configurations are the same whatever order their keys came in. */
const canonical = (value: unknown) =>
  JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );

const titleCase = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

function CheckResult({ check }: { check: Check | undefined }) {
  if (!check) return null;
  if (check === 'running') return <div className="check-result muted">Testing the connection…</div>;
  return (
    <div className={`check-result ${check.status}`} role="status" data-check={check.status}>
      {check.status === 'succeeded' ? '✓ The connection test succeeded.' : '✗ The connection test failed'}
      {check.message && <div className="check-message">{check.message}</div>}
    </div>
  );
}

/**
 * A source or a destination: a new one (pick a connector, then fill the form its spec makes) or an
 * existing one (change it, test its connection, delete it).
 */
export function ActorPage({ kind, id }: { kind: ActorKind; id?: string }) {
  const isNew = id === undefined;
  const Kind = KIND_LABEL[kind];
  const { params } = useLocation();
  const definitions = useLoad('definitions', (signal) =>
    api<DataPage<ConnectorDefinition>>('/api/v1/connector_definitions', { signal }),
  );
  const actor = useLoad(`${kind}/${id}`, (signal) =>
    isNew ? Promise.resolve(undefined) : getActor(kind, id, signal),
  );
  const connector = isNew ? (params.get('connector') ?? '') : (actor.data?.connector ?? '');
  const spec = useLoad(`${kind}/${connector}`, (signal) =>
    connector ? connectorSpec(kind, connector, signal) : Promise.resolve(undefined),
  );
  const [name, setName] = useState('');
  const [config, setConfig] = useState<Record<string, unknown>>({});
  const [saved, setSaved] = useState(canonical({ name: '', config: {} }));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  const [check, setCheck] = useState<Check>();
  const [deleteError, setDeleteError] = useState<Error>();

  useEffect(() => {
    if (!actor.data) return;
    setName(actor.data.name);
    setConfig(actor.data.configuration);
    setSaved(canonical({ name: actor.data.name, config: actor.data.configuration }));
  }, [actor.data]);

  const dirty = canonical({ name, config }) !== saved;
  // a new form fills itself with the spec's defaults: only what the user typed counts as work
  const [typed, setTyped] = useState(false);
  useLeaveGuard(
    (isNew ? typed : dirty) ? `Leave this page? Your changes to the ${kind} are not saved.` : undefined,
  );
  const choices = definitions.data?.data.filter((d) => d.kind === kind) ?? [];

  const pick = (definitionName: string) => {
    setConfig({});
    setName(definitionName ? titleCase(definitionName) : '');
    setParams({ connector: definitionName });
  };

  const save = async (configuration: Record<string, unknown>) => {
    setError(undefined);
    if (name.trim() === '') {
      setError(new Error(`Give the ${kind} a name.`));
      return;
    }
    setBusy(true);
    try {
      const result = await saveActor(kind, { id, name: name.trim(), connector, configuration });
      if (isNew) navigate(`/${kind}s/${result.id}`, { saved: true });
      else {
        setCheck(undefined);
        actor.reload();
      }
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };

  const test = async () => {
    setCheck('running');
    try {
      setCheck(await api<Check>(`/api/v1/${kind}s/${id}/check`, { method: 'POST' }));
    } catch (e) {
      setCheck({ status: 'failed', message: (e as Error).message });
    }
  };

  const remove = async () => {
    if (!confirm(`Delete the ${kind} ${name}?`)) return;
    setDeleteError(undefined);
    try {
      await api(`/api/v1/${kind}s/${id}`, { method: 'DELETE' });
      navigate(`/${kind}s`, { saved: true });
    } catch (e) {
      setDeleteError(e as Error);
    }
  };

  if (actor.error instanceof ApiError && actor.error.status === 404) {
    return (
      <div className="page">
        <SectionNav />
        <ErrorNote error={actor.error} />
      </div>
    );
  }

  return (
    <div className="page">
      <SectionNav />
      <div className="page-header">
        <div>
          <h1>{isNew ? `New ${kind}` : (actor.data?.name ?? '…')}</h1>
          {!isNew && (
            <div className="muted">
              {Kind} · <span className="mono">{connector}</span>
            </div>
          )}
        </div>
        {!isNew && (
          <div className="actions">
            <button
              onClick={test}
              disabled={dirty || check === 'running'}
              title={dirty ? 'Save first' : undefined}
            >
              Test connection
            </button>
            <Link className="button" href={`/connections/new?${kind}Id=${encodeURIComponent(id)}`}>
              New connection
            </Link>
            <button className="danger" onClick={remove}>
              Delete
            </button>
          </div>
        )}
      </div>
      <CheckResult check={check} />
      <ErrorNote error={deleteError} />
      <div className="panel form-panel" onInput={() => setTyped(true)}>
        {isNew && (
          <div className="field">
            <label htmlFor="connector">Connector</label>
            <select id="connector" value={connector} onChange={(e) => pick(e.target.value)}>
              <option value="">Pick a {kind} connector…</option>
              {choices.map((d) => (
                <option key={d.definitionId} value={d.name}>
                  {d.name}
                  {d.description ? ` — ${d.description}` : ''}
                </option>
              ))}
            </select>
          </div>
        )}
        {connector && (
          <div className="field">
            <label htmlFor="actor-name">{Kind} name</label>
            <input id="actor-name" value={name} onChange={(e) => setName(e.target.value)} />
          </div>
        )}
        <ErrorNote error={definitions.error ?? actor.error ?? spec.error} />
        {connector && !spec.data && !spec.error && <p className="muted">Loading the connector’s spec…</p>}
        {spec.data && (isNew || actor.data) && (
          <Suspense fallback={<p className="muted">Loading the form…</p>}>
            <ConnectorForm
              key={`${connector}/${actor.data?.updatedAt ?? ''}`}
              schema={spec.data.connectionSpecification}
              value={config}
              onChange={setConfig}
              onSubmit={save}
              disabled={busy}
            >
              <ErrorNote error={error} />
              <div className="form-actions">
                {spec.data.documentationUrl && (
                  <a className="small" href={spec.data.documentationUrl} target="_blank" rel="noreferrer">
                    The connector’s documentation
                  </a>
                )}
                <button type="submit" className="primary" disabled={busy || (!isNew && !dirty)}>
                  {busy ? 'Saving…' : isNew ? `Create ${kind}` : 'Save'}
                </button>
              </div>
            </ConnectorForm>
          </Suspense>
        )}
      </div>
    </div>
  );
}
