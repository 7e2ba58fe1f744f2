import { CONNECTIONS_NAMESPACE, type FlowScope } from '../connections/connection.js';
import type { Execution } from '../engine/execution.js';
import type { Queryable } from './database.js';
import { SqlFilter } from './sql-filter.js';

/** Kestra's sort keys (`sort=state.startDate:desc`) and the column or expression each orders by. */
export const EXECUTION_SORTS = {
  id: 'id',
  'state.startDate': 'created',
  'state.endDate': 'ended',
  'state.duration': 'coalesce(ended, now()) - created',
  namespace: 'namespace',
  flowId: 'flow_id',
  'state.current': 'state',
} as const;

export type ExecutionSortKey = keyof typeof EXECUTION_SORTS;

export interface ExecutionSort {
  key: ExecutionSortKey;
  descending: boolean;
}

export interface ExecutionFilter {
  namespace?: string;
  flowId?: string;
  /** free text: a prefix of the flow id or of the execution id, or a part of `namespace.flowId` or
   * of a label's value, case-insensitive */
  q?: string;
  states?: string[];
  startDate?: string;
  endDate?: string;
  labels?: Array<{ key: string; value: string }>;
  /** absent or both: every execution */
  scopes?: FlowScope[];
  /** absent: newest first */
  sort?: ExecutionSort[];
  page: number;
  size: number;
}

/** Counting every match of a broad filter on millions of rows would cost more than the page
 * itself: totals stop at this number (the response says when it did). */
export const TOTAL_CAP = 10_000;

function textFilter(filter: SqlFilter, q: string | undefined): void {
  const text = q?.trim();
  if (!text) return;
  filter.add(text, (p) => {
    const lower = `lower(${p}::text)`;
    return `(
      (flow_id COLLATE "C" >= ${p} AND flow_id COLLATE "C" < ${p} || chr(1114111))
      OR strpos(lower(namespace || '.' || flow_id), ${lower}) > 0
      OR EXISTS (SELECT 1 FROM jsonb_array_elements(labels) l WHERE strpos(lower(l->>'value'), ${lower}) > 0)
      OR starts_with(id, ${p}))`;
  });
}

function scopeFilter(filter: SqlFilter, scopes: FlowScope[] | undefined): void {
  const only = new Set(scopes ?? []);
  if (only.size !== 1) return;
  filter.add(CONNECTIONS_NAMESPACE, (p) => (only.has('USER') ? `namespace <> ${p}` : `namespace = ${p}`));
}

function orderBy(sort: ExecutionSort[] | undefined): string {
  const keys = (sort ?? []).map((s) => `${EXECUTION_SORTS[s.key]} ${s.descending ? 'DESC' : 'ASC'}`);
  // newest first breaks ties, and the id makes the order total so that pages never overlap
  return [...keys, 'created DESC', 'id'].join(', ');
}

/** Executions filtered by namespace (with its children), flow, text, states, creation time range,
 * labels and scope; sorted (newest first by default), a page at a time, with a capped total. */
export async function searchExecutions(
  q: Queryable,
  f: ExecutionFilter,
): Promise<{ results: Execution[]; total: number; totalCapped: boolean }> {
  const filter = new SqlFilter()
    .namespace(f.namespace)
    .add(f.flowId || undefined, (p) => `flow_id = ${p}`)
    .add(f.states?.length ? f.states : undefined, (p) => `state = ANY(${p}::text[])`)
    .add(f.startDate || undefined, (p) => `created >= ${p}::timestamptz`)
    .add(f.endDate || undefined, (p) => `created <= ${p}::timestamptz`);
  textFilter(filter, f.q);
  scopeFilter(filter, f.scopes);
  for (const label of f.labels ?? []) {
    // containment, which the GIN index on labels serves (migration 0014)
    filter.add(JSON.stringify([label]), (p) => `labels @> ${p}::jsonb`);
  }
  const { where, params } = filter;
  // on a pool the page and the capped count run side by side
  const [{ rows }, { rows: counted }] = await Promise.all([
    q.query<{ doc: Execution }>(
      `SELECT doc FROM executions ${where} ORDER BY ${orderBy(f.sort)} LIMIT ${f.size} OFFSET ${(f.page - 1) * f.size}`,
      params,
    ),
    q.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (SELECT 1 FROM executions ${where} LIMIT ${TOTAL_CAP + 1}) capped`,
      params,
    ),
  ]);
  const n = counted[0]?.n ?? 0;
  return { results: rows.map((r) => r.doc), total: Math.min(n, TOTAL_CAP), totalCapped: n > TOTAL_CAP };
}
