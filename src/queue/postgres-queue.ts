import type { Database, Queryable } from '../db/database.js';
import type { Consumer, QueueSignals } from '../engine/ports.js';

// The queue as Kestra's JDBC backend keeps it: one table, one row a message, claimed with
// FOR UPDATE SKIP LOCKED so competing consumers never take the same row, and deleted by the
// transaction that processes it (processed messages never accumulate).

export const QUEUE_CHANNEL = 'sluice_queue';
export const KILL_CHANNEL = 'sluice_kill';

export interface EmitOptions {
  key?: string;
  delayMs?: number;
  workerGroup?: string | null;
}

/** Writes a message in the caller's transaction; NOTIFY is delivered when that transaction commits. */
export async function emit(tx: Queryable, consumer: Consumer, payload: unknown, options: EmitOptions = {}) {
  const delay = options.delayMs && options.delayMs > 0 ? options.delayMs : 0;
  await tx.query(
    `INSERT INTO queue (consumer, key, worker_group, payload, available_at)
     VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5::double precision / 1000))`,
    [consumer, options.key ?? null, options.workerGroup ?? null, JSON.stringify(payload), delay],
  );
  if (delay === 0) await tx.query('SELECT pg_notify($1, $2)', [QUEUE_CHANNEL, consumer]);
}

/** Takes every available message of the oldest waiting key, locking them for this transaction. */
export async function claimOneKey<T>(tx: Queryable, consumer: Consumer): Promise<T[]> {
  const { rows } = await tx.query<{ id: number; payload: T }>(
    `WITH first AS (
       SELECT key FROM queue
        WHERE consumer = $1 AND available_at <= now()
        ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
     DELETE FROM queue WHERE id IN (
       SELECT q.id FROM queue q, first
        WHERE q.consumer = $1 AND q.key = first.key AND q.available_at <= now()
        FOR UPDATE OF q SKIP LOCKED)
     RETURNING id, payload`,
    [consumer],
  );
  return rows.sort((a, b) => a.id - b.id).map((r) => r.payload);
}

export function createQueueSignals(db: Database): QueueSignals {
  return {
    async subscribe(consumer, wake) {
      return db.listen(QUEUE_CHANNEL, (payload) => {
        if (payload === consumer) wake();
      });
    },
    subscribeKills(onKill) {
      return db.listen(KILL_CHANNEL, onKill);
    },
    // Only messages still in the future: one available now is either announced by a NOTIFY or held
    // by another consumer's open transaction, and counting those made idle loops poll every
    // millisecond while a busy one committed.
    async nextDueIn(consumer) {
      const { rows } = await db.query<{ ms: number | null }>(
        `SELECT extract(epoch FROM (min(available_at) - now())) * 1000 AS ms FROM queue
          WHERE consumer = $1 AND available_at > now()`,
        [consumer],
      );
      const ms = rows[0]?.ms;
      return ms === null || ms === undefined ? undefined : Math.max(0, Number(ms));
    },
  };
}
