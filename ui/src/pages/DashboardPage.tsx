import { api, query } from '../api';
import { BarChart, type Bar } from '../components/BarChart';
import { ErrorNote } from '../components/ErrorNote';
import { Link } from '../components/Link';
import { NamespaceSelect } from '../components/NamespaceSelect';
import { StateBadge } from '../components/StateBadge';
import { formatBytes, formatDate, formatDuration } from '../format';
import { useLoad } from '../hooks';
import { setParams, useLocation } from '../router';
import type { Dashboard, DashboardBucket, ExecutionBrief, StateType } from '../types';

const RANGES = {
  '1h': { label: 'Last hour', ms: 3_600_000 },
  '24h': { label: 'Last 24 hours', ms: 86_400_000 },
  '7d': { label: 'Last 7 days', ms: 7 * 86_400_000 },
  '30d': { label: 'Last 30 days', ms: 30 * 86_400_000 },
} as const;
type Range = keyof typeof RANGES;

/** The chart's stacking order: what went wrong at the top of each bar, where the eye lands. */
const STACK: StateType[] = [
  'SUCCESS',
  'WARNING',
  'RUNNING',
  'CREATED',
  'QUEUED',
  'PAUSED',
  'RETRYING',
  'RESTARTED',
  'KILLING',
  'RETRIED',
  'SKIPPED',
  'CANCELLED',
  'KILLED',
  'FAILED',
];

const STEP: Record<DashboardBucket, number> = { hour: 3_600_000, day: 86_400_000 };

/** Every bucket of the range, empty ones included, so that a quiet hour shows as a gap. */
function bucketDates(start: string, end: string, bucket: DashboardBucket): string[] {
  const step = STEP[bucket];
  const dates: string[] = [];
  for (let t = Math.floor(Date.parse(start) / step) * step; t < Date.parse(end); t += step)
    dates.push(new Date(t).toISOString().replace('.000Z', 'Z'));
  return dates;
}

function bucketLabel(date: string, bucket: DashboardBucket): string {
  const d = new Date(date);
  return bucket === 'hour'
    ? d.toLocaleString(undefined, { weekday: 'short', hour: '2-digit', minute: '2-digit' })
    : d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
}

export function DashboardPage() {
  const { params } = useLocation();
  const namespace = params.get('namespace') ?? '';
  const range = (params.get('range') ?? '24h') as Range;
  const span = (RANGES[range] ?? RANGES['24h']).ms;
  const board = useLoad(
    `${namespace}|${range}`,
    (signal) => {
      const end = new Date();
      return api<Dashboard>(
        `/api/v1/dashboard${query({
          namespace,
          startDate: new Date(end.getTime() - span).toISOString(),
          endDate: end.toISOString(),
        })}`,
        { signal },
      );
    },
    10_000,
  );
  const d = board.data;
  return (
    <div className="page dashboard">
      <div className="page-header">
        <h1>Dashboard</h1>
      </div>
      <div className="filters">
        <NamespaceSelect value={namespace} onChange={(ns) => setParams({ namespace: ns, range })} />
        <select
          aria-label="Time range"
          value={range}
          onChange={(e) => setParams({ namespace, range: e.target.value })}
        >
          {Object.entries(RANGES).map(([key, r]) => (
            <option key={key} value={key}>
              {r.label}
            </option>
          ))}
        </select>
      </div>
      <ErrorNote error={board.error} />
      {d && <Figures d={d} />}
    </div>
  );
}

function Figures({ d }: { d: Dashboard }) {
  const dates = bucketDates(d.startDate, d.endDate, d.bucket);
  const counts = new Map(d.executions.timeline.map((t) => [t.date, t.counts]));
  const executionBars: Bar[] = dates.map((date) => ({
    label: bucketLabel(date, d.bucket),
    segments: STACK.map((state) => ({
      key: state,
      value: counts.get(date)?.[state] ?? 0,
      className: `state-${state}`,
    })),
  }));
  const synced = new Map(d.syncs.timeline.map((t) => [t.date, t]));
  const rowBars: Bar[] = dates.map((date) => ({
    label: bucketLabel(date, d.bucket),
    segments: [{ key: 'rows', value: synced.get(date)?.rows ?? 0, className: 'bar-rows' }],
  }));
  const byteBars: Bar[] = dates.map((date) => ({
    label: bucketLabel(date, d.bucket),
    segments: [{ key: 'bytes', value: synced.get(date)?.bytes ?? 0, className: 'bar-bytes' }],
  }));
  const ratio = d.executions.successRatio;
  return (
    <>
      <div className="cards">
        <Card label="Executions" value={String(d.executions.total)} testId="total" />
        <Card
          label="Success ratio"
          value={ratio === null ? '—' : `${(ratio * 100).toFixed(ratio === 1 ? 0 : 1)} %`}
          testId="success-ratio"
        />
        <Card label="Running now" value={String(d.executions.running.length)} testId="running-count" />
        <Card label="Rows synced" value={d.syncs.rows.toLocaleString()} testId="rows-synced" />
        <Card label="Bytes synced" value={formatBytes(d.syncs.bytes)} testId="bytes-synced" />
      </div>

      <section className="panel" aria-labelledby="executions-over-time">
        <h2 id="executions-over-time">Executions over time</h2>
        <BarChart
          bars={executionBars}
          summary={`${d.executions.total} executions by ${d.bucket}, by state`}
        />
        <div className="legend small">
          {STACK.filter((s) => d.executions.timeline.some((t) => t.counts[s])).map((s) => (
            <span key={s} className={`legend-item state-${s}`}>
              {s}
            </span>
          ))}
        </div>
      </section>

      <div className="dashboard-grid">
        <section className="panel" aria-labelledby="failures">
          <h2 id="failures">Failures to look at</h2>
          <Executions list={d.executions.failures} empty="No failure in this range." testId="failures" />
        </section>
        <section className="panel" aria-labelledby="running">
          <h2 id="running">Running now</h2>
          <Executions list={d.executions.running} empty="Nothing runs now." testId="running" />
        </section>
      </div>

      <section className="panel" aria-labelledby="durations">
        <h2 id="durations">Durations by flow</h2>
        {d.executions.durations.length === 0 ? (
          <p className="muted">No execution ended in this range.</p>
        ) : (
          <div className="table-scroll">
            <table className="list" data-testid="durations">
              <thead>
                <tr>
                  <th>Flow</th>
                  <th className="num">Ended</th>
                  <th className="num">p50</th>
                  <th className="num">p95</th>
                </tr>
              </thead>
              <tbody>
                {d.executions.durations.map((f) => (
                  <tr key={`${f.namespace}.${f.flowId}`} data-flow={`${f.namespace}.${f.flowId}`}>
                    <td>
                      <Link
                        href={`/flows/${encodeURIComponent(f.namespace)}/${encodeURIComponent(f.flowId)}`}
                      >
                        {f.namespace}.{f.flowId}
                      </Link>
                    </td>
                    <td className="num">{f.count}</td>
                    <td className="num">{formatDuration(f.p50Ms)}</td>
                    <td className="num">{formatDuration(f.p95Ms)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <h2 className="section-title">Syncs</h2>
      <div className="dashboard-grid">
        <section className="panel" aria-labelledby="rows-over-time">
          <h2 id="rows-over-time">Rows moved</h2>
          <BarChart
            bars={rowBars}
            summary={`${d.syncs.rows} rows synced by ${d.bucket}`}
            format={(n) => n.toLocaleString()}
          />
        </section>
        <section className="panel" aria-labelledby="bytes-over-time">
          <h2 id="bytes-over-time">Bytes moved</h2>
          <BarChart
            bars={byteBars}
            summary={`${formatBytes(d.syncs.bytes)} synced by ${d.bucket}`}
            format={formatBytes}
          />
        </section>
      </div>
      <section className="panel" aria-labelledby="failing-connections">
        <h2 id="failing-connections">Failing connections</h2>
        {d.syncs.failing.length === 0 ? (
          <p className="muted">No connection’s latest job failed in this range.</p>
        ) : (
          <ul className="brief-list" data-testid="failing-connections">
            {d.syncs.failing.map((c) => (
              <li key={c.connectionId}>
                <Link href={`/connections/${encodeURIComponent(c.connectionId)}`}>{c.name}</Link>
                <StateBadge state={c.state as StateType} />
                <span className="muted small">
                  {formatDate(c.date)} · {c.failures} failed {c.failures === 1 ? 'job' : 'jobs'}
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

function Card({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <div className="card">
      <div className="muted small">{label}</div>
      <div className="card-value" data-testid={testId}>
        {value}
      </div>
    </div>
  );
}

function Executions({ list, empty, testId }: { list: ExecutionBrief[]; empty: string; testId: string }) {
  if (list.length === 0) return <p className="muted">{empty}</p>;
  return (
    <ul className="brief-list" data-testid={testId}>
      {list.map((e) => (
        <li key={e.id} data-execution={e.id}>
          <StateBadge state={e.state as StateType} />
          <Link href={`/executions/${e.id}`}>
            <span className="muted">{e.namespace}.</span>
            {e.flowId}
          </Link>
          <span className="muted small">{formatDate(e.startDate)}</span>
        </li>
      ))}
    </ul>
  );
}
