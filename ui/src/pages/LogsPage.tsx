import { useState } from 'react';
import { api, query } from '../api';
import { ErrorNote } from '../components/ErrorNote';
import { NamespaceSelect } from '../components/NamespaceSelect';
import { LEVELS, LogLines } from '../components/LogViewer';
import { useDebounced, useLoad } from '../hooks';
import { setParams, useLocation } from '../router';
import type { LogLine } from '../types';

const RANGES: Record<string, number> = { '1h': 3_600_000, '24h': 86_400_000, '7d': 604_800_000 };

/** Log lines across executions: text, namespace, level and time filters, newest first unless asked. */
export function LogsPage() {
  const { params } = useLocation();
  const [text, setText] = useState(params.get('q') ?? '');
  const q = useDebounced(text, 300);
  const filters = {
    q,
    namespace: params.get('namespace') ?? '',
    minLevel: params.get('minLevel') ?? 'INFO',
    range: params.get('range') ?? '24h',
    order: params.get('order') ?? 'newest',
  };
  const update = (change: Partial<typeof filters>) => setParams({ ...filters, ...change });
  const logs = useLoad(JSON.stringify(filters), (signal) => {
    const since = RANGES[filters.range];
    return api<LogLine[]>(
      `/api/v1/logs/search${query({
        q: filters.q,
        namespace: filters.namespace,
        minLevel: filters.minLevel,
        startDate: since ? new Date(Date.now() - since).toISOString() : undefined,
        sort: filters.order === 'oldest' ? 'timestamp:asc' : 'timestamp:desc',
        size: 500,
      })}`,
      { signal },
    );
  });

  return (
    <div className="page">
      <div className="page-header">
        <h1>Logs</h1>
      </div>
      <div className="filters">
        <input
          type="search"
          aria-label="Search logs"
          placeholder="Search messages"
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            update({ q: e.target.value });
          }}
        />
        <NamespaceSelect value={filters.namespace} onChange={(namespace) => update({ namespace })} />
        <select
          aria-label="Minimum level"
          value={filters.minLevel}
          onChange={(e) => update({ minLevel: e.target.value })}
        >
          {LEVELS.map((l) => (
            <option key={l}>{l}</option>
          ))}
        </select>
        <select
          aria-label="Time range"
          value={filters.range}
          onChange={(e) => update({ range: e.target.value })}
        >
          <option value="1h">Last hour</option>
          <option value="24h">Last 24 hours</option>
          <option value="7d">Last 7 days</option>
          <option value="all">Any time</option>
        </select>
        <select aria-label="Order" value={filters.order} onChange={(e) => update({ order: e.target.value })}>
          <option value="newest">Newest first</option>
          <option value="oldest">Oldest first</option>
        </select>
      </div>
      <ErrorNote error={logs.error} />
      {logs.data && <LogLines lines={logs.data} showExecution className="page-log" />}
      {logs.data?.length === 0 && <p className="empty">No log line matches.</p>}
    </div>
  );
}
