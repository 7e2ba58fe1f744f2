import type { Queryable } from './database.js';

export interface TriggerRow {
  namespace: string;
  flowId: string;
  triggerId: string;
  nextExecutionDate: string | null;
  lastExecutionDate: string | null;
  disabled: boolean;
  /** the execution it started last, which holds the trigger while it runs */
  executionId: string | null;
}

const SELECT = `SELECT namespace, flow_id AS "flowId", trigger_id AS "triggerId",
                       to_json(next_date)#>>'{}' AS "nextExecutionDate", to_json(last_date)#>>'{}' AS "lastExecutionDate",
                       disabled, state->>'executionId' AS "executionId"
                  FROM triggers`;

export async function searchTriggers(
  q: Queryable,
  namespace?: string,
  flowId?: string,
): Promise<TriggerRow[]> {
  const { rows } = await q.query<TriggerRow>(
    `${SELECT} WHERE ($1::text IS NULL OR namespace = $1 OR namespace LIKE $1 || '.%')
                 AND ($2::text IS NULL OR flow_id = $2)
      ORDER BY namespace, flow_id, trigger_id`,
    [namespace ?? null, flowId ?? null],
  );
  return rows;
}

type Key = { namespace: string; flowId: string; triggerId: string };

async function update(
  q: Queryable,
  key: Key,
  set: string,
  params: unknown[] = [],
): Promise<TriggerRow | undefined> {
  const { rows } = await q.query<TriggerRow>(
    `WITH changed AS (
       UPDATE triggers SET ${set} WHERE namespace = $1 AND flow_id = $2 AND trigger_id = $3 RETURNING *)
     ${SELECT.replace('FROM triggers', 'FROM changed')}`,
    [key.namespace, key.flowId, key.triggerId, ...params],
  );
  return rows[0];
}

export const setTriggerDisabled = (q: Queryable, key: Key, disabled: boolean) =>
  update(q, key, 'disabled = $4', [disabled]);

/** Sets a trigger's `disabled`, creating its row when the scheduler has not yet (it fills in the
 * next date at its next pass). */
export async function putTriggerDisabled(q: Queryable, key: Key, disabled: boolean): Promise<void> {
  await q.query(
    `INSERT INTO triggers (namespace, flow_id, trigger_id, disabled) VALUES ($1, $2, $3, $4)
     ON CONFLICT (namespace, flow_id, trigger_id) DO UPDATE SET disabled = EXCLUDED.disabled`,
    [key.namespace, key.flowId, key.triggerId, disabled],
  );
}

/** Releases a trigger held by the execution it started (for one that will never end by itself). */
export const unlockTrigger = (q: Queryable, key: Key) => update(q, key, `state = state - 'executionId'`);

/** Fires again every occurrence from `start` on, all at once as a backfill does; the next firing
 * (which rewrites the state) ends the backfill. */
export const backfillTrigger = (q: Queryable, key: Key, start: Date) =>
  update(q, key, `next_date = $4, state = state || '{"backfilling": true}'::jsonb`, [start.toISOString()]);
