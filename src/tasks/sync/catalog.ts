// From what the source discovered and the streams a sync names, the catalogs the two connectors get:
// the source's, as discovered, and the destination's, with each stream's name and namespace mapped as
// the connection says (Airbyte's namespaceDefinition and prefix).
import type {
  AirbyteCatalog,
  AirbyteStream,
  ConfiguredAirbyteCatalog,
  ConfiguredAirbyteStream,
  DestinationSyncMode,
  SyncMode,
} from '../../protocol/messages.js';
import { streamKey } from '../../protocol/state.js';

/** Airbyte's public-API names, each a source half and a destination half. */
export const SYNC_MODES = {
  full_refresh_overwrite: ['full_refresh', 'overwrite'],
  full_refresh_append: ['full_refresh', 'append'],
  incremental_append: ['incremental', 'append'],
  incremental_deduped_history: ['incremental', 'append_dedup'],
} as const satisfies Record<string, readonly [SyncMode, DestinationSyncMode]>;

export type PublicSyncMode = keyof typeof SYNC_MODES;

export interface StreamChoice {
  name: string;
  namespace?: string;
  syncMode?: PublicSyncMode;
  cursorField?: string[];
  primaryKey?: string[][];
}

/** Where the destination writes: the source's namespace, the destination's own default (no
 * namespace), or a format where `${SOURCE_NAMESPACE}` stands for the source's. */
export type NamespaceDefinition = 'source' | 'destination' | 'custom_format';

export interface NamespaceMapping {
  namespaceDefinition?: NamespaceDefinition;
  namespaceFormat?: string;
  prefix?: string;
}

/** How one source stream travels. */
export interface StreamRoute {
  /** the key of its counts in the task's outputs */
  outputName: string;
  source: { name: string; namespace?: string };
  destination: { name: string; namespace?: string };
}

export interface SyncPlan {
  sourceCatalog: ConfiguredAirbyteCatalog;
  destinationCatalog: ConfiguredAirbyteCatalog;
  /** by streamKey of the source descriptor */
  routes: Map<string, StreamRoute>;
}

/** A sync configuration that cannot work with what the source offers: Airbyte's config_error. */
export class CatalogError extends Error {}

export function planSync(
  discovered: AirbyteCatalog,
  choices: readonly StreamChoice[] | undefined,
  mapping: NamespaceMapping = {},
): SyncPlan {
  const picked =
    choices === undefined
      ? discovered.streams.map((stream) => configure(stream, { name: stream.name }))
      : choices.map((choice) => configure(findStream(discovered, choice), choice));
  const outputNames = outputNamesOf(picked.map((c) => c.stream));
  const routes = new Map<string, StreamRoute>();
  const destinationStreams: ConfiguredAirbyteStream[] = [];
  picked.forEach((configured, i) => {
    const source = descriptorOf(configured.stream);
    const key = streamKey(source);
    if (routes.has(key)) throw new CatalogError(`stream ${describe(source)} is listed twice`);
    const destination = mapDescriptor(source, mapping);
    routes.set(key, { outputName: outputNames[i], source, destination });
    destinationStreams.push({
      ...configured,
      stream: { ...configured.stream, name: destination.name, namespace: destination.namespace },
    });
  });
  const targets = new Set<string>();
  for (const route of routes.values()) {
    const target = streamKey(route.destination);
    if (targets.has(target)) {
      throw new CatalogError(
        `two streams would be written to the same destination stream ${describe(route.destination)}`,
      );
    }
    targets.add(target);
  }
  return {
    sourceCatalog: { streams: picked },
    destinationCatalog: { streams: destinationStreams },
    routes,
  };
}

function findStream(discovered: AirbyteCatalog, choice: StreamChoice): AirbyteStream {
  const matches = discovered.streams.filter(
    (s) => s.name === choice.name && (choice.namespace === undefined || s.namespace === choice.namespace),
  );
  if (matches.length === 1) return matches[0];
  const offered = discovered.streams.map((s) => describe(descriptorOf(s))).join(', ') || 'none';
  if (matches.length === 0) {
    throw new CatalogError(`the source has no stream ${describe(choice)} (it offers: ${offered})`);
  }
  throw new CatalogError(
    `stream name ${JSON.stringify(choice.name)} is in several namespaces (${matches
      .map((s) => s.namespace)
      .join(', ')}): give its namespace`,
  );
}

function configure(stream: AirbyteStream, choice: StreamChoice): ConfiguredAirbyteStream {
  const mode = choice.syncMode ?? 'full_refresh_overwrite';
  const [syncMode, destinationSyncMode] = SYNC_MODES[mode];
  const name = describe(descriptorOf(stream));
  if (!stream.supported_sync_modes.includes(syncMode)) {
    throw new CatalogError(
      `stream ${name} does not support ${mode}: the source supports ${stream.supported_sync_modes.join(', ')}`,
    );
  }
  const configured: ConfiguredAirbyteStream = {
    stream,
    sync_mode: syncMode,
    destination_sync_mode: destinationSyncMode,
  };
  if (syncMode === 'incremental') {
    // Airbyte's order: a cursor the source defines, then the connection's, then the source's default
    const cursor = stream.source_defined_cursor
      ? stream.default_cursor_field
      : (nonEmpty(choice.cursorField) ?? nonEmpty(stream.default_cursor_field));
    if (!nonEmpty(cursor)) {
      throw new CatalogError(`stream ${name}: ${mode} needs a cursorField (the source defines none)`);
    }
    configured.cursor_field = cursor;
  }
  const primaryKey = nonEmpty(stream.source_defined_primary_key) ?? nonEmpty(choice.primaryKey);
  if (primaryKey) configured.primary_key = primaryKey;
  else if (destinationSyncMode === 'append_dedup') {
    throw new CatalogError(`stream ${name}: ${mode} needs a primaryKey (the source defines none)`);
  }
  return configured;
}

function mapDescriptor(
  source: { name: string; namespace?: string },
  { namespaceDefinition = 'destination', namespaceFormat, prefix = '' }: NamespaceMapping,
): { name: string; namespace?: string } {
  const name = `${prefix}${source.name}`;
  switch (namespaceDefinition) {
    case 'source':
      return source.namespace === undefined ? { name } : { name, namespace: source.namespace };
    case 'destination':
      return { name };
    case 'custom_format': {
      const namespace = (namespaceFormat ?? '').replaceAll('${SOURCE_NAMESPACE}', source.namespace ?? '');
      return namespace === '' ? { name } : { name, namespace };
    }
  }
}

/** Output keys are stream names, qualified by namespace only where two streams share a name. */
function outputNamesOf(streams: AirbyteStream[]): string[] {
  const counts = new Map<string, number>();
  for (const s of streams) counts.set(s.name, (counts.get(s.name) ?? 0) + 1);
  return streams.map((s) =>
    counts.get(s.name)! > 1 && s.namespace !== undefined ? `${s.namespace}.${s.name}` : s.name,
  );
}

function descriptorOf(stream: { name: string; namespace?: string | null }): {
  name: string;
  namespace?: string;
} {
  return stream.namespace == null
    ? { name: stream.name }
    : { name: stream.name, namespace: stream.namespace };
}

function describe(d: { name: string; namespace?: string }): string {
  return d.namespace === undefined ? JSON.stringify(d.name) : JSON.stringify(`${d.namespace}.${d.name}`);
}

function nonEmpty<T>(list: T[] | undefined): T[] | undefined {
  return list !== undefined && list.length > 0 ? list : undefined;
}
