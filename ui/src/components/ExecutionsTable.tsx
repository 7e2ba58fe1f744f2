import { useState } from 'react';
import { api, query } from '../api';
import { elapsed, formatDate, formatDuration } from '../format';
import { useDebounced, useLoad } from '../hooks';
import { setParams, useLocation } from '../router';
import { isTerminal, STATES } from '../../../src/engine/state.js';
import type { Execution, Page } from '../types';
import { BulkActions } from './BulkActions';
import { ErrorNote } from './ErrorNote';
import { FlowName } from './FlowName';
import { Labels } from './Labels';
import { Link } from './Link';
import { NamespaceSelect } from './NamespaceSelect';
import { StateBadge } from './StateBadge';

const RANGES: Record<string, number> = {
  '1h': 3_600_000,
  '24h': 86_400_000,
  '7d': 604_800_000,
  '30d': 2_592_000_000,
};

const SIZES = ['25', '50', '100'];

/** Kestra's sort keys behind the sortable columns. */
const COLUMNS = {
  flow: 'flowId',
  state: 'state.current',
  started: 'state.startDate',
  duration: 'state.duration',
} as const;

function SortHeader({
  label,
  sortKey,
  sort,
  onSort,
  className,
}: {
  label: string;
  sortKey: string;
  sort: string;
  onSort: (sort: string) => void;
  className?: string;
}) {
  const [key, direction] = sort.split(':');
  const active = key === sortKey;
  const next = active && direction === 'desc' ? 'asc' : 'desc';
  return (
    <th
      className={className}
      aria-sort={active ? (direction === 'desc' ? 'descending' : 'ascending') : 'none'}
    >
      <button className="sort-button" onClick={() => onSort(`${sortKey}:${next}`)}>
        {label}
        <span aria-hidden="true">{active ? (direction === 'desc' ? ' ↓' : ' ↑') : ''}</span>
      </button>
    </th>
  );
}

/** Executions a page at a time, refreshed every two seconds: text search, filters and sort live in the
 * URL; rows can be selected for a bulk restart, kill, delete or label change. `fixed` pins a namespace
 * and perhaps a flow (the namespace's and the flow page's tabs) and hides those filters. The flows Sluice runs for connections are
 * left out unless asked for. */
export function ExecutionsTable({ fixed }: { fixed?: { namespace: string; flowId?: string } }) {
  const { params } = useLocation();
  const [text, setText] = useState(params.get('q') ?? '');
  const q = useDebounced(text, 250);
  const filters = {
    q: fixed ? '' : q,
    state: params.get('state') ?? '',
    namespace: fixed?.namespace ?? params.get('namespace') ?? '',
    flowId: fixed ? (fixed.flowId ?? '') : (params.get('flowId') ?? ''),
    range: params.get('range') ?? '',
    connections: params.get('connections') ?? '',
    sort: params.get('sort') ?? 'state.startDate:desc',
    page: params.get('page') ?? '1',
    size: params.get('size') ?? '25',
  };
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [notice, setNotice] = useState<string>();
  const update = (change: Partial<typeof filters>) => {
    // any change but the page itself starts again from the first page
    const next = { ...filters, page: '1', ...change };
    setSelected(new Set());
    setNotice(undefined);
    const { namespace: _n, flowId: _f, q: _q, connections: _c, ...own } = next;
    setParams(fixed ? own : next);
  };
  const executions = useLoad(
    JSON.stringify(filters),
    (signal) => {
      const since = RANGES[filters.range];
      return api<Page<Execution> & { totalCapped: boolean }>(
        `/api/v1/executions/search${query({
          q: filters.q,
          state: filters.state,
          namespace: filters.namespace,
          flowId: filters.flowId,
          scope: fixed || filters.connections ? undefined : 'USER',
          startDate: since ? new Date(Date.now() - since).toISOString() : undefined,
          sort: filters.sort,
          page: filters.page,
          size: filters.size,
        })}`,
        { signal },
      );
    },
    2000,
  );

  const rows = executions.data?.results ?? [];
  const page = Number(filters.page);
  const size = Number(filters.size);
  const total = executions.data?.total ?? 0;
  const first = total === 0 ? 0 : (page - 1) * size + 1;
  const last = Math.min(page * size, (page - 1) * size + rows.length);
  const allSelected = rows.length > 0 && rows.every((e) => selected.has(e.id));
  const toggle = (id: string) =>
    setSelected((old) => {
      const next = new Set(old);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  const chosen = rows.filter((e) => selected.has(e.id));

  return (
    <>
      <div className="filters">
        {!fixed && (
          <input
            type="search"
            aria-label="Search executions"
            placeholder="Flow, execution id or label"
            value={text}
            onChange={(e) => {
              setText(e.target.value);
              update({ q: e.target.value });
            }}
          />
        )}
        <select aria-label="State" value={filters.state} onChange={(e) => update({ state: e.target.value })}>
          <option value="">Any state</option>
          {STATES.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
        {!fixed && (
          <NamespaceSelect value={filters.namespace} onChange={(namespace) => update({ namespace })} />
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
        {!fixed && (
          <label className="check-label">
            <input
              type="checkbox"
              checked={filters.connections !== ''}
              onChange={(e) => update({ connections: e.target.checked ? 'shown' : '' })}
            />
            Connections’ syncs
          </label>
        )}
      </div>
      {chosen.length > 0 && (
        <BulkActions
          executions={chosen}
          onDone={(done) => {
            setNotice(done);
            setSelected(new Set());
            executions.reload();
          }}
        />
      )}
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      <ErrorNote error={executions.error} />
      <div className="table-scroll">
        <table className="list executions">
          <thead>
            <tr>
              <th className="select-cell">
                <input
                  type="checkbox"
                  aria-label="Select every execution of this page"
                  checked={allSelected}
                  onChange={() => setSelected(allSelected ? new Set() : new Set(rows.map((e) => e.id)))}
                />
              </th>
              <th>Execution</th>
              {!fixed && (
                <SortHeader
                  label="Flow"
                  sortKey={COLUMNS.flow}
                  sort={filters.sort}
                  onSort={(sort) => update({ sort })}
                />
              )}
              <SortHeader
                label="State"
                sortKey={COLUMNS.state}
                sort={filters.sort}
                onSort={(sort) => update({ sort })}
              />
              <th className="wide-only">Labels</th>
              <SortHeader
                className="wide-only"
                label="Started"
                sortKey={COLUMNS.started}
                sort={filters.sort}
                onSort={(sort) => update({ sort })}
              />
              <SortHeader
                className="wide-only"
                label="Duration"
                sortKey={COLUMNS.duration}
                sort={filters.sort}
                onSort={(sort) => update({ sort })}
              />
            </tr>
          </thead>
          <tbody>
            {rows.map((e) => (
              <tr key={e.id} data-execution={e.id} className={selected.has(e.id) ? 'selected' : undefined}>
                <td className="select-cell">
                  <input
                    type="checkbox"
                    aria-label={`Select execution ${e.id.slice(0, 8)}`}
                    checked={selected.has(e.id)}
                    onChange={() => toggle(e.id)}
                  />
                </td>
                <td>
                  <Link href={`/executions/${e.id}`} className="mono">
                    {e.id.slice(0, 8)}
                  </Link>
                </td>
                {!fixed && (
                  <td>
                    <FlowName namespace={e.namespace} flowId={e.flowId} />
                  </td>
                )}
                <td>
                  <StateBadge state={e.state.current} />
                </td>
                <td className="wide-only">
                  <Labels labels={e.labels} />
                </td>
                <td className="wide-only">{formatDate(e.state.startDate)}</td>
                <td className="wide-only">
                  {formatDuration(elapsed(e.state.startDate, e.state.endDate))}
                  {!isTerminal(e.state.current) && <span className="muted"> …</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {executions.data && rows.length === 0 && <p className="empty">No execution matches.</p>}
      {executions.data && total > 0 && (
        <nav className="pager" aria-label="Pages">
          <span data-testid="page-range">
            {first}–{last} of {total.toLocaleString('en-US')}
            {executions.data.totalCapped ? '+' : ''}
          </span>
          <select
            aria-label="Page size"
            value={filters.size}
            onChange={(e) => update({ size: e.target.value })}
          >
            {SIZES.map((s) => (
              <option key={s} value={s}>
                {s} a page
              </option>
            ))}
          </select>
          <button disabled={page <= 1} onClick={() => update({ page: String(page - 1) })}>
            Previous
          </button>
          <button
            disabled={last >= total && !executions.data.totalCapped}
            onClick={() => update({ page: String(page + 1) })}
          >
            Next
          </button>
        </nav>
      )}
    </>
  );
}
