// An Airbyte-style connection is a flow: one `sync` task between a stored source and destination, a
// Schedule trigger when it has a cron, concurrency 1 so that two jobs never write at once. Its jobs are
// that flow's executions, so the scheduler, executor, workers, logs and UI serve connections unchanged.
import type { Execution } from '../engine/execution.js';
import type { RetryDef } from '../flow/model.js';
import type { NamespaceDefinition, PublicSyncMode } from '../tasks/sync/catalog.js';
import { JOB_TYPES, REFRESH_TYPES } from '../tasks/sync/generations.js';

export const CONNECTIONS_NAMESPACE = 'sluice.connections';
/** Kestra's flow scopes: USER flows are the users' own, SYSTEM ones those Sluice generates (the
 * connections' flows, in CONNECTIONS_NAMESPACE). */
export type FlowScope = 'USER' | 'SYSTEM';
export const SYNC_TASK_ID = 'sync';
export { JOB_TYPES, type JobType, REFRESH_TYPES, type RefreshType } from '../tasks/sync/generations.js';

/** Airbyte's public names for what a sync does when the source's schema changed without breaking
 * the connection (its nonBreakingSchemaUpdatesBehavior). */
export const SCHEMA_UPDATE_BEHAVIORS = [
  'ignore',
  'disable_connection',
  'propagate_columns',
  'propagate_fully',
] as const;
export type SchemaUpdateBehavior = (typeof SCHEMA_UPDATE_BEHAVIORS)[number];

export interface StreamSetting {
  name: string;
  namespace?: string;
  syncMode?: PublicSyncMode;
  cursorField?: string[];
  primaryKey?: string[][];
}

export interface ConnectionSettings {
  configurations: { streams: StreamSetting[] };
  schedule: { scheduleType: 'manual' | 'cron'; cronExpression?: string };
  namespaceDefinition: NamespaceDefinition;
  namespaceFormat?: string;
  prefix?: string;
  status: 'active' | 'inactive';
  /** default `ignore`, as Airbyte's */
  nonBreakingSchemaUpdatesBehavior?: SchemaUpdateBehavior;
  /** set when a schema change broke the connection (Airbyte's breakingChange), with why; the
   * connection is inactive until its streams are fixed */
  breakingChange?: boolean;
  statusReason?: string;
  /** Airbyte's schemaChange: a non-breaking change the connection ignored is there for review */
  schemaChange?: 'no_change' | 'non_breaking' | 'breaking';
}

export interface ConnectionDef {
  id: string;
  name: string;
  sourceId: string;
  destinationId: string;
  settings: ConnectionSettings;
}

/** The state key the sync task keeps this connection's state under (namespace/flow/task). */
export function connectionStateKey(connectionId: string): string {
  return `${CONNECTIONS_NAMESPACE}/${connectionId}/${SYNC_TASK_ID}`;
}

/** How a connection's failed syncs are tried again: Airbyte's attempt policy, with the
 * installation's limits where it sets some (docs/sync.md, Retries). */
export function syncRetry(overrides: Partial<RetryDef> = {}): RetryDef {
  return { ...overrides, type: 'airbyte' };
}

/** The flow a connection runs as, as a document for the flow loader. */
export function connectionFlow(c: ConnectionDef, retry: RetryDef = syncRetry()): Record<string, unknown> {
  const { settings } = c;
  const streams = settings.configurations.streams;
  const cron = settings.schedule.scheduleType === 'cron' ? settings.schedule.cronExpression : undefined;
  return {
    id: c.id,
    namespace: CONNECTIONS_NAMESPACE,
    description: `Connection ${c.name}`,
    labels: { 'sluice.connection': c.id },
    inputs: [
      { id: 'jobType', type: 'SELECT', values: [...JOB_TYPES], defaults: 'sync' },
      // a refresh's or clear's streams ([{name, namespace?}], none = all) and a refresh's type
      { id: 'jobStreams', type: 'JSON', required: false, defaults: '[]' },
      { id: 'refreshType', type: 'SELECT', values: [...REFRESH_TYPES], defaults: 'truncate' },
    ],
    concurrency: { limit: 1, behavior: 'QUEUE' },
    tasks: [
      {
        id: SYNC_TASK_ID,
        type: 'sync',
        source: { sourceId: c.sourceId },
        destination: { destinationId: c.destinationId },
        ...(streams.length > 0 && { streams }),
        namespaceDefinition: settings.namespaceDefinition,
        ...(settings.namespaceFormat !== undefined && { namespaceFormat: settings.namespaceFormat }),
        ...(settings.prefix !== undefined && { prefix: settings.prefix }),
        jobType: '{{ inputs.jobType }}',
        jobStreams: '{{ inputs.jobStreams }}',
        refreshType: '{{ inputs.refreshType }}',
        retry,
      },
    ],
    ...(cron !== undefined && {
      triggers: [
        {
          id: 'schedule',
          type: 'io.kestra.plugin.core.trigger.Schedule',
          cron,
          // Airbyte's cron expressions are Quartz's, seconds first
          withSeconds: cron.trim().split(/\s+/).length >= 6,
          disabled: settings.status !== 'active',
        },
      ],
    }),
  };
}

/** Airbyte's job statuses, from the execution a job is. */
export function jobStatus(execution: Pick<Execution, 'state'>): string {
  switch (execution.state.current) {
    case 'CREATED':
    case 'QUEUED':
      return 'pending';
    case 'SUCCESS':
    case 'WARNING':
      return 'succeeded';
    case 'FAILED':
      return 'failed';
    case 'KILLED':
    case 'CANCELLED':
      return 'cancelled';
    case 'KILLING':
      return 'cancelled';
    case 'RETRYING':
      // an attempt failed and another one is coming (Airbyte's status between attempts)
      return 'incomplete';
    default:
      return 'running';
  }
}
