import type { Execution } from '../engine/execution.js';
import type { Queryable } from './database.js';
import { SqlFilter } from './sql-filter.js';

export interface ExecutionFilter {
  namespace?: string;
  flowId?: string;
  states?: string[];
  startDate?: string;
  endDate?: string;
  labels?: Array<{ key: string; value: string }>;
  page: number;
  size: number;
}

/** Counting every match of a broad filter on millions of rows would cost more than the page
 * itself: totals stop at this number (the response says when it did). */
export const TOTAL_CAP = 10_000;

/** Executions newest first, filtered by namespace (with its children), flow, states, creation time
 * range and labels. */
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
  for (const label of f.labels ?? []) {
    filter.add(
      JSON.stringify(label),
      (p) =>
        `EXISTS (SELECT 1 FROM json_array_elements(doc->'labels') l WHERE l->>'key' = (${p}::json)->>'key' AND l->>'value' = (${p}::json)->>'value')`,
    );
  }
  const { where, params } = filter;
  // on a pool the page and the capped count run side by side
  const [{ rows }, { rows: counted }] = await Promise.all([
    q.query<{ doc: Execution }>(
      `SELECT doc FROM executions ${where} ORDER BY created DESC, id LIMIT ${f.size} OFFSET ${(f.page - 1) * f.size}`,
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
