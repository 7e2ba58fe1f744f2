import { CONNECTIONS_NAMESPACE, type FlowScope } from '../connections/connection.js';
import type { Execution } from '../engine/execution.js';
import type { Queryable } from './database.js';
import { SqlFilter } from './sql-filter.js';

/** Kestra's sort keys (`sort=state.startDate:desc`) and the column or expression each orders by. */
export const EXECUTION_SORTS = {
  id: 'id',
  'state.startDate': 'created',
  'state.endDate': 'ended',
  // running executions have no duration yet: they sort as the longest (NULLs first when descending)
  'state.duration': '(ended - created)',
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
  /** free text found, in any case, in `namespace.flowId`, the execution id or a label's value */
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
  const text = q?.trim().toLowerCase();
  // the generated search_text column (migration 0014) holds namespace.flowId, the id and label values
  if (text) filter.add(text, (p) => `strpos(search_text, ${p}) > 0`);
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
  const order = orderBy(f.sort);
  // on a pool the page and the capped count run side by side
  const [{ rows }, { rows: counted }] = await Promise.all([
    // the page's ids first, from an index alone when the filter allows (executions_search), then
    // only their documents: reading a document for every row skipped would read the whole table
    q.query<{ doc: Execution }>(
      `SELECT doc FROM executions WHERE id IN (
         SELECT id FROM executions ${where} ORDER BY ${order} LIMIT ${f.size} OFFSET ${(f.page - 1) * f.size})
       ORDER BY ${order}`,
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
