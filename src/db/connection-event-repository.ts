import type { Queryable } from './database.js';

export interface ConnectionEventRow {
  id: string;
  connectionId: string;
  eventType: string;
  jobId: string | null;
  summary: Record<string, unknown>;
  createdAt: string;
}

const COLUMNS = `id, connection_id AS "connectionId", event_type AS "eventType", job_id AS "jobId", summary,
                 to_json(created)#>>'{}' AS "createdAt"`;

/** Stores an event; a job's event already stored (same job and type) is not stored again, and then
 * undefined comes back. */
export async function insertConnectionEvent(
  q: Queryable,
  e: Omit<ConnectionEventRow, 'createdAt'> & { createdAt?: string },
): Promise<ConnectionEventRow | undefined> {
  const { rows } = await q.query<ConnectionEventRow>(
    `INSERT INTO connection_events (id, connection_id, event_type, job_id, summary, created)
     VALUES ($1, $2, $3, $4, $5, coalesce($6::timestamptz, now()))
     ON CONFLICT DO NOTHING
     RETURNING ${COLUMNS}`,
    [e.id, e.connectionId, e.eventType, e.jobId, JSON.stringify(e.summary), e.createdAt ?? null],
  );
  return rows[0];
}

export interface ConnectionEventFilter {
  connectionId: string;
  eventTypes?: string[];
  createdAtStart?: string;
  createdAtEnd?: string;
  limit: number;
  offset: number;
}

/** Newest first. */
export async function listConnectionEvents(
  q: Queryable,
  f: ConnectionEventFilter,
): Promise<ConnectionEventRow[]> {
  const { rows } = await q.query<ConnectionEventRow>(
    `SELECT ${COLUMNS} FROM connection_events
      WHERE connection_id = $1
        AND ($2::text[] IS NULL OR event_type = ANY($2))
        AND ($3::timestamptz IS NULL OR created >= $3)
        AND ($4::timestamptz IS NULL OR created <= $4)
      ORDER BY created DESC, id DESC LIMIT $5 OFFSET $6`,
    [
      f.connectionId,
      f.eventTypes?.length ? f.eventTypes : null,
      f.createdAtStart ?? null,
      f.createdAtEnd ?? null,
      f.limit,
      f.offset,
    ],
  );
  return rows;
}

export async function getConnectionEvent(q: Queryable, id: string): Promise<ConnectionEventRow | undefined> {
  const { rows } = await q.query<ConnectionEventRow>(
    `SELECT ${COLUMNS} FROM connection_events WHERE id = $1`,
    [id],
  );
  return rows[0];
}

export async function deleteConnectionEvents(q: Queryable, connectionId: string): Promise<void> {
  await q.query('DELETE FROM connection_events WHERE connection_id = $1', [connectionId]);
}
