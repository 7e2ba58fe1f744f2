import type { DueTrigger, SchedulerBackend, SchedulerTx } from '../engine/scheduler.js';
import { type EndedExecution, FLOW_TRIGGER } from '../engine/flow-trigger.js';
import { isScheduled } from '../engine/schedule.js';
import type { Flow } from '../flow/model.js';
import { emit } from '../queue/postgres-queue.js';
import type { Database, Queryable } from './database.js';
import { insertExecution } from './engine-store.js';
import { getFlow } from './flow-repository.js';
import { preconditionStore } from './precondition-store.js';
import type { Execution } from '../engine/execution.js';

const LATEST_FLOWS_WITH_TRIGGERS = `
  SELECT DISTINCT ON (namespace, id) namespace, id, revision, flow, deleted
    FROM flows ORDER BY namespace, id, revision DESC`;

function schedulerTx(tx: Queryable): SchedulerTx {
  return {
    getFlow: (namespace, id) => getFlow(tx, namespace, id),
    async getExecution(id) {
      const { rows } = await tx.query<{ doc: Execution }>('SELECT doc FROM executions WHERE id = $1', [id]);
      return rows[0]?.doc;
    },
    preconditions: preconditionStore(tx),
    createExecution: (execution) => insertExecution(tx, execution),
    emitExecutor: (message) => emit(tx, 'executor', message, { key: message.executionId }),
    async disableTrigger(namespace, flowId, triggerId) {
      await tx.query(
        'UPDATE triggers SET disabled = true WHERE namespace = $1 AND flow_id = $2 AND trigger_id = $3',
        [namespace, flowId, triggerId],
      );
    },
    async updateTrigger(trigger, next, last, executionId, backfill) {
      await tx.query(
        `UPDATE triggers SET next_date = $4, last_date = coalesce($5, last_date),
                state = CASE WHEN $6::text IS NULL THEN state ELSE jsonb_set(state, '{executionId}', to_jsonb($6::text)) END
                        || CASE WHEN $7::jsonb IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('backfill', $7::jsonb) END
          WHERE namespace = $1 AND flow_id = $2 AND trigger_id = $3`,
        [
          trigger.namespace,
          trigger.flowId,
          trigger.triggerId,
          next?.toISOString() ?? null,
          last?.toISOString() ?? null,
          executionId ?? null,
          backfill ? JSON.stringify(backfill) : null,
        ],
      );
    },
  };
}

export function createSchedulerBackend(db: Database): SchedulerBackend {
  return {
    async reconcile(first) {
      // Replicas reconcile one at a time, each reading the flows once it holds the lock. A replica
      // that read them just before a deploy would otherwise delete the row another replica had just
      // created for the new flow (and perhaps fired), and the row recreated next tick would fire the
      // same occurrences again: a backfill, twice.
      await db.transaction(async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['sluice:reconcile-triggers']);
        const { rows } = await tx.query<{ namespace: string; id: string; flow: Flow; deleted: boolean }>(
          LATEST_FLOWS_WITH_TRIGGERS,
        );
        const wanted: Array<[string, string, string, string | null]> = [];
        for (const row of rows) {
          if (row.deleted || row.flow.disabled) continue;
          for (const t of row.flow.triggers ?? []) {
            if (!isScheduled(t) || t.disabled) continue;
            wanted.push([row.namespace, row.id, t.id, first(row.flow, t)?.toISOString() ?? null]);
          }
        }
        await tx.query(
          `DELETE FROM triggers t WHERE NOT EXISTS (
             SELECT 1 FROM jsonb_to_recordset($1::jsonb) AS w(ns text, flow text, trig text)
              WHERE w.ns = t.namespace AND w.flow = t.flow_id AND w.trig = t.trigger_id)`,
          [JSON.stringify(wanted.map(([ns, flow, trig]) => ({ ns, flow, trig })))],
        );
        await tx.query(
          `INSERT INTO triggers (namespace, flow_id, trigger_id, next_date)
           SELECT ns, flow, trig, next FROM jsonb_to_recordset($1::jsonb) AS w(ns text, flow text, trig text, next timestamptz)
           ON CONFLICT (namespace, flow_id, trigger_id) DO UPDATE SET next_date = EXCLUDED.next_date
             WHERE triggers.next_date IS NULL AND triggers.last_date IS NULL`,
          [JSON.stringify(wanted.map(([ns, flow, trig, next]) => ({ ns, flow, trig, next })))],
        );
      });
    },
    async processDue(now, fn) {
      await db.transaction(async (tx) => {
        const { rows } = await tx.query<DueTrigger>(
          `SELECT t.namespace, t.flow_id AS "flowId", t.trigger_id AS "triggerId",
                  to_json(t.next_date)#>>'{}' AS "nextDate", to_json(t.last_date)#>>'{}' AS "lastDate",
                  (e.id IS NOT NULL AND e.ended IS NULL) AS "previousRunning",
                  t.state->'backfill' AS "backfill"
             FROM triggers t LEFT JOIN executions e ON e.id = t.state->>'executionId'
            WHERE t.next_date <= $1 AND NOT t.disabled
            ORDER BY t.next_date LIMIT 100 FOR UPDATE OF t SKIP LOCKED`,
          [now.toISOString()],
        );
        if (rows.length === 0) return;
        await fn(schedulerTx(tx), rows);
      });
    },
    async processEnded(fn) {
      await db.transaction(async (tx) => {
        const { rows } = await tx.query<{ payload: EndedExecution }>(
          `DELETE FROM queue WHERE id IN (
             SELECT id FROM queue WHERE consumer = 'scheduler' AND available_at <= now()
              ORDER BY id LIMIT 500 FOR UPDATE SKIP LOCKED)
           RETURNING payload`,
        );
        if (rows.length === 0) return;
        // the live revision of every flow with a Flow trigger (jsonb containment, no full decode)
        const { rows: flows } = await tx.query<{ flow: Flow; revision: number }>(
          `SELECT flow, revision FROM (
             SELECT DISTINCT ON (namespace, id) flow, revision, deleted FROM flows
              ORDER BY namespace, id, revision DESC) latest
            WHERE NOT deleted AND flow @> $1::jsonb`,
          [JSON.stringify({ triggers: [{ type: FLOW_TRIGGER }] })],
        );
        await fn(
          schedulerTx(tx),
          rows.map((r) => r.payload),
          flows.map((f) => ({ ...f.flow, revision: f.revision })),
        );
      });
    },
  };
}
