import type { Backfill } from '../engine/backfill.js';
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
  /** the latest backfill asked through the API, running or done */
  backfill: Backfill | null;
}

/** A trigger as the flow declares it, with the scheduler's row when it has one (Schedule triggers). */
export interface TriggerListing extends TriggerRow {
  type: string;
  /** the scheduler keeps a row for it: it can be disabled, unlocked and backfilled */
  scheduled: boolean;
}

const SELECT = `SELECT namespace, flow_id AS "flowId", trigger_id AS "triggerId",
                       to_json(next_date)#>>'{}' AS "nextExecutionDate", to_json(last_date)#>>'{}' AS "lastExecutionDate",
                       disabled, state->>'executionId' AS "executionId", state->'backfill' AS backfill
                  FROM triggers`;

/** Every trigger of every live flow (a namespace with its children, or one flow), with the
 * scheduler's row when it keeps one. */
export async function searchTriggers(
  q: Queryable,
  namespace?: string,
  flowId?: string,
): Promise<TriggerListing[]> {
  const { rows } = await q.query<TriggerListing>(
    `SELECT f.namespace, f.id AS "flowId", t.def->>'id' AS "triggerId", t.def->>'type' AS type,
            r.namespace IS NOT NULL AS scheduled,
            to_json(r.next_date)#>>'{}' AS "nextExecutionDate", to_json(r.last_date)#>>'{}' AS "lastExecutionDate",
            coalesce(r.disabled, false) OR coalesce((t.def->>'disabled')::boolean, false) AS disabled,
            r.state->>'executionId' AS "executionId", r.state->'backfill' AS backfill
       FROM (SELECT DISTINCT ON (namespace, id) namespace, id, flow, deleted FROM flows
              WHERE ($1::text IS NULL OR namespace = $1 OR namespace LIKE $1 || '.%')
                AND ($2::text IS NULL OR id = $2)
              ORDER BY namespace, id, revision DESC) f
      CROSS JOIN LATERAL jsonb_array_elements(coalesce(f.flow->'triggers', '[]'::jsonb)) t(def)
       LEFT JOIN triggers r ON r.namespace = f.namespace AND r.flow_id = f.id AND r.trigger_id = t.def->>'id'
      WHERE NOT f.deleted
      ORDER BY f.namespace, f.id, t.def->>'id'`,
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

/** Fires again every occurrence from `first` on, as `backfill` says (src/engine/backfill.ts). */
export const backfillTrigger = (q: Queryable, key: Key, first: Date, backfill: Backfill) =>
  update(q, key, `next_date = $4, state = state || jsonb_build_object('backfill', $5::jsonb)`, [
    first.toISOString(),
    JSON.stringify(backfill),
  ]);
