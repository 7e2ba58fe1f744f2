// Connector definitions that are Airbyte declarative manifests: registered through the API, run by the
// built-in source-declarative-manifest with the manifest injected into the configuration (as Airbyte's
// image takes it), their spec the manifest's own, so the UI renders the source form from it.
import { manifestFrom, prepareManifest } from '../connectors/declarative/loader.js';
import { INJECTED_MANIFEST } from '../connectors/declarative/manifest-key.js';
import { SUPPORTED_TYPES, manifestSource } from '../connectors/declarative/source.js';
import { type ActorKind, getDefinition } from '../db/actor-repository.js';
import type { Queryable } from '../db/database.js';
import type { ConnectorSpecification, JsonObject } from '../protocol/messages.js';
import { namedCommand } from '../tasks/sync/connector-command.js';

/** A manifest definition, checked: the manifest must load with every component supported. */
export async function manifestDefinition(input: {
  name: string;
  kind: ActorKind;
  manifest: unknown;
}): Promise<{ name: string; kind: ActorKind; command: string[]; manifest: JsonObject }> {
  if (input.kind !== 'source') throw new Error('a declarative manifest defines a source');
  const manifest = manifestFrom(input.manifest) as JsonObject;
  prepareManifest(manifest, SUPPORTED_TYPES);
  if (!manifest.spec) throw new Error('the manifest has no spec section: its sources would have no form');
  return {
    name: input.name,
    kind: 'source',
    command: await namedCommand('source', 'declarative-manifest', undefined),
    manifest,
  };
}

/** The manifest of a registered manifest definition, or undefined. */
export async function registeredManifest(
  db: Queryable,
  kind: ActorKind,
  connector: string,
): Promise<JsonObject | undefined> {
  if (kind !== 'source') return undefined;
  return (await getDefinition(db, connector))?.manifest ?? undefined;
}

export function manifestSpec(manifest: JsonObject): ConnectorSpecification {
  return manifestSource(manifest).spec();
}

/** The configuration a stored source of this connector runs with: its manifest injected, if it has one. */
export async function withRegisteredManifest(
  db: Queryable,
  kind: ActorKind,
  connector: string,
  config: JsonObject,
): Promise<JsonObject> {
  const manifest = await registeredManifest(db, kind, connector);
  return manifest ? { ...config, [INJECTED_MANIFEST]: manifest } : config;
}
