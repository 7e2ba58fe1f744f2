// A connection's schema changes, found at the start of each of its syncs and on demand: the source's
// catalog now against the one the connection was configured against, applied as the connection's
// nonBreakingSchemaUpdatesBehavior says (Airbyte's semantics: connections/schema-changes.ts). A
// breaking change, or any change under disable_connection, pauses the connection with the reason.
import { isDeepStrictEqual } from 'node:util';
import {
  CONNECTIONS_NAMESPACE,
  type ConnectionSettings,
  connectionStateKey,
  SYNC_TASK_ID,
} from '../connections/connection.js';
import {
  type CatalogDiff,
  describeTransform,
  diffCatalogs,
  propagate,
  type SchemaChange,
  schemaChangeOf,
} from '../connections/schema-changes.js';
import { recordConnectionEvent } from '../connections/timeline.js';
import { getActor, saveCatalog } from '../db/actor-repository.js';
import type { ConnectionRow } from '../db/connection-repository.js';
import type { AirbyteCatalog, JsonObject } from '../protocol/messages.js';
import { streamKey } from '../protocol/state.js';
import { SyncFailure } from '../tasks/sync/connector-calls.js';
import type { SchemaReview, SchemaWatch } from '../tasks/sync/state-store.js';
import {
  actorOr404,
  clearConfig,
  connectionOr404,
  connectionView,
  discoverSource,
  redactorOf,
  type ResourceDeps,
  storeConnection,
} from './connections.js';

export interface SchemaOutcome {
  catalogDiff: CatalogDiff;
  schemaChange: SchemaChange;
  breakingChange: boolean;
  /** what was applied to the connection, in Airbyte's words */
  applied: string[];
  /** why the connection was paused, when it was */
  paused?: string;
  /** what the sync runs with */
  review: SchemaReview;
  connection: ConnectionRow;
}

/** Compares `discovered` with the connection's catalog, applies the connection's behaviour, and puts
 * what changed on the connection's timeline (which notifies as the connection asks). */
export async function reviewSchema(
  deps: ResourceDeps,
  connectionId: string,
  discovered: AirbyteCatalog,
): Promise<SchemaOutcome> {
  const before = await connectionOr404(deps, connectionId);
  const wasActive = before.settings.status !== 'inactive';
  // a change left for review (ignore) is found again at every sync: it goes on the timeline, and
  // notifies, when the source's catalog changed since it was last discovered, as Airbyte's does
  const lastDiscovered = (await getActor(deps.db, 'source', before.sourceId))?.catalog;
  const result = await applySchema(deps, connectionId, discovered);
  if (result.schemaChange === 'no_change') return result;
  const news = !isDeepStrictEqual(lastDiscovered ?? null, discovered);
  if (!news && result.paused === undefined) return result;
  await recordConnectionEvent(deps, {
    connectionId,
    eventType: 'SCHEMA_UPDATE',
    summary: {
      breaking: result.breakingChange,
      changes: result.catalogDiff.transforms.map(describeTransform),
      applied: result.applied,
      behavior: result.connection.settings.nonBreakingSchemaUpdatesBehavior ?? 'ignore',
      ...(result.paused !== undefined && { message: result.paused }),
    },
  });
  if (result.paused !== undefined && wasActive) {
    await recordConnectionEvent(deps, {
      connectionId,
      eventType: 'CONNECTION_DISABLED',
      summary: { message: result.paused, patches: { status: { from: 'active', to: 'inactive' } } },
    });
  }
  return result;
}

async function applySchema(
  deps: ResourceDeps,
  connectionId: string,
  discovered: AirbyteCatalog,
): Promise<SchemaOutcome> {
  const connection = await connectionOr404(deps, connectionId);
  await saveCatalog(deps.db, 'source', connection.sourceId, discovered);
  const { settings } = connection;
  const previous = connection.catalog;
  if (!previous) {
    // the first catalog the connection sees is the one it is configured against
    const saved = await save(deps, connection, settings, discovered);
    return outcome({ transforms: [] }, [], saved, discovered, settings.configurations.streams, discovered);
  }
  const diff = diffCatalogs(previous, discovered, settings.configurations.streams);
  const change = schemaChangeOf(diff);
  const described = diff.transforms.map(describeTransform);
  if (change === 'no_change') {
    // what differs is no stream's fields (a description, say): taken without asking anyone
    const saved = await save(deps, connection, withoutReview(settings), discovered);
    return outcome(diff, [], saved, discovered, settings.configurations.streams, discovered);
  }
  if (change === 'breaking' || settings.nonBreakingSchemaUpdatesBehavior === 'disable_connection') {
    const reason = `${change === 'breaking' ? 'breaking schema change' : 'schema change'}: ${described.join('; ')}`;
    const saved = await save(deps, connection, {
      ...settings,
      status: 'inactive',
      statusReason: reason,
      schemaChange: change,
      ...(change === 'breaking' && { breakingChange: true }),
    });
    return {
      ...outcome(diff, [], saved, previous, settings.configurations.streams, discovered),
      paused: reason,
    };
  }
  const behavior = settings.nonBreakingSchemaUpdatesBehavior ?? 'ignore';
  if (behavior === 'ignore') {
    // the sync goes on with the catalog the connection knows; the change waits for a review
    const saved = await save(deps, connection, { ...settings, schemaChange: 'non_breaking' });
    return outcome(diff, [], saved, previous, settings.configurations.streams, discovered);
  }
  const applied = propagate(previous, discovered, diff, behavior, settings.configurations.streams);
  const saved = await save(
    deps,
    connection,
    withoutReview({ ...settings, configurations: { streams: applied.streams } }),
    applied.catalog,
  );
  return outcome(diff, applied.applied, saved, applied.catalog, applied.streams, discovered);
}

/** Airbyte's POST /sources/discover_schema with a connectionId: discover now, and apply. */
export async function discoverSchemaForConnection(
  deps: ResourceDeps,
  connectionId: string,
): Promise<JsonObject> {
  const connection = await connectionOr404(deps, connectionId);
  await actorOr404(deps, 'source', connection.sourceId);
  const { catalog } = await discoverSource(deps, connection.sourceId, true);
  const result = await reviewSchema(deps, connectionId, catalog);
  return {
    catalog,
    catalogDiff: result.catalogDiff,
    breakingChange: result.breakingChange,
    schemaChange: result.schemaChange,
    appliedChanges: result.applied,
    connectionStatus: result.connection.settings.status,
    connection: connectionView(result.connection),
  } as unknown as JsonObject;
}

/** The sync task's port (SchemaWatch) for the API's connections: other syncs are not watched. */
export function connectionSchemaWatch(deps: ResourceDeps): SchemaWatch {
  return async (key, discovered, log) => {
    const connectionId = connectionIdOf(key);
    if (connectionId === undefined) return undefined;
    // the sync's own discover is not masked; the catalogs stored (and compared) are, as the API's are
    const connection = await connectionOr404(deps, connectionId);
    const source = await actorOr404(deps, 'source', connection.sourceId);
    const masked = redactorOf(source, clearConfig(deps, source)).value(discovered) as AirbyteCatalog;
    const result = await reviewSchema(deps, connectionId, masked);
    for (const line of result.catalogDiff.transforms.map(describeTransform)) log(`schema change: ${line}`);
    for (const line of result.applied) log(`schema change applied: ${line}`);
    if (result.paused) {
      throw new SyncFailure('config_error', `the connection is paused: ${result.paused}`);
    }
    return result.review;
  };
}

function connectionIdOf(key: string): string | undefined {
  const prefix = `${CONNECTIONS_NAMESPACE}/`;
  const suffix = `/${SYNC_TASK_ID}`;
  if (!key.startsWith(prefix) || !key.endsWith(suffix)) return undefined;
  const id = key.slice(prefix.length, -suffix.length);
  return connectionStateKey(id) === key ? id : undefined;
}

function withoutReview(settings: ConnectionSettings): ConnectionSettings {
  const { schemaChange: _, ...rest } = settings;
  return rest;
}

async function save(
  deps: ResourceDeps,
  connection: ConnectionRow,
  settings: ConnectionSettings,
  catalog?: AirbyteCatalog,
): Promise<ConnectionRow> {
  return storeConnection(
    deps,
    {
      id: connection.id,
      name: connection.name,
      sourceId: connection.sourceId,
      destinationId: connection.destinationId,
      settings,
    },
    () => catalog,
  );
}

/** The outcome, with what the sync runs with: `catalog`'s streams that the source still has (a
 * stream gone from the source cannot be read, whatever the connection says), and the connection's
 * streams among them. */
function outcome(
  diff: CatalogDiff,
  applied: string[],
  connection: ConnectionRow,
  catalog: AirbyteCatalog,
  streams: ConnectionSettings['configurations']['streams'],
  discovered: AirbyteCatalog,
): SchemaOutcome {
  const present = new Set(discovered.streams.map((s) => streamKey(descriptorOf(s))));
  const discoveredNow = catalog.streams.filter((s) => present.has(streamKey(descriptorOf(s))));
  const kept = streams.filter((s) =>
    discoveredNow.some(
      (d) => d.name === s.name && (s.namespace === undefined || d.namespace === s.namespace),
    ),
  );
  const change = schemaChangeOf(diff);
  return {
    catalogDiff: diff,
    schemaChange: change,
    breakingChange: change === 'breaking',
    applied,
    review: { catalog: { streams: discoveredNow }, streams: streams.length > 0 ? kept : undefined },
    connection,
  };
}

function descriptorOf(stream: { name: string; namespace?: string | null }) {
  return stream.namespace == null
    ? { name: stream.name }
    : { name: stream.name, namespace: stream.namespace };
}
