import type { PreconditionStore, Window } from '../engine/preconditions.js';
import type { Queryable } from './database.js';

interface WindowRow {
  start_date: Date | string;
  end_date: Date | string;
  met: string[];
}

const toWindow = (row: WindowRow): Window => ({
  start: new Date(row.start_date),
  end: new Date(row.end_date),
  met: row.met,
});

/** Kestra's isValid: a window is open strictly between its start and end. */
const OPEN = (table: string) => `(${table}.start_date < $5 AND ${table}.end_date > $5)`;

export function preconditionStore(tx: Queryable): PreconditionStore {
  return {
    async merge(key, fresh, met, now) {
      const params = [key.namespace, key.flowId, key.triggerId, key.conditionId, now.toISOString()];
      if (met.length === 0) {
        const { rows } = await tx.query<WindowRow>(
          `SELECT start_date, end_date, met FROM precondition_windows w
            WHERE namespace = $1 AND flow_id = $2 AND trigger_id = $3 AND condition_id = $4 AND ${OPEN('w')}`,
          params,
        );
        return rows[0] && toWindow(rows[0]);
      }
      // one statement, so that the row lock serialises replicas merging into the same window; a
      // window no longer open is replaced by the fresh one
      const { rows } = await tx.query<WindowRow>(
        `INSERT INTO precondition_windows AS w (namespace, flow_id, trigger_id, condition_id, start_date, end_date, met)
         VALUES ($1, $2, $3, $4, $6, $7, $8::jsonb)
         ON CONFLICT (namespace, flow_id, trigger_id, condition_id) DO UPDATE SET
           start_date = CASE WHEN ${OPEN('w')} THEN w.start_date ELSE EXCLUDED.start_date END,
           end_date = CASE WHEN ${OPEN('w')} THEN w.end_date ELSE EXCLUDED.end_date END,
           met = CASE WHEN ${OPEN('w')}
                      THEN (SELECT jsonb_agg(DISTINCT m) FROM jsonb_array_elements_text(w.met || EXCLUDED.met) m)
                      ELSE EXCLUDED.met END
         RETURNING start_date, end_date, met`,
        [...params, fresh.start.toISOString(), fresh.end.toISOString(), JSON.stringify(met)],
      );
      return toWindow(rows[0]);
    },
    async delete(key) {
      await tx.query(
        `DELETE FROM precondition_windows WHERE namespace = $1 AND flow_id = $2 AND trigger_id = $3 AND condition_id = $4`,
        [key.namespace, key.flowId, key.triggerId, key.conditionId],
      );
    },
    async purgeExpired(now) {
      await tx.query('DELETE FROM precondition_windows WHERE end_date < $1', [now.toISOString()]);
    },
  };
}
