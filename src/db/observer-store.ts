import type { ExecutionNotice } from '../engine/ports.js';
import type { Database, Queryable } from './database.js';

/** Claims and deletes a batch of observer notices, and hands them to `fn` in the same transaction:
 * what `fn` writes commits together with their consumption. Returns how many were claimed. */
export async function processObserverNotices(
  db: Database,
  fn: (tx: Queryable, notices: ExecutionNotice[]) => Promise<void>,
  limit = 100,
): Promise<number> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ id: string; payload: ExecutionNotice }>(
      `DELETE FROM queue WHERE id IN (
         SELECT id FROM queue WHERE consumer = 'observer' AND available_at <= now()
          ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING id, payload`,
      [limit],
    );
    if (rows.length === 0) return 0;
    rows.sort((a, b) => Number(a.id) - Number(b.id));
    await fn(
      tx,
      rows.map((r) => r.payload),
    );
    return rows.length;
  });
}
