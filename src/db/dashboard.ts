// The dashboard's figures, each computed by the database in one aggregate query over a time range:
// what the home page shows of executions (by state over time, durations by flow, failures, running
// ones) and of connections' sync jobs (rows and bytes moved over time, connections failing now).
import { CONNECTIONS_NAMESPACE, SYNC_TASK_ID } from '../connections/connection.js';
import type { Queryable } from './database.js';
import { SqlFilter } from './sql-filter.js';

export interface DashboardFilter {
  /** a namespace and its children; the executions part only (connections have no namespace) */
  namespace?: string;
  startDate: Date;
  endDate: Date;
}

export type Bucket = 'hour' | 'day';

export interface ExecutionBrief {
  id: string;
  namespace: string;
  flowId: string;
  state: string;
  startDate: string;
  endDate: string | null;
}

export interface Dashboard {
  startDate: string;
  endDate: string;
  bucket: Bucket;
  executions: {
    /** one entry per bucket with an execution, its counts by state */
    timeline: Array<{ date: string; counts: Record<string, number> }>;
    total: number;
    /** SUCCESS and WARNING among the ended ones; null when none ended */
    successRatio: number | null;
    durations: Array<{ namespace: string; flowId: string; count: number; p50Ms: number; p95Ms: number }>;
    failures: ExecutionBrief[];
    running: ExecutionBrief[];
  };
  syncs: {
    timeline: Array<{ date: string; rows: number; bytes: number; jobs: number }>;
    rows: number;
    bytes: number;
    /** connections whose latest ended job in the range failed */
    failing: Array<{
      connectionId: string;
      name: string;
      jobId: string;
      state: string;
      date: string;
      failures: number;
    }>;
  };
}

/** Hours up to two days, days beyond: a chart of at most a few dozen bars either way. */
export function bucketOf(start: Date, end: Date): Bucket {
  return end.getTime() - start.getTime() <= 2 * 86_400_000 ? 'hour' : 'day';
}

const LIST_SIZE = 10;
const FLOWS_SHOWN = 15;
const FAILED = ['FAILED', 'KILLED', 'CANCELLED'];

const brief = `id, namespace, flow_id AS "flowId", state,
  to_char(created AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "startDate",
  to_char(ended AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "endDate"`;

const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;

/** The user's executions (the connections' jobs are the syncs part) created in the range. */
function executionScope(f: DashboardFilter): SqlFilter {
  return new SqlFilter()
    .add(f.startDate.toISOString(), (p) => `created >= ${p}::timestamptz`)
    .add(f.endDate.toISOString(), (p) => `created < ${p}::timestamptz`)
    .namespace(f.namespace)
    .add(CONNECTIONS_NAMESPACE, (p) => `namespace <> ${p}`);
}

function syncScope(f: DashboardFilter): SqlFilter {
  return new SqlFilter()
    .add(CONNECTIONS_NAMESPACE, (p) => `namespace = ${p}`)
    .add(f.startDate.toISOString(), (p) => `created >= ${p}::timestamptz`)
    .add(f.endDate.toISOString(), (p) => `created < ${p}::timestamptz`);
}

export async function dashboard(q: Queryable, f: DashboardFilter): Promise<Dashboard> {
  const bucket = bucketOf(f.startDate, f.endDate);
  const ex = executionScope(f);
  const sy = syncScope(f);
  const live = new SqlFilter().add(CONNECTIONS_NAMESPACE, (p) => `namespace <> ${p}`).namespace(f.namespace);
  // date_trunc on a timestamp without time zone: buckets are UTC hours and days whatever the session's zone
  const trunc = `date_trunc('${bucket}', created AT TIME ZONE 'UTC')`;
  const [timeline, durations, failures, running, syncTimeline, failing] = await Promise.all([
    // one index range per bucket, counted by state in a hash: grouping the range by a computed date
    // would sort every row (the planner cannot tell how few buckets there are)
    q.query<{ date: string; state: string; n: number }>(
      `SELECT to_char(b.start, 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS date, s.state, s.n
         FROM generate_series(date_trunc('${bucket}', $1::timestamptz AT TIME ZONE 'UTC'),
                              $2::timestamptz AT TIME ZONE 'UTC', interval '1 ${bucket}') b(start)
        CROSS JOIN LATERAL (
          SELECT state, count(*)::int AS n FROM executions
           ${ex.where} AND created >= b.start AT TIME ZONE 'UTC'
             AND created < (b.start + interval '1 ${bucket}') AT TIME ZONE 'UTC'
           GROUP BY state) s
        ORDER BY b.start, s.state`,
      ex.params,
    ),
    q.query<{ namespace: string; flowId: string; count: number; p50Ms: number; p95Ms: number }>(
      `SELECT namespace, "flowId", count,
              round(extract(epoch FROM p[1]) * 1000)::float8 AS "p50Ms",
              round(extract(epoch FROM p[2]) * 1000)::float8 AS "p95Ms"
         FROM (SELECT namespace, flow_id AS "flowId", count(*)::int AS count,
                      percentile_cont(ARRAY[0.5, 0.95]) WITHIN GROUP (ORDER BY ended - created) AS p
                 FROM executions ${ex.where} AND ended IS NOT NULL
                GROUP BY 1, 2) flows
        ORDER BY count DESC, 1, 2 LIMIT ${FLOWS_SHOWN}`,
      ex.params,
    ),
    q.query<ExecutionBrief>(
      `SELECT ${brief} FROM executions ${ex.where} AND state = ANY($${ex.params.length + 1}::text[])
        ORDER BY created DESC LIMIT ${LIST_SIZE}`,
      [...ex.params, FAILED],
    ),
    // running now, whatever the range: what an operator watches
    q.query<ExecutionBrief>(
      `SELECT ${brief} FROM executions ${live.where} AND ended IS NULL ORDER BY created DESC LIMIT ${LIST_SIZE}`,
      live.params,
    ),
    q.query<{ date: string; rows: string; bytes: string; jobs: number }>(
      `SELECT to_char(${trunc}, 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS date,
              coalesce(sum((tr -> 'outputs' ->> 'recordsCommitted')::bigint), 0)::text AS rows,
              coalesce(sum((tr -> 'outputs' ->> 'bytesEmitted')::bigint), 0)::text AS bytes,
              count(DISTINCT id)::int AS jobs
         FROM executions CROSS JOIN LATERAL json_array_elements(doc -> 'taskRunList') tr
         ${sy.where} AND tr ->> 'taskId' = '${SYNC_TASK_ID}'
        GROUP BY 1 ORDER BY 1`,
      sy.params,
    ),
    q.query<{
      connectionId: string;
      name: string;
      jobId: string;
      state: string;
      date: string;
      failures: number;
    }>(
      `SELECT latest.flow_id AS "connectionId", coalesce(c.name, latest.flow_id) AS name,
              latest.id AS "jobId", latest.state, ${iso('latest.created')} AS date, latest.failures
         FROM (SELECT DISTINCT ON (flow_id) flow_id, id, state, created,
                      count(*) FILTER (WHERE state = ANY($${sy.params.length + 1}::text[]))
                        OVER (PARTITION BY flow_id)::int AS failures
                 FROM executions ${sy.where} AND ended IS NOT NULL
                ORDER BY flow_id, created DESC) latest
         LEFT JOIN connections c ON c.id = latest.flow_id
        WHERE latest.state = ANY($${sy.params.length + 1}::text[])
        ORDER BY latest.created DESC LIMIT ${LIST_SIZE}`,
      [...sy.params, FAILED],
    ),
  ]);

  const byDate = new Map<string, Record<string, number>>();
  let total = 0;
  let succeeded = 0;
  let ended = 0;
  for (const row of timeline.rows) {
    const counts = byDate.get(row.date) ?? {};
    counts[row.state] = row.n;
    byDate.set(row.date, counts);
    total += row.n;
    if (row.state === 'SUCCESS' || row.state === 'WARNING') succeeded += row.n;
    if (row.state === 'SUCCESS' || row.state === 'WARNING' || FAILED.includes(row.state)) ended += row.n;
  }
  const syncs = syncTimeline.rows.map((r) => ({
    date: r.date,
    rows: Number(r.rows),
    bytes: Number(r.bytes),
    jobs: r.jobs,
  }));
  return {
    startDate: f.startDate.toISOString(),
    endDate: f.endDate.toISOString(),
    bucket,
    executions: {
      timeline: [...byDate].map(([date, counts]) => ({ date, counts })),
      total,
      successRatio: ended > 0 ? succeeded / ended : null,
      durations: durations.rows,
      failures: failures.rows,
      running: running.rows,
    },
    syncs: {
      timeline: syncs,
      rows: syncs.reduce((sum, s) => sum + s.rows, 0),
      bytes: syncs.reduce((sum, s) => sum + s.bytes, 0),
      failing: failing.rows,
    },
  };
}
