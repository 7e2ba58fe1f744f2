import { Suspense, useEffect, useState } from 'react';
import { api, ApiError } from '../api';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { ErrorNote } from '../components/ErrorNote';
import { ExecuteDialog } from '../components/ExecuteDialog';
import { ExecutionsTable } from '../components/ExecutionsTable';
import { CONNECTIONS_NAMESPACE, useConnectionName } from '../components/FlowName';
import { Link } from '../components/Link';
import { Tabs } from '../components/Tabs';
import { NextRun, TriggersTable } from '../components/TriggersTable';
import { useLoad } from '../hooks';
import { FlowEditor, Topology } from '../lazy';
import { FlowRevisions } from '../revisions/FlowRevisions';
import { navigate, useLeaveGuard } from '../router';
import { useTheme } from '../theme';
import type { FlowProblem } from '../editor/validation';
import type { Flow } from '../types';

const TEMPLATE = `id: hello
namespace: company.team

inputs:
  - id: name
    type: STRING
    defaults: world

tasks:
  - id: greet
    type: log
    message: Hello {{ inputs.name }}
`;

type Tab = 'editor' | 'topology' | 'executions' | 'triggers' | 'revisions';

/** Creating a flow whose id is taken is refused (as in Kestra): say which, and what to do instead. */
function explainExisting(error: Error): Error {
  if (!(error instanceof ApiError)) return error;
  const taken = error.details.find((d) => d.path === 'flow.id');
  if (!taken) return error;
  return new ApiError(
    error.status,
    `Not created: ${taken.message}. Open it from Flows to change it, or give this flow another id.`,
  );
}

/** The flow Sluice generates for a connection: the connection is what to open and change. */
function ConnectionNotice({ connectionId }: { connectionId: string }) {
  const name = useConnectionName(CONNECTIONS_NAMESPACE, connectionId);
  return (
    <p className="notice panel" role="note">
      This flow runs the connection{' '}
      <Link href={`/connections/${encodeURIComponent(connectionId)}`}>{name ?? connectionId}</Link>. Change it
      there: Sluice writes this flow from the connection’s settings.
    </p>
  );
}

const flowPath = (namespace: string, id: string) =>
  `/api/v1/flows/${encodeURIComponent(namespace)}/${encodeURIComponent(id)}`;

/** One flow: its YAML in the editor (saving makes a revision), its topology, its executions. A new
 * flow when no id is given. */
export function FlowPage({ namespace, id }: { namespace?: string; id?: string }) {
  const isNew = id === undefined || namespace === undefined;
  const flow = useLoad(`${namespace}/${id}`, (signal) =>
    isNew ? Promise.resolve(undefined) : api<Flow>(flowPath(namespace, id), { signal }),
  );
  const [source, setSource] = useState<string>(isNew ? TEMPLATE : '');
  const [saved, setSaved] = useState(isNew ? TEMPLATE : '');
  const [tab, setTab] = useState<Tab>('editor');
  const [saveError, setSaveError] = useState<Error>();
  const [saving, setSaving] = useState(false);
  const [executing, setExecuting] = useState(false);
  const [problems, setProblems] = useState<FlowProblem[]>([]);
  const [confirmingSave, setConfirmingSave] = useState(false);
  const [confirmingDelete, setConfirmingDelete] = useState(false);
  const [toggleError, setToggleError] = useState<Error>();
  const theme = useTheme();
  const connectionName = useConnectionName(namespace ?? '', id ?? '');

  useEffect(() => {
    if (flow.data) {
      setSource(flow.data.source);
      setSaved(flow.data.source);
    }
  }, [flow.data]);

  const dirty = source !== saved;
  useLeaveGuard(
    dirty && (isNew || flow.data) ? 'Leave this page? Your changes to the flow are not saved.' : undefined,
  );

  /** Save, or with errors in the flow, ask first (the server will say what it refuses). */
  const requestSave = () => {
    if (problems.length > 0) setConfirmingSave(true);
    else void save();
  };

  const save = async () => {
    setSaving(true);
    setSaveError(undefined);
    try {
      const result = isNew
        ? await api<{ id: string; namespace: string }>('/api/v1/flows', { yaml: source })
        : await api<{ id: string; namespace: string }>(flowPath(namespace, id), {
            method: 'PUT',
            yaml: source,
          });
      if (isNew)
        navigate(`/flows/${encodeURIComponent(result.namespace)}/${encodeURIComponent(result.id)}`, {
          saved: true,
        });
      else flow.reload();
    } catch (e) {
      setSaveError(isNew ? explainExisting(e as Error) : (e as Error));
    } finally {
      setSaving(false);
    }
  };

  /** Enabling or disabling saves a revision with `disabled:` set (the server's by-ids routes). */
  const toggleDisabled = async () => {
    if (isNew || !flow.data) return;
    setToggleError(undefined);
    try {
      await api(`/api/v1/flows/${flow.data.disabled ? 'enable' : 'disable'}/by-ids`, {
        json: [{ namespace, id }],
      });
      flow.reload();
    } catch (e) {
      setToggleError(e as Error);
    }
  };

  const remove = async () => {
    if (isNew) return;
    await api(flowPath(namespace, id), { method: 'DELETE' });
    navigate('/flows');
  };

  if (flow.error instanceof ApiError && flow.error.status === 404) {
    return (
      <div className="page">
        <ErrorNote error={flow.error} />
      </div>
    );
  }

  return (
    <div className="page flow-page">
      <div className="page-header">
        <div>
          <h1>{isNew ? 'New flow' : (connectionName ?? id)}</h1>
          {!isNew && (
            <div className="muted">
              {namespace} · revision {flow.data?.revision ?? '…'}
              {flow.data?.disabled && ' · disabled'}
              <NextRun namespace={namespace} flowId={id} />
            </div>
          )}
        </div>
        <div className="actions">
          {tab === 'editor' && (
            <button
              className={dirty || isNew ? 'primary' : ''}
              onClick={requestSave}
              disabled={saving || (!dirty && !isNew)}
            >
              {saving ? 'Saving…' : isNew ? 'Create' : 'Save'}
            </button>
          )}
          {!isNew && (
            <button onClick={() => setExecuting(true)} disabled={!flow.data || flow.data.disabled}>
              Execute
            </button>
          )}
          {/* a connection's flow is the connection's to stop or remove, on its own page */}
          {!isNew && flow.data && namespace !== CONNECTIONS_NAMESPACE && (
            <button onClick={() => void toggleDisabled()} disabled={dirty}>
              {flow.data.disabled ? 'Enable' : 'Disable'}
            </button>
          )}
          {!isNew && flow.data && namespace !== CONNECTIONS_NAMESPACE && (
            <button className="danger" onClick={() => setConfirmingDelete(true)}>
              Delete
            </button>
          )}
        </div>
      </div>
      {!isNew && (
        <Tabs<Tab>
          tabs={[
            { id: 'editor', label: 'Editor' },
            { id: 'topology', label: 'Topology' },
            { id: 'executions', label: 'Executions' },
            { id: 'triggers', label: 'Triggers' },
            { id: 'revisions', label: 'Revisions' },
          ]}
          current={tab}
          onChange={setTab}
        />
      )}
      {namespace === CONNECTIONS_NAMESPACE && id && <ConnectionNotice connectionId={id} />}
      <ErrorNote error={flow.error ?? saveError ?? toggleError} />
      <Suspense fallback={<div className="muted">Loading…</div>}>
        {tab === 'editor' && (isNew || flow.data) && (
          <FlowEditor value={source} onChange={setSource} onSave={requestSave} onProblems={setProblems} />
        )}
        {tab === 'topology' && flow.data && <Topology flow={flow.data} theme={theme} />}
      </Suspense>
      {tab === 'executions' && !isNew && <ExecutionsTable fixed={{ namespace, flowId: id }} />}
      {tab === 'triggers' && !isNew && <TriggersTable namespace={namespace} flowId={id} />}
      {tab === 'revisions' && !isNew && flow.data && (
        <FlowRevisions
          path={flowPath(namespace, id)}
          current={flow.data.revision ?? 0}
          onRestored={flow.reload}
        />
      )}
      {confirmingDelete && (
        <ConfirmDialog
          title={`Delete flow ${namespace}.${id}?`}
          confirmLabel="Delete"
          danger
          onConfirm={remove}
          onClose={() => setConfirmingDelete(false)}
        >
          <p>It no longer runs; its past executions stay.</p>
        </ConfirmDialog>
      )}
      {confirmingSave && (
        <ConfirmDialog
          title={`Save with ${problems.length} error${problems.length === 1 ? '' : 's'}?`}
          confirmLabel="Save anyway"
          onConfirm={save}
          onClose={() => setConfirmingSave(false)}
        >
          <ul className="problem-list">
            {problems.map((p, i) => (
              <li key={i}>
                <span className="mono">line {p.line}</span> {p.message}
              </li>
            ))}
          </ul>
          <p className="muted">A flow with errors is refused; fix them first unless you know better.</p>
        </ConfirmDialog>
      )}
      {executing && flow.data && <ExecuteDialog flow={flow.data} onClose={() => setExecuting(false)} />}
    </div>
  );
}
