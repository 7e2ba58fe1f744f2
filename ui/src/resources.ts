// The Airbyte-shaped API as the connection pages use it: sources and destinations under one shape
// (the API names their fields `sourceId`/`sourceType` or `destinationId`/`destinationType`), the
// source's catalog and the sync modes a destination can write.
import { useState } from 'react';
import { api, query } from './api';
import { useLoad } from './hooks';
import type { Actor, ActorKind, AirbyteCatalog, ConnectorSpecification, DataPage } from './types';

/** Airbyte's page size limit: the lists show this many and say so when there are more. */
export const PAGE_LIMIT = 100;

export const KIND_LABEL: Record<ActorKind, string> = { source: 'Source', destination: 'Destination' };

export const actorsPath = (kind: ActorKind) => `/api/v1/${kind}s`;

type Raw = Record<string, unknown> & { name: string; configuration: Record<string, unknown> };

function actorOf(kind: ActorKind, raw: Raw): Actor {
  const { [`${kind}Type`]: _type, ...configuration } = raw.configuration;
  return {
    id: raw[`${kind}Id`] as string,
    name: raw.name,
    connector: raw[`${kind}Type`] as string,
    configuration,
    createdAt: raw.createdAt as string | undefined,
    updatedAt: raw.updatedAt as string | undefined,
  };
}

export async function listActors(
  kind: ActorKind,
  signal?: AbortSignal,
): Promise<{ actors: Actor[]; more: boolean }> {
  const page = await api<DataPage<Raw>>(`${actorsPath(kind)}${query({ limit: PAGE_LIMIT })}`, { signal });
  return { actors: page.data.map((raw) => actorOf(kind, raw)), more: page.next !== undefined };
}

export async function getActor(kind: ActorKind, id: string, signal?: AbortSignal): Promise<Actor> {
  return actorOf(kind, await api<Raw>(`${actorsPath(kind)}/${encodeURIComponent(id)}`, { signal }));
}

/** Creates the actor, or (with an id) changes its name and configuration; masked secrets keep their value. */
export async function saveActor(
  kind: ActorKind,
  actor: { id?: string; name: string; connector: string; configuration: Record<string, unknown> },
): Promise<Actor> {
  const configuration = { [`${kind}Type`]: actor.connector, ...actor.configuration };
  const raw = actor.id
    ? await api<Raw>(`${actorsPath(kind)}/${encodeURIComponent(actor.id)}`, {
        method: 'PATCH',
        json: { name: actor.name, configuration },
      })
    : await api<Raw>(actorsPath(kind), { json: { name: actor.name, configuration } });
  return actorOf(kind, raw);
}

/** A connector's spec; `connector` as a source or destination names it (`faker`, `postgres`…). */
export function connectorSpec(
  kind: ActorKind,
  connector: string,
  signal?: AbortSignal,
): Promise<ConnectorSpecification> {
  const definitionId = connector.startsWith(`${kind}-`) ? connector : `${kind}-${connector}`;
  return api<ConnectorSpecification>(
    `/api/v1/connector_definitions/${encodeURIComponent(definitionId)}/spec`,
    { signal },
  );
}

export interface Discovered {
  catalog: AirbyteCatalog;
  cached: boolean;
  discoveredAt: string | null;
}

/** The source's catalog: the one discovered last, or a fresh discover when none was or on `refresh`. */
export function useCatalog(sourceId: string) {
  const [refreshes, setRefreshes] = useState(0);
  const loaded = useLoad(`${sourceId}|${refreshes}`, (signal) =>
    sourceId
      ? api<Discovered>(
          `${actorsPath('source')}/${encodeURIComponent(sourceId)}/discover${query({ refresh: refreshes > 0 ? 'true' : undefined })}`,
          { method: 'POST', signal },
        )
      : Promise.resolve(undefined),
  );
  return { ...loaded, refresh: () => setRefreshes((r) => r + 1) };
}

/** The destination's supported_destination_sync_modes, or undefined when its spec does not say. */
export function useDestinationModes(destination: Actor | undefined): readonly string[] | undefined {
  const spec = useLoad(destination?.connector ?? '', (signal) =>
    destination ? connectorSpec('destination', destination.connector, signal) : Promise.resolve(undefined),
  );
  return spec.data?.supported_destination_sync_modes;
}
