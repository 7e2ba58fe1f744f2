import type { RetentionBackend } from '../engine/ports.js';
import type { Database } from './database.js';
import { purgeExpiredKeys } from './kv-store.js';

// Deletes in bounded batches so that one purge never holds long locks on busy tables.
export function createRetentionBackend(db: Database): RetentionBackend {
  return {
    purgeExecutions: (endedBefore, limit) =>
      db.transaction(async (tx) => {
        const { rows } = await tx.query<{ id: string; namespace: string; flowId: string }>(
          `DELETE FROM executions WHERE id IN (
             SELECT id FROM executions WHERE ended IS NOT NULL AND ended < $1
              ORDER BY ended LIMIT $2 FOR UPDATE SKIP LOCKED)
           RETURNING id, namespace, flow_id AS "flowId"`,
          [endedBefore.toISOString(), limit],
        );
        if (rows.length > 0) {
          await tx.query('DELETE FROM logs WHERE execution_id = ANY($1::text[])', [rows.map((r) => r.id)]);
        }
        return rows;
      }),
    async purgeLogs(before, limit) {
      const { rowCount } = await db.query(
        'DELETE FROM logs WHERE id IN (SELECT id FROM logs WHERE ts < $1 ORDER BY id LIMIT $2)',
        [before.toISOString(), limit],
      );
      return rowCount;
    },
    purgeExpiredKeys: (limit) => purgeExpiredKeys(db, limit),
  };
}
