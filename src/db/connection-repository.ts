import type { ConnectionSettings } from '../connections/connection.js';
import type { AirbyteCatalog } from '../protocol/messages.js';
import type { Queryable } from './database.js';

export interface ConnectionRow {
  id: string;
  name: string;
  sourceId: string;
  destinationId: string;
  settings: ConnectionSettings;
  /** the source's catalog the connection was last configured against (schema-changes.ts) */
  catalog?: AirbyteCatalog | null;
  created: string;
  updated: string;
}

const SELECT = `SELECT id, name, source_id AS "sourceId", destination_id AS "destinationId", settings, catalog,
                       to_json(created)#>>'{}' AS created, to_json(updated)#>>'{}' AS updated
                  FROM connections`;

export async function getConnection(q: Queryable, id: string): Promise<ConnectionRow | undefined> {
  const { rows } = await q.query<ConnectionRow>(`${SELECT} WHERE id = $1`, [id]);
  return rows[0];
}

export async function listConnections(q: Queryable, limit: number, offset: number): Promise<ConnectionRow[]> {
  const { rows } = await q.query<ConnectionRow>(`${SELECT} ORDER BY created, id LIMIT $1 OFFSET $2`, [
    limit,
    offset,
  ]);
  return rows;
}

export async function connectionsOf(q: Queryable, actorId: string): Promise<ConnectionRow[]> {
  const { rows } = await q.query<ConnectionRow>(`${SELECT} WHERE source_id = $1 OR destination_id = $1`, [
    actorId,
  ]);
  return rows;
}

export async function saveConnection(
  q: Queryable,
  c: Omit<ConnectionRow, 'created' | 'updated'>,
): Promise<ConnectionRow> {
  await q.query(
    `INSERT INTO connections (id, name, source_id, destination_id, settings, catalog)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb)
     ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, settings = EXCLUDED.settings,
       catalog = coalesce(EXCLUDED.catalog, connections.catalog), updated = now()`,
    [
      c.id,
      c.name,
      c.sourceId,
      c.destinationId,
      JSON.stringify(c.settings),
      c.catalog ? JSON.stringify(c.catalog) : null,
    ],
  );
  return (await getConnection(q, c.id))!;
}

export async function deleteConnection(q: Queryable, id: string): Promise<boolean> {
  const { rowCount } = await q.query('DELETE FROM connections WHERE id = $1', [id]);
  return rowCount > 0;
}
