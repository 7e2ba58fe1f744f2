import { hostname } from 'node:os';
import type { LivenessBackend } from '../engine/ports.js';
import type { Database, Queryable } from './database.js';

// Re-emitted jobs keep their attempt number: the executor takes the first result of an attempt and
// drops any later one, so a worker that was only slow (not dead) cannot make a task run twice count.
// Jobs of executions that have ended (killed included) are dropped, never re-run.
async function handBackIn(tx: Queryable, workerId: string, except?: string[]): Promise<number> {
  const { rows } = await tx.query<{ n: number }>(
    `WITH gone AS (
       DELETE FROM worker_job_running
        WHERE worker_id = $1
          AND ($2::text[] IS NULL OR (NOT task_run_id = ANY($2::text[]) AND started < now() - interval '5 seconds'))
       RETURNING execution_id, job),
     requeued AS (
       INSERT INTO queue (consumer, key, worker_group, payload)
       SELECT 'worker', g.execution_id, g.job->'task'->'workerGroup'->>'key', g.job FROM gone g
         JOIN executions e ON e.id = g.execution_id AND e.ended IS NULL
       RETURNING 1)
     SELECT count(*)::int AS n FROM requeued`,
    [workerId, except ?? null],
  );
  const n = rows[0]?.n ?? 0;
  if (n > 0) await tx.query(`SELECT pg_notify('sluice_queue', 'worker')`);
  return n;
}

export function createLivenessBackend(db: Database): LivenessBackend {
  return {
    async register(id, role, workerGroup) {
      await db.query(
        `INSERT INTO service_instances (id, role, hostname, pid, worker_group) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (id) DO UPDATE SET heartbeat = now()`,
        [id, role, hostname(), process.pid, workerGroup ?? null],
      );
    },
    async heartbeat(id) {
      const { rowCount } = await db.query('UPDATE service_instances SET heartbeat = now() WHERE id = $1', [
        id,
      ]);
      return rowCount > 0;
    },
    async deregister(id) {
      await db.query('DELETE FROM service_instances WHERE id = $1', [id]);
    },
    handBack: (workerId, except) => db.transaction((tx) => handBackIn(tx, workerId, except)),
    async sweep(timeoutMs) {
      return db.transaction(async (tx) => {
        const { rows } = await tx.query<{ id: string }>(
          `DELETE FROM service_instances WHERE id IN (
             SELECT id FROM service_instances
              WHERE heartbeat < now() - make_interval(secs => $1::double precision / 1000)
              FOR UPDATE SKIP LOCKED)
           RETURNING id`,
          [timeoutMs],
        );
        for (const r of rows) await handBackIn(tx, r.id);
        return rows.map((r) => r.id);
      });
    },
  };
}
