import { api, query } from '../api';
import { ErrorNote } from '../components/ErrorNote';
import { Labels } from '../components/Labels';
import { Link } from '../components/Link';
import { NamespaceSelect } from '../components/NamespaceSelect';
import { StateBadge } from '../components/StateBadge';
import { formatDate } from '../format';
import { useDebounced, useLoad } from '../hooks';
import { setParams, useLocation } from '../router';
import type { FlowSummary, Page } from '../types';
import { useState } from 'react';

export function FlowsPage() {
  const { params } = useLocation();
  const namespace = params.get('namespace') ?? '';
  const [text, setText] = useState(params.get('q') ?? '');
  const q = useDebounced(text, 250);
  const connections = params.get('connections') ?? '';
  // the flows Sluice runs for connections are listed under Connections, by their names
  const flows = useLoad(`${namespace}|${q}|${connections}`, (signal) =>
    api<Page<FlowSummary>>(
      `/api/v1/flows/search${query({ namespace, q, size: 200, scope: connections ? undefined : 'USER' })}`,
      { signal },
    ),
  );

  return (
    <div className="page">
      <div className="page-header">
        <h1>Flows</h1>
        <Link href="/flows/new" className="button primary">
          New flow
        </Link>
      </div>
      <div className="filters">
        <NamespaceSelect value={namespace} onChange={(ns) => setParams({ namespace: ns, q, connections })} />
        <input
          type="search"
          placeholder="Search id or description"
          aria-label="Search flows"
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            setParams({ namespace, q: e.target.value, connections });
          }}
        />
        <label className="check-label">
          <input
            type="checkbox"
            checked={connections !== ''}
            onChange={(e) => setParams({ namespace, q, connections: e.target.checked ? 'shown' : '' })}
          />
          Connections’ flows
        </label>
      </div>
      <ErrorNote error={flows.error} />
      <div className="table-scroll">
        <table className="list">
          <thead>
            <tr>
              <th>Flow</th>
              <th>Namespace</th>
              <th>Last run</th>
              <th className="wide-only">Labels</th>
              <th className="wide-only">Revision</th>
              <th className="wide-only">Updated</th>
            </tr>
          </thead>
          <tbody>
            {flows.data?.results.map((f) => (
              <tr key={`${f.namespace}.${f.id}`} className={f.disabled ? 'disabled' : undefined}>
                <td>
                  <Link href={`/flows/${encodeURIComponent(f.namespace)}/${encodeURIComponent(f.id)}`}>
                    {f.id}
                  </Link>
                  {f.description && <div className="muted small clamp">{f.description}</div>}
                </td>
                <td>{f.namespace}</td>
                <td data-testid="last-run">
                  {f.lastExecution ? (
                    <Link href={`/executions/${f.lastExecution.id}`} title={formatDate(f.lastExecution.date)}>
                      <StateBadge state={f.lastExecution.state} />
                    </Link>
                  ) : (
                    <span className="muted small">never</span>
                  )}
                </td>
                <td className="wide-only">
                  <Labels labels={f.labels} />
                </td>
                <td className="wide-only">{f.revision}</td>
                <td className="wide-only">{formatDate(f.updated)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {flows.data && flows.data.results.length === 0 && (
        <p className="empty">
          No flow matches. <Link href="/flows/new">Write one</Link>.
        </p>
      )}
    </div>
  );
}
