// What a sync keeps between its runs. The sync task depends on this interface only; the database
// implementation plugs in where the worker is built.
import type { AirbyteCatalog, JsonObject, StreamDescriptor } from '../../protocol/messages.js';
import type { StreamChoice } from './catalog.js';

export type ConnectorSide = 'source' | 'destination';

/** A configuration a connector replaced with a CONTROL message, and the one it replaced. */
export interface ReplacedConfig {
  /** digest of the configuration the task was given when the connector replaced it */
  basedOn: string;
  /** its `airbyte_secret` fields encrypted when `encrypted` is set (an earlier version kept them in
   * clear) */
  config: JsonObject;
  encrypted?: boolean;
}

export interface StoredSync {
  /** the next read's --state input (protocol/state.ts), undefined before the first acknowledgement */
  state?: unknown;
  /** the task run whose acknowledgements made `state` */
  lastTaskRun?: string;
  configs: Partial<Record<ConnectorSide, ReplacedConfig>>;
}

export interface CommittedProgress {
  taskRunId: string;
  recordsCommitted: number;
  bytesCommitted: number;
  streams: Record<string, { recordsCommitted: number; bytesCommitted: number }>;
}

export interface SyncStateStore {
  load(key: string): Promise<StoredSync>;
  /** Records an acknowledged checkpoint: the state and the counts committed with it, atomically. */
  saveState(key: string, state: unknown, progress: CommittedProgress): Promise<void>;
  saveConfig(key: string, side: ConnectorSide, config: ReplacedConfig): Promise<void>;
  /** Forgets the state of the given streams (all of it when none are given, or when the state is
   * not kept per stream). */
  resetState(key: string, streams?: StreamDescriptor[]): Promise<void>;
  /** Each stream's current generation (Airbyte's stream_generation), by protocol/state.ts streamKey;
   * a stream never refreshed has none (generation 0). */
  generations(key: string): Promise<Map<string, number>>;
  /** Starts a new generation of each stream (Airbyte's GenerationBumper), once per `startedBy`: the
   * same attempt asking again (a rerun after its worker died) changes nothing. */
  bumpGenerations(key: string, streams: StreamDescriptor[], startedBy: string): Promise<void>;
}

export interface ResolvedConnector {
  command: string[];
  config: JsonObject;
}

/** Finds what a sync side names by reference: a stored source or destination (its configuration with
 * secrets in clear), or a registered connector definition. */
export interface ConnectorResolver {
  actor(side: ConnectorSide, id: string): Promise<ResolvedConnector | undefined>;
  definition(side: ConnectorSide, name: string): Promise<string[] | undefined>;
}

/** What a sync runs with once the platform compared the source's schema with what the sync was
 * configured against (connections/schema-changes.ts): the catalog to plan from and the streams. */
export interface SchemaReview {
  catalog: AirbyteCatalog;
  /** undefined: every stream of `catalog` */
  streams?: StreamChoice[];
}

/** Looks at what the source discovered at the start of a sync. Answers undefined for a sync it does
 * not watch (a flow's own); throws a SyncFailure to stop the sync (a breaking change). */
export type SchemaWatch = (
  key: string,
  discovered: AirbyteCatalog,
  log: (message: string) => void,
) => Promise<SchemaReview | undefined>;
