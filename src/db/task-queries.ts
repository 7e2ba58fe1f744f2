import type { PurgedExecution } from '../engine/ports.js';
import type { ExecutionCount, PurgeLogsFilter, StoredLog } from '../tasks/platform.js';
import type { Database, Queryable } from './database.js';
import { SqlFilter } from './sql-filter.js';

// The SQL behind the tasks that read or purge the platform's own history (tasks/platform.ts).

const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'] as const;

export async function selectExecutionLogs(
  q: Queryable,
  query: { namespace: string; flowId: string; executionId: string; taskIds?: string[]; minLevel: string },
): Promise<StoredLog[]> {
  const levels = LEVELS.slice(Math.max(0, LEVELS.indexOf(query.minLevel as (typeof LEVELS)[number])));
  const { where, params } = new SqlFilter()
    .add(query.executionId, (p) => `execution_id = ${p}`)
    .add(query.namespace, (p) => `namespace = ${p}`)
    .add(query.flowId, (p) => `flow_id = ${p}`)
    .add(levels, (p) => `level = ANY(${p}::text[])`)
    .add(query.taskIds, (p) => `task_id = ANY(${p}::text[])`);
  const { rows } = await q.query<StoredLog>(
    `SELECT namespace, flow_id AS "flowId", execution_id AS "executionId", task_id AS "taskId",
            task_run_id AS "taskRunId", attempt, level, message, to_json(ts)#>>'{}' AS timestamp
       FROM logs ${where} ORDER BY id`,
    params,
  );
  return rows;
}

export async function countExecutionsPerFlow(
  q: Queryable,
  query: {
    flows?: Array<{ namespace: string; flowId: string }>;
    namespaces?: string[];
    states?: string[];
    startDate: string;
    endDate: string;
  },
): Promise<ExecutionCount[]> {
  const filter = new SqlFilter()
    .add(query.startDate, (p) => `created >= ${p}::timestamptz`)
    .add(query.endDate, (p) => `created <= ${p}::timestamptz`)
    .add(query.states?.length ? query.states : undefined, (p) => `state = ANY(${p}::text[])`);
  const params = [...filter.params];
  const one = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const either = [
    ...(query.flows ?? []).map((f) => `(namespace = ${one(f.namespace)} AND flow_id = ${one(f.flowId)})`),
    ...(query.namespaces ?? []).map((ns) => `namespace = ${one(ns)}`),
  ];
  if (either.length === 0) return [];
  const where = `${filter.where} AND (${either.join(' OR ')})`;
  const { rows } = await q.query<{ namespace: string; flowId: string; count: string }>(
    `SELECT namespace, flow_id AS "flowId", count(*) AS count FROM executions ${where}
      GROUP BY namespace, flow_id ORDER BY namespace, flow_id`,
    params,
  );
  return rows.map((r) => ({ namespace: r.namespace, flowId: r.flowId, count: Number(r.count) }));
}

/** Deletes ended executions matching the filter (with their logs when asked) in one transaction;
 * returns those deleted and how many log lines went. */
export async function deleteEndedExecutions(
  db: Database,
  f: { namespace?: string; flowId?: string; startDate?: string; endDate: string; states?: string[] },
  options: { executions: boolean; logs: boolean },
): Promise<{ executions: PurgedExecution[]; logsCount: number }> {
  const filter = new SqlFilter()
    .namespace(f.namespace)
    .add(f.flowId || undefined, (p) => `flow_id = ${p}`)
    .add(f.startDate || undefined, (p) => `created >= ${p}::timestamptz`)
    .add(f.endDate, (p) => `created <= ${p}::timestamptz`)
    .add(f.states?.length ? f.states : undefined, (p) => `state = ANY(${p}::text[])`);
  // a running execution (the one purging, say) is never deleted under its executor
  const where = `${filter.where} AND ended IS NOT NULL`;
  const params = filter.params;
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<PurgedExecution>(
      options.executions
        ? `DELETE FROM executions WHERE id IN (SELECT id FROM executions ${where} FOR UPDATE SKIP LOCKED)
           RETURNING id, namespace, flow_id AS "flowId"`
        : `SELECT id, namespace, flow_id AS "flowId" FROM executions ${where}`,
      params,
    );
    let logsCount = 0;
    if (options.logs && rows.length > 0) {
      const deleted = await tx.query('DELETE FROM logs WHERE execution_id = ANY($1::text[])', [
        rows.map((r) => r.id),
      ]);
      logsCount = deleted.rowCount;
    }
    return { executions: rows, logsCount };
  });
}

export async function deleteLogs(q: Queryable, f: PurgeLogsFilter): Promise<number> {
  const { where, params } = new SqlFilter()
    .namespace(f.namespace)
    .add(f.flowId || undefined, (p) => `flow_id = ${p}`)
    .add(f.executionId || undefined, (p) => `execution_id = ${p}`)
    .add(f.levels?.length ? f.levels : undefined, (p) => `level = ANY(${p}::text[])`)
    .add(f.startDate || undefined, (p) => `ts >= ${p}::timestamptz`)
    .add(f.endDate, (p) => `ts <= ${p}::timestamptz`);
  const { rowCount } = await q.query(`DELETE FROM logs ${where}`, params);
  return rowCount;
}
