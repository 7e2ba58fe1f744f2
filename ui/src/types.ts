// The API's documents, as the server defines them (type-only imports: nothing of the server is bundled).
export type { Execution, TaskRun } from '../../src/engine/execution.js';
export type { State, StateType } from '../../src/engine/state.js';
export type { Flow, InputDef, TaskDef } from '../../src/flow/model.js';
export type { FlowSummary } from '../../src/db/flow-repository.js';
export type { StoredLogLine as LogLine } from '../../src/db/log-search.js';
export type { NamespaceSummary } from '../../src/db/namespace-listing.js';
export type { TriggerListing } from '../../src/db/trigger-repository.js';
export type { Dashboard, Bucket as DashboardBucket, ExecutionBrief } from '../../src/db/dashboard.js';

export interface Page<T> {
  results: T[];
  total: number;
}

// The Airbyte-shaped resources (src/app/connections.ts builds them as plain JSON)
import type { ConnectionSettings } from '../../src/connections/connection.js';
export type { ConnectionSettings, StreamSetting } from '../../src/connections/connection.js';
export type { PublicSyncMode } from '../../src/tasks/sync/catalog.js';
export type {
  AirbyteCatalog,
  AirbyteStream,
  ConnectorSpecification,
  JsonObject,
} from '../../src/protocol/messages.js';
export type { DefinitionView as ConnectorDefinition } from '../../src/app/connections.js';

export type ActorKind = 'source' | 'destination';

/** A source or a destination as the API shows it: `sourceId`/`sourceType` or `destinationId`/
 * `destinationType`, the configuration with its secrets masked. */
export interface Actor {
  id: string;
  name: string;
  connector: string;
  configuration: Record<string, unknown>;
  createdAt?: string;
  updatedAt?: string;
}

export interface Connection extends ConnectionSettings {
  connectionId: string;
  name: string;
  sourceId: string;
  destinationId: string;
  createdAt?: string;
  updatedAt?: string;
}

export type JobStatus = 'pending' | 'running' | 'incomplete' | 'failed' | 'succeeded' | 'cancelled';

export interface Job {
  jobId: string;
  status: JobStatus;
  jobType: 'sync' | 'reset' | 'refresh' | 'clear';
  connectionId: string;
  startTime: string | null;
  lastUpdatedAt: string | null;
  duration: string | null;
  rowsSynced: number;
  bytesSynced: number;
  streams: Record<string, { recordsCommitted?: number; bytesEmitted?: number }>;
  attemptCount?: number;
  attempts?: JobAttempt[];
}

/** One attempt of a job, as Airbyte's jobs/get shows it. */
export interface JobAttempt {
  attempt: number;
  status: string;
  createdAt?: string | null;
  endedAt?: string | null;
  recordsSynced?: number;
  bytesSynced?: number;
  failureSummary?: {
    failures: Array<{
      failureOrigin: string;
      failureType: string;
      externalMessage: string;
      retryable: boolean;
    }>;
    partialSuccess: boolean;
  } | null;
  logs: Array<{ timestamp: string; level: string; message: string }>;
}

/** Airbyte's list pages. */
export interface DataPage<T> {
  data: T[];
  next?: string;
}
