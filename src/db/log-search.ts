import type { LogLine } from '../engine/messages.js';
import type { Queryable } from './database.js';
import { SqlFilter } from './sql-filter.js';

const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'] as const;

export interface LogFilter {
  namespace?: string;
  flowId?: string;
  executionId?: string;
  taskRunId?: string;
  /** this level and above */
  minLevel?: (typeof LEVELS)[number];
  text?: string;
  startDate?: string;
  endDate?: string;
  /** only lines after this one (following a stream) */
  afterId?: number;
  /** the newest lines first (a log page read from its end) */
  newestFirst?: boolean;
  page: number;
  size: number;
}

export type StoredLogLine = LogLine & { id: number };

/** Log lines in the order they were written (or newest first), filtered. */
export async function searchLogs(q: Queryable, f: LogFilter): Promise<StoredLogLine[]> {
  const { where, params } = new SqlFilter()
    .namespace(f.namespace)
    .add(f.flowId || undefined, (p) => `flow_id = ${p}`)
    .add(f.executionId || undefined, (p) => `execution_id = ${p}`)
    .add(f.taskRunId || undefined, (p) => `task_run_id = ${p}`)
    .add(
      f.minLevel ? LEVELS.slice(LEVELS.indexOf(f.minLevel)) : undefined,
      (p) => `level = ANY(${p}::text[])`,
    )
    .add(f.text || undefined, (p) => `message ILIKE '%' || ${p} || '%'`)
    .add(f.startDate || undefined, (p) => `ts >= ${p}::timestamptz`)
    .add(f.endDate || undefined, (p) => `ts <= ${p}::timestamptz`)
    .add(f.afterId, (p) => `id > ${p}`);
  const { rows } = await q.query<StoredLogLine>(
    `SELECT id, execution_id AS "executionId", namespace, flow_id AS "flowId", task_id AS "taskId",
            task_run_id AS "taskRunId", attempt, level, message, to_json(ts)#>>'{}' AS ts
       FROM logs ${where}
      ORDER BY id ${f.newestFirst ? 'DESC' : ''} LIMIT ${f.size} OFFSET ${(f.page - 1) * f.size}`,
    params,
  );
  return rows;
}

export function isLevel(value: string): value is (typeof LEVELS)[number] {
  return (LEVELS as readonly string[]).includes(value);
}
