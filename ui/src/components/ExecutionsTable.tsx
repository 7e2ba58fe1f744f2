import { api, query } from '../api';
import { elapsed, formatDate, formatDuration } from '../format';
import { useLoad } from '../hooks';
import { setParams, useLocation } from '../router';
import { STATES } from '../../../src/engine/state.js';
import type { Execution, Page } from '../types';
import { ErrorNote } from './ErrorNote';
import { Link } from './Link';
import { StateBadge } from './StateBadge';

const RANGES: Record<string, number> = {
  '1h': 3_600_000,
  '24h': 86_400_000,
  '7d': 604_800_000,
  '30d': 2_592_000_000,
};

/** Executions newest first, refreshed every two seconds; the filters live in the URL. `fixed`
 * pins a namespace and flow (the flow page's tab) and hides those filters. */
export function ExecutionsTable({ fixed }: { fixed?: { namespace: string; flowId: string } }) {
  const { params } = useLocation();
  const filters = {
    state: params.get('state') ?? '',
    namespace: fixed?.namespace ?? params.get('namespace') ?? '',
    flowId: fixed?.flowId ?? params.get('flowId') ?? '',
    range: params.get('range') ?? '',
  };
  const update = (change: Partial<typeof filters>) => {
    const next = { ...filters, ...change };
    setParams(fixed ? { state: next.state, range: next.range } : next);
  };
  const namespaces = useLoad('namespaces', (signal) =>
    fixed ? Promise.resolve([]) : api<string[]>('/api/v1/flows/distinct-namespaces', { signal }),
  );
  const executions = useLoad(
    JSON.stringify(filters),
    (signal) => {
      const since = RANGES[filters.range];
      return api<Page<Execution>>(
        `/api/v1/executions/search${query({
          state: filters.state,
          namespace: filters.namespace,
          flowId: filters.flowId,
          startDate: since ? new Date(Date.now() - since).toISOString() : undefined,
          size: 100,
        })}`,
        { signal },
      );
    },
    2000,
  );

  return (
    <>
      <div className="filters">
        <select aria-label="State" value={filters.state} onChange={(e) => update({ state: e.target.value })}>
          <option value="">Any state</option>
          {STATES.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
        {!fixed && (
          <>
            <select
              aria-label="Namespace"
              value={filters.namespace}
              onChange={(e) => update({ namespace: e.target.value })}
            >
              <option value="">All namespaces</option>
              {namespaces.data?.map((ns) => (
                <option key={ns}>{ns}</option>
              ))}
            </select>
            <input
              type="search"
              aria-label="Flow id"
              placeholder="Flow id"
              value={filters.flowId}
              onChange={(e) => update({ flowId: e.target.value })}
            />
          </>
        )}
        <select
          aria-label="Time range"
          value={filters.range}
          onChange={(e) => update({ range: e.target.value })}
        >
          <option value="">Any time</option>
          <option value="1h">Last hour</option>
          <option value="24h">Last 24 hours</option>
          <option value="7d">Last 7 days</option>
          <option value="30d">Last 30 days</option>
        </select>
      </div>
      <ErrorNote error={executions.error} />
      <table className="list">
        <thead>
          <tr>
            <th>Execution</th>
            {!fixed && <th>Flow</th>}
            <th>State</th>
            <th className="wide-only">Started</th>
            <th className="wide-only">Duration</th>
          </tr>
        </thead>
        <tbody>
          {executions.data?.results.map((e) => (
            <tr key={e.id}>
              <td>
                <Link href={`/executions/${e.id}`} className="mono">
                  {e.id.slice(0, 8)}
                </Link>
              </td>
              {!fixed && (
                <td>
                  <span className="muted">{e.namespace}.</span>
                  {e.flowId}
                </td>
              )}
              <td>
                <StateBadge state={e.state.current} />
              </td>
              <td className="wide-only">{formatDate(e.state.startDate)}</td>
              <td className="wide-only">{formatDuration(elapsed(e.state.startDate, e.state.endDate))}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {executions.data && executions.data.results.length === 0 && (
        <p className="empty">No execution matches.</p>
      )}
    </>
  );
}
