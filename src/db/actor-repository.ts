// Sources, destinations and registered connector definitions. Configurations arrive here with their
// secret fields already encrypted (app/connections.ts): this module never sees a clear secret.
import type { AirbyteCatalog, JsonObject } from '../protocol/messages.js';
import type { Queryable } from './database.js';

export type ActorKind = 'source' | 'destination';

export interface ActorRow {
  id: string;
  kind: ActorKind;
  name: string;
  /** a connector definition name: a built-in short name (`postgres`) or a registered one */
  connector: string;
  configuration: JsonObject;
  /** the connectionSpecification the configuration was checked against */
  spec: JsonObject;
  catalog: AirbyteCatalog | null;
  catalogUpdated: string | null;
  created: string;
  updated: string;
}

export interface DefinitionRow {
  name: string;
  kind: ActorKind;
  command: string[];
  /** an Airbyte declarative manifest the built-in source-declarative-manifest runs, or null */
  manifest: JsonObject | null;
  created: string;
}

const ACTOR = `SELECT id, kind, name, connector, configuration, spec, catalog,
                      to_json(catalog_updated)#>>'{}' AS "catalogUpdated", to_json(created)#>>'{}' AS created,
                      to_json(updated)#>>'{}' AS updated
                 FROM actors`;

export async function getActor(q: Queryable, kind: ActorKind, id: string): Promise<ActorRow | undefined> {
  const { rows } = await q.query<ActorRow>(`${ACTOR} WHERE kind = $1 AND id = $2`, [kind, id]);
  return rows[0];
}

export async function listActors(
  q: Queryable,
  kind: ActorKind,
  limit: number,
  offset: number,
): Promise<ActorRow[]> {
  const { rows } = await q.query<ActorRow>(
    `${ACTOR} WHERE kind = $1 ORDER BY created, id LIMIT $2 OFFSET $3`,
    [kind, limit, offset],
  );
  return rows;
}

export async function insertActor(
  q: Queryable,
  actor: Pick<ActorRow, 'id' | 'kind' | 'name' | 'connector' | 'configuration' | 'spec'>,
): Promise<ActorRow> {
  await q.query(
    `INSERT INTO actors (id, kind, name, connector, configuration, spec) VALUES ($1, $2, $3, $4, $5, $6)`,
    [
      actor.id,
      actor.kind,
      actor.name,
      actor.connector,
      JSON.stringify(actor.configuration),
      JSON.stringify(actor.spec),
    ],
  );
  return (await getActor(q, actor.kind, actor.id))!;
}

/** A changed configuration forgets the cached catalog: it may no longer be what the source offers. */
export async function updateActor(
  q: Queryable,
  actor: Pick<ActorRow, 'id' | 'kind' | 'name' | 'configuration' | 'spec'>,
): Promise<ActorRow | undefined> {
  await q.query(
    `UPDATE actors SET name = $3, configuration = $4, spec = $5, updated = now(),
            catalog = CASE WHEN configuration = $4::jsonb THEN catalog END,
            catalog_updated = CASE WHEN configuration = $4::jsonb THEN catalog_updated END
      WHERE kind = $1 AND id = $2`,
    [actor.kind, actor.id, actor.name, JSON.stringify(actor.configuration), JSON.stringify(actor.spec)],
  );
  return getActor(q, actor.kind, actor.id);
}

export async function saveCatalog(
  q: Queryable,
  kind: ActorKind,
  id: string,
  catalog: AirbyteCatalog,
): Promise<void> {
  await q.query('UPDATE actors SET catalog = $3, catalog_updated = now() WHERE kind = $1 AND id = $2', [
    kind,
    id,
    JSON.stringify(catalog),
  ]);
}

export async function deleteActor(q: Queryable, kind: ActorKind, id: string): Promise<boolean> {
  const { rowCount } = await q.query('DELETE FROM actors WHERE kind = $1 AND id = $2', [kind, id]);
  return rowCount > 0;
}

export async function listDefinitions(q: Queryable): Promise<DefinitionRow[]> {
  const { rows } = await q.query<DefinitionRow>(
    `SELECT name, kind, command, manifest, to_json(created)#>>'{}' AS created FROM connector_definitions ORDER BY name`,
  );
  return rows;
}

export async function getDefinition(q: Queryable, name: string): Promise<DefinitionRow | undefined> {
  const { rows } = await q.query<DefinitionRow>(
    `SELECT name, kind, command, manifest, to_json(created)#>>'{}' AS created FROM connector_definitions WHERE name = $1`,
    [name],
  );
  return rows[0];
}

/** false when the name is taken */
export async function insertDefinition(
  q: Queryable,
  def: Omit<DefinitionRow, 'created' | 'manifest'> & { manifest?: JsonObject | null },
): Promise<boolean> {
  const { rowCount } = await q.query(
    'INSERT INTO connector_definitions (name, kind, command, manifest) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
    [def.name, def.kind, JSON.stringify(def.command), def.manifest ? JSON.stringify(def.manifest) : null],
  );
  return rowCount > 0;
}

export async function deleteDefinition(q: Queryable, name: string): Promise<boolean> {
  const { rowCount } = await q.query('DELETE FROM connector_definitions WHERE name = $1', [name]);
  return rowCount > 0;
}
