import type { Database, Queryable } from '../db/database.js';
import type { Consumer, QueueSignals } from '../engine/ports.js';
import { storableJson } from '../engine/storable-text.js';

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

/** A message to write, as the statements below take them (a JSON array, one parameter). */
export interface OutgoingMessage extends EmitOptions {
  consumer: Consumer;
  payload: unknown;
}

/** The JSON text of messages for insertMessagesSql, with what PostgreSQL cannot hold (NUL, lone
 * surrogates) replaced: one such character in a payload would make every read of it fail. */
export function messagesParam(messages: OutgoingMessage[]): string {
  return storableJson(
    JSON.stringify(
      messages.map((m) => ({
        consumer: m.consumer,
        key: m.key ?? null,
        workerGroup: m.workerGroup ?? null,
        payload: m.payload,
        delayMs: m.delayMs && m.delayMs > 0 ? m.delayMs : 0,
      })),
    ),
  );
}

/** A CTE body inserting the messages of a JSON array parameter in their order (queue ids keep it),
 * returning what notifyQueuedSql needs. json, not jsonb, as the payload column is. */
export function insertMessagesSql(param: string): string {
  return `INSERT INTO queue (consumer, key, worker_group, payload, available_at)
    SELECT m->>'consumer', m->>'key', m->>'workerGroup', m->'payload',
           now() + make_interval(secs => (m->>'delayMs')::double precision / 1000)
      FROM json_array_elements(${param}::json) WITH ORDINALITY AS x(m, n)
     ORDER BY n
    RETURNING consumer, available_at`;
}

/** One NOTIFY per consumer that has a message available now among those a CTE inserted. */
export function notifyQueuedSql(cte: string): string {
  return `SELECT pg_notify('${QUEUE_CHANNEL}', consumer)
    FROM (SELECT DISTINCT consumer FROM ${cte} WHERE available_at <= now()) available`;
}

/** Writes a message in the caller's transaction, with its NOTIFY (delivered when that transaction
 * commits) in the same statement. */
export async function emit(tx: Queryable, consumer: Consumer, payload: unknown, options: EmitOptions = {}) {
  await emitAll(tx, [{ consumer, payload, ...options }]);
}

/** Writes messages in order in one statement, with one NOTIFY per consumer woken. */
export async function emitAll(tx: Queryable, messages: OutgoingMessage[]): Promise<void> {
  if (messages.length === 0) return;
  await tx.query(`WITH queued AS (${insertMessagesSql('$1')}) ${notifyQueuedSql('queued')}`, [
    messagesParam(messages),
  ]);
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
  };
}
