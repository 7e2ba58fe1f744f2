// The Airbyte-style resources over the engine: connector definitions, sources and destinations
// (configurations checked against the connector's spec, secrets encrypted at rest and masked on the
// way out), connections (saved as the flows they run as) and jobs (their executions).
import { randomUUID } from 'node:crypto';
import {
  type ConnectionDef,
  type ConnectionSettings,
  CONNECTIONS_NAMESPACE,
  connectionFlow,
  connectionStateKey,
  type JobType,
  jobStatus,
  type RefreshType,
  SYNC_TASK_ID,
  syncRetry,
} from '../connections/connection.js';
import { BUILT_IN_CONNECTORS } from '../connectors/registry.js';
import {
  type ActorKind,
  type ActorRow,
  deleteActor,
  deleteDefinition,
  getActor,
  insertActor,
  insertDefinition,
  listActors,
  listDefinitions,
  saveCatalog,
  updateActor,
} from '../db/actor-repository.js';
import {
  connectionsOf,
  type ConnectionRow,
  deleteConnection,
  getConnection,
  listConnections,
  saveConnection,
} from '../db/connection-repository.js';
import { deleteConnectionEvents } from '../db/connection-event-repository.js';
import type { Database } from '../db/database.js';
import { deleteNotificationSettings } from '../db/notification-settings-repository.js';
import { connectionScope } from '../notifications/settings.js';
import { recordConnectionEvent } from '../connections/timeline.js';
import { selectLogs } from '../db/engine-store.js';
import { searchExecutions } from '../db/execution-search.js';
import { deleteFlow, getFlow, saveFlow } from '../db/flow-repository.js';
import { createSyncStateStore } from '../db/sync-state-store.js';
import type { Execution, TaskRun } from '../engine/execution.js';
import { isTerminal } from '../engine/state.js';
import { loadFlow } from '../flow/load.js';
import type { RetryDef } from '../flow/model.js';
import type {
  AirbyteCatalog,
  ConnectorSpecification,
  JsonObject,
  StreamDescriptor,
} from '../protocol/messages.js';
import { validateConfig } from '../protocol/config-validation.js';
import { emit } from '../queue/postgres-queue.js';
import type { SecretCipher } from '../secrets/cipher.js';
import {
  decryptSecretFields,
  encryptSecretFields,
  keepMaskedSecretFields,
  maskSecretFields,
  secretFieldValues,
} from '../secrets/connector-secrets.js';
import { Redactor } from '../secrets/redactor.js';
import { CatalogError, planSync } from '../tasks/sync/catalog.js';
import { check, discover, specOf, SyncFailure } from '../tasks/sync/connector-calls.js';
import { namedCommand } from '../tasks/sync/connector-command.js';
import { createConnectorResolver } from './connector-resolver.js';
import {
  manifestDefinition,
  manifestSpec,
  registeredManifest,
  withRegisteredManifest,
} from './manifest-definitions.js';
import { getExecution, startExecution } from './executions.js';

/** A refusal with the HTTP status it deserves and, for invalid input, the fields at fault. */
export class ResourceError extends Error {
  constructor(
    readonly status: 400 | 404 | 409 | 422,
    message: string,
    readonly details: { path?: string; message: string }[] = [],
  ) {
    super(message);
  }
}

export interface ResourceDeps {
  db: Database;
  cipher: SecretCipher;
  /** the installation's limits on sync attempts, over Airbyte's defaults */
  syncRetry?: Partial<RetryDef>;
}

const typeField = (kind: ActorKind) => (kind === 'source' ? 'sourceType' : 'destinationType');
const idField = (kind: ActorKind) => (kind === 'source' ? 'sourceId' : 'destinationId');

// ------------------------------------------------------------------------------- definitions

export interface DefinitionView {
  definitionId: string;
  name: string;
  kind: ActorKind;
  builtIn: boolean;
  description?: string;
  command?: string[];
  /** registered as an Airbyte declarative manifest */
  declarativeManifest?: boolean;
}

export async function connectorDefinitions(deps: ResourceDeps): Promise<DefinitionView[]> {
  const builtIn = BUILT_IN_CONNECTORS.map((c) => ({
    definitionId: c.name,
    name: c.name.slice(c.kind.length + 1),
    kind: c.kind,
    builtIn: true,
    description: c.description,
  }));
  const registered = (await listDefinitions(deps.db)).map((d) => ({
    definitionId: `${d.kind}-${d.name}`,
    name: d.name,
    kind: d.kind,
    builtIn: false,
    command: d.command,
    ...(d.manifest ? { declarativeManifest: true } : {}),
  }));
  return [...builtIn, ...registered];
}

export async function registerDefinition(
  deps: ResourceDeps,
  input: { name: string; kind: ActorKind; command?: string[]; manifest?: unknown },
): Promise<DefinitionView> {
  const def =
    input.manifest === undefined
      ? { name: input.name, kind: input.kind, command: input.command ?? [] }
      : await manifestDefinition({ ...input, manifest: input.manifest }).catch((error: Error) => {
          throw new ResourceError(400, `manifest: ${error.message}`);
        });
  if (!def.command.length)
    throw new ResourceError(400, 'a connector definition needs a command or a manifest');
  if (BUILT_IN_CONNECTORS.some((c) => c.name === `${def.kind}-${def.name}`)) {
    throw new ResourceError(409, `${def.name} is a built-in ${def.kind}`);
  }
  if (!(await insertDefinition(deps.db, def))) {
    throw new ResourceError(409, `a connector definition named ${def.name} exists`);
  }
  const { manifest: _manifest, ...view } = def as typeof def & { manifest?: unknown };
  return {
    definitionId: `${def.kind}-${def.name}`,
    ...view,
    builtIn: false,
    ...(input.manifest !== undefined ? { declarativeManifest: true } : {}),
  };
}

/** A connector definition's spec, which the UI renders its configuration form from. */
export async function definitionSpec(deps: ResourceDeps, definitionId: string): Promise<JsonObject> {
  const definition = (await connectorDefinitions(deps)).find((d) => d.definitionId === definitionId);
  if (!definition) throw new ResourceError(404, `no connector definition ${definitionId}`);
  const { spec } = await connectorOf(deps, definition.kind, definition.name);
  return { definitionId, ...spec };
}

export async function unregisterDefinition(deps: ResourceDeps, name: string): Promise<void> {
  if (!(await deleteDefinition(deps.db, name)))
    throw new ResourceError(404, `no connector definition ${name}`);
}

// ------------------------------------------------------------------------------- sources and destinations

export interface ActorInput {
  name: string;
  configuration: JsonObject;
}

/** Specs are fixed per command: asked once per process. */
const specs = new Map<string, Promise<ConnectorSpecification>>();

export async function connectorOf(deps: ResourceDeps, kind: ActorKind, connector: string) {
  const command = await rethrow(() =>
    namedCommand(kind, connector, createConnectorResolver(deps.db, deps.cipher)),
  );
  const manifest = await registeredManifest(deps.db, kind, connector);
  if (manifest) return { command, spec: manifestSpec(manifest) };
  const key = JSON.stringify(command);
  let spec = specs.get(key);
  if (!spec) {
    spec = specOf({ side: kind, command });
    specs.set(key, spec);
    spec.catch(() => specs.delete(key));
  }
  return { command, spec: await rethrow(() => spec) };
}

/** The configuration to store: validated against the spec (defaults applied), secrets encrypted. */
async function storable(deps: ResourceDeps, kind: ActorKind, connector: string, config: JsonObject) {
  const { spec } = await connectorOf(deps, kind, connector);
  // validated with the spec's defaults, stored as given: defaults are the connector's to apply
  const result = validateConfig(spec.connectionSpecification, structuredClone(config));
  if (!result.ok) {
    throw new ResourceError(
      422,
      `invalid ${kind} configuration`,
      result.errors.map((e) => ({
        path: e.replace(/^config/, 'configuration').replace(/:.*/, ''),
        message: e,
      })),
    );
  }
  return {
    configuration: encryptSecretFields(spec.connectionSpecification, config, deps.cipher) as JsonObject,
    spec: spec.connectionSpecification,
  };
}

export function clearConfig(deps: ResourceDeps, actor: ActorRow): JsonObject {
  return decryptSecretFields(actor.spec, actor.configuration, deps.cipher) as JsonObject;
}

export function actorView(actor: ActorRow): JsonObject {
  return {
    [idField(actor.kind)]: actor.id,
    name: actor.name,
    [typeField(actor.kind)]: actor.connector,
    configuration: {
      [typeField(actor.kind)]: actor.connector,
      ...(maskSecretFields(actor.spec, actor.configuration) as JsonObject),
    },
    createdAt: actor.created,
    updatedAt: actor.updated,
  };
}

export async function createActor(
  deps: ResourceDeps,
  kind: ActorKind,
  input: ActorInput,
): Promise<JsonObject> {
  const { [typeField(kind)]: connector, ...config } = input.configuration;
  if (typeof connector !== 'string' || connector === '') {
    throw new ResourceError(400, `configuration.${typeField(kind)} is required`, [
      { path: `configuration.${typeField(kind)}`, message: 'must name a connector' },
    ]);
  }
  const stored = await storable(deps, kind, connector, config);
  const actor = await insertActor(deps.db, {
    id: randomUUID(),
    kind,
    name: input.name,
    connector,
    ...stored,
  });
  return actorView(actor);
}

export async function actorOr404(deps: ResourceDeps, kind: ActorKind, id: string): Promise<ActorRow> {
  const actor = await getActor(deps.db, kind, id);
  if (!actor) throw new ResourceError(404, `no ${kind} ${id}`);
  return actor;
}

export async function getActorView(deps: ResourceDeps, kind: ActorKind, id: string): Promise<JsonObject> {
  return actorView(await actorOr404(deps, kind, id));
}

export async function listActorViews(deps: ResourceDeps, kind: ActorKind, limit: number, offset: number) {
  return (await listActors(deps.db, kind, limit, offset)).map(actorView);
}

/** A partial update; a secret sent back as the mask keeps its stored value. */
export async function updateActorConfig(
  deps: ResourceDeps,
  kind: ActorKind,
  id: string,
  input: Partial<ActorInput>,
): Promise<JsonObject> {
  const actor = await actorOr404(deps, kind, id);
  let stored = { configuration: actor.configuration, spec: actor.spec };
  if (input.configuration) {
    const { [typeField(kind)]: connector, ...config } = input.configuration;
    if (connector !== undefined && connector !== actor.connector) {
      throw new ResourceError(422, `configuration.${typeField(kind)} cannot change: create another ${kind}`);
    }
    let kept: JsonObject;
    try {
      kept = keepMaskedSecretFields(actor.spec, config, clearConfig(deps, actor)) as JsonObject;
    } catch (error) {
      throw new ResourceError(422, (error as Error).message);
    }
    stored = await storable(deps, kind, actor.connector, kept);
  }
  const updated = await updateActor(deps.db, { id, kind, name: input.name ?? actor.name, ...stored });
  return actorView(updated!);
}

export async function removeActor(deps: ResourceDeps, kind: ActorKind, id: string): Promise<void> {
  const users = await connectionsOf(deps.db, id);
  if (users.length > 0) {
    throw new ResourceError(409, `${kind} ${id} is used by connection ${users.map((c) => c.id).join(', ')}`);
  }
  if (!(await deleteActor(deps.db, kind, id))) throw new ResourceError(404, `no ${kind} ${id}`);
}

/** What masks an actor's secret values wherever a connector's answer may repeat them. */
export function redactorOf(actor: ActorRow, config: JsonObject): Redactor {
  return Redactor.of(secretFieldValues(actor.spec, config));
}

/** Runs a connector with an actor's stored configuration. Whatever comes back — the answer, the
 * connector's error, its stderr quoted in it — has the configuration's secret fields masked, as a
 * sync task's logs have: connectors put connection strings in their messages. */
export async function withStoredConfig<T>(
  deps: ResourceDeps,
  actor: ActorRow,
  call: (config: JsonObject) => Promise<T>,
): Promise<T> {
  const config = clearConfig(deps, actor);
  const redactor = redactorOf(actor, config);
  try {
    return redactor.value(
      await call(await withRegisteredManifest(deps.db, actor.kind, actor.connector, config)),
    ) as T;
  } catch (error) {
    // a new error: the original one's stack repeats its message
    const message = redactor.text(error instanceof Error ? error.message : String(error));
    throw error instanceof SyncFailure ? new SyncFailure(error.failureType, message) : new Error(message);
  }
}

export async function checkActor(deps: ResourceDeps, kind: ActorKind, id: string) {
  const actor = await actorOr404(deps, kind, id);
  const { command } = await connectorOf(deps, kind, actor.connector);
  try {
    await withStoredConfig(deps, actor, (config) => check({ side: kind, command }, config));
    return { status: 'succeeded', message: null };
  } catch (error) {
    return { status: 'failed', message: (error as Error).message };
  }
}

/** The source's catalog: the cached one unless a refresh is asked for or none was discovered yet. */
export async function discoverSource(deps: ResourceDeps, id: string, refresh: boolean) {
  const actor = await actorOr404(deps, 'source', id);
  if (actor.catalog && !refresh)
    return { catalog: actor.catalog, cached: true, discoveredAt: actor.catalogUpdated };
  const { command } = await connectorOf(deps, 'source', actor.connector);
  const catalog = await rethrow(() =>
    withStoredConfig(deps, actor, (config) => discover({ side: 'source', command }, config)),
  );
  await saveCatalog(deps.db, 'source', id, catalog);
  const fresh = await actorOr404(deps, 'source', id);
  return { catalog, cached: false, discoveredAt: fresh.catalogUpdated };
}

// ------------------------------------------------------------------------------- connections

export interface ConnectionInput {
  name?: string;
  sourceId: string;
  destinationId: string;
  configurations?: ConnectionSettings['configurations'];
  schedule?: ConnectionSettings['schedule'];
  namespaceDefinition?: ConnectionSettings['namespaceDefinition'];
  namespaceFormat?: string;
  prefix?: string;
  status?: ConnectionSettings['status'];
  nonBreakingSchemaUpdatesBehavior?: ConnectionSettings['nonBreakingSchemaUpdatesBehavior'];
}

export function connectionView(c: ConnectionRow): JsonObject {
  return {
    connectionId: c.id,
    name: c.name,
    sourceId: c.sourceId,
    destinationId: c.destinationId,
    ...c.settings,
    createdAt: c.created,
    updatedAt: c.updated,
  };
}

export async function connectionOr404(deps: ResourceDeps, id: string): Promise<ConnectionRow> {
  const c = await getConnection(deps.db, id);
  if (!c) throw new ResourceError(404, `no connection ${id}`);
  return c;
}

/** Saves the connection and the flow it runs as, in one transaction. Streams are checked against the
 * source's cached catalog when there is one, so a typo is refused now rather than at the first job. */
export async function storeConnection(
  deps: ResourceDeps,
  def: ConnectionDef,
  catalogOf: (source: ActorRow) => AirbyteCatalog | null | undefined = () => undefined,
): Promise<ConnectionRow> {
  const source = await actorOr404(deps, 'source', def.sourceId);
  await actorOr404(deps, 'destination', def.destinationId);
  const { schedule } = def.settings;
  if (schedule.scheduleType === 'cron' && !schedule.cronExpression) {
    throw new ResourceError(400, 'schedule.cronExpression is required for a cron schedule', [
      { path: 'schedule.cronExpression', message: 'required when scheduleType is cron' },
    ]);
  }
  if (source.catalog && def.settings.configurations.streams.length > 0) {
    try {
      planSync(source.catalog, def.settings.configurations.streams, def.settings);
    } catch (error) {
      if (error instanceof CatalogError) throw new ResourceError(422, error.message);
      throw error;
    }
  }
  const { flow, errors } = loadFlow(
    JSON.stringify(connectionFlow(def, syncRetry(deps.syncRetry))),
    `connection-${def.id}.yaml`,
  );
  if (!flow) {
    throw new ResourceError(
      422,
      'invalid connection',
      errors.map((e) => ({ message: e.message })),
    );
  }
  const catalog = catalogOf(source);
  return deps.db.transaction(async (tx) => {
    const row = await saveConnection(tx, { ...def, ...(catalog && { catalog }) });
    await saveFlow(tx, flow);
    return row;
  });
}

export async function createConnection(deps: ResourceDeps, input: ConnectionInput): Promise<JsonObject> {
  const id = randomUUID();
  const row = await storeConnection(
    deps,
    {
      id,
      name: input.name ?? `connection ${id.slice(0, 8)}`,
      sourceId: input.sourceId,
      destinationId: input.destinationId,
      settings: {
        configurations: input.configurations ?? { streams: [] },
        schedule: input.schedule ?? { scheduleType: 'manual' },
        namespaceDefinition: input.namespaceDefinition ?? 'destination',
        ...(input.namespaceFormat !== undefined && { namespaceFormat: input.namespaceFormat }),
        ...(input.prefix !== undefined && { prefix: input.prefix }),
        status: input.status ?? 'active',
        ...(input.nonBreakingSchemaUpdatesBehavior !== undefined && {
          nonBreakingSchemaUpdatesBehavior: input.nonBreakingSchemaUpdatesBehavior,
        }),
      },
    },
    (source) => source.catalog,
  );
  return connectionView(row);
}

export async function updateConnection(
  deps: ResourceDeps,
  id: string,
  input: Partial<Omit<ConnectionInput, 'sourceId' | 'destinationId'>>,
): Promise<JsonObject> {
  const current = await connectionOr404(deps, id);
  const { name, ...settings } = input;
  const next: ConnectionSettings = { ...current.settings, ...settings };
  const reconfigured = settings.configurations !== undefined;
  if (reconfigured) {
    // streams chosen again are chosen against what the source offers now: the schema change that
    // broke the connection is reviewed (Airbyte's "review changes")
    delete next.breakingChange;
    delete next.schemaChange;
    if (settings.status === undefined && current.settings.breakingChange) next.status = 'active';
    if (next.status === 'active') delete next.statusReason;
  } else if (settings.status === 'active') {
    if (current.settings.breakingChange) {
      throw new ResourceError(
        409,
        `connection ${id} has a breaking schema change (${current.settings.statusReason ?? ''}): change its streams first`,
      );
    }
    delete next.statusReason;
  }
  const row = await storeConnection(
    deps,
    {
      id,
      name: name ?? current.name,
      sourceId: current.sourceId,
      destinationId: current.destinationId,
      settings: next,
    },
    (source) => (reconfigured ? source.catalog : undefined),
  );
  await recordSettingsChange(deps, current, row);
  return connectionView(row);
}

/** A change of settings on the connection's timeline: enabling and disabling as events of their own
 * (a disabled connection is notified), the other fields as one update with what each was and is. */
async function recordSettingsChange(deps: ResourceDeps, before: ConnectionRow, after: ConnectionRow) {
  const from = { name: before.name, ...before.settings } as Record<string, unknown>;
  const to = { name: after.name, ...after.settings } as Record<string, unknown>;
  const patches: Record<string, { from: unknown; to: unknown }> = {};
  for (const field of new Set([...Object.keys(from), ...Object.keys(to)])) {
    if (field === 'status') continue;
    if (JSON.stringify(from[field]) !== JSON.stringify(to[field]))
      patches[field] = { from: from[field] ?? null, to: to[field] ?? null };
  }
  if (before.settings.status !== after.settings.status) {
    await recordConnectionEvent(deps, {
      connectionId: after.id,
      eventType: after.settings.status === 'inactive' ? 'CONNECTION_DISABLED' : 'CONNECTION_ENABLED',
      summary: { patches: { status: { from: before.settings.status, to: after.settings.status } } },
    });
  }
  if (Object.keys(patches).length > 0) {
    await recordConnectionEvent(deps, {
      connectionId: after.id,
      eventType: 'CONNECTION_SETTINGS_UPDATE',
      summary: { patches },
    });
  }
}

export async function getConnectionView(deps: ResourceDeps, id: string): Promise<JsonObject> {
  return connectionView(await connectionOr404(deps, id));
}

export async function listConnectionViews(deps: ResourceDeps, limit: number, offset: number) {
  return (await listConnections(deps.db, limit, offset)).map(connectionView);
}

export async function removeConnection(deps: ResourceDeps, id: string): Promise<void> {
  await connectionOr404(deps, id);
  await deps.db.transaction(async (tx) => {
    await deleteFlow(tx, CONNECTIONS_NAMESPACE, id);
    await deleteConnection(tx, id);
    await deleteConnectionEvents(tx, id);
    await deleteNotificationSettings(tx, connectionScope(id));
  });
}

export async function connectionState(deps: ResourceDeps, id: string) {
  await connectionOr404(deps, id);
  const store = createSyncStateStore(deps.db);
  const { state } = await store.load(connectionStateKey(id));
  const generations = [...(await store.generations(connectionStateKey(id)))].map(([key, generationId]) => {
    const [namespace, name] = JSON.parse(key) as [string | null, string];
    return { streamName: name, ...(namespace !== null && { streamNamespace: namespace }), generationId };
  });
  return { connectionId: id, stateType: stateTypeOf(state), state: state ?? null, generations };
}

export async function resetConnectionState(deps: ResourceDeps, id: string, streams?: StreamDescriptor[]) {
  await connectionOr404(deps, id);
  await createSyncStateStore(deps.db).resetState(connectionStateKey(id), streams);
  return connectionState(deps, id);
}

function stateTypeOf(state: unknown): string {
  if (state === undefined || state === null) return 'not_set';
  if (!Array.isArray(state)) return 'legacy';
  return (state[0] as { type?: string } | undefined)?.type === 'GLOBAL' ? 'global' : 'stream';
}

// ------------------------------------------------------------------------------- jobs

/** What a refresh or clear concerns beyond the whole connection: some streams, and a refresh's type. */
export interface JobOptions {
  streams?: StreamDescriptor[];
  refreshType?: RefreshType;
}

export async function createJob(
  deps: ResourceDeps,
  connectionId: string,
  jobType: JobType,
  options: JobOptions = {},
): Promise<JsonObject> {
  const connection = await connectionOr404(deps, connectionId);
  if (connection.settings.breakingChange && (jobType === 'sync' || jobType === 'refresh')) {
    throw new ResourceError(
      409,
      `connection ${connectionId} is paused by a breaking schema change: ${connection.settings.statusReason ?? ''}`.trim(),
    );
  }
  const streams = options.streams ?? [];
  checkStreamsOf(connection, streams);
  const running = await searchExecutions(deps.db, {
    namespace: CONNECTIONS_NAMESPACE,
    flowId: connectionId,
    states: ['CREATED', 'QUEUED', 'RUNNING', 'PAUSED', 'RESTARTED', 'KILLING', 'RETRYING'],
    page: 1,
    size: 1,
  });
  if (running.results.length > 0) {
    throw new ResourceError(409, `connection ${connectionId} has a job running: ${running.results[0].id}`);
  }
  const flow = await getFlow(deps.db, CONNECTIONS_NAMESPACE, connectionId);
  if (!flow) throw new ResourceError(404, `no connection ${connectionId}`);
  const execution = await startExecution(deps.db, flow, {
    jobType,
    ...(streams.length > 0 && { jobStreams: streams.map(descriptor) }),
    ...(options.refreshType !== undefined && { refreshType: options.refreshType }),
  });
  return jobView(execution);
}

/** Streams a job names must be the connection's: a typo is refused now rather than ignored. */
function checkStreamsOf(connection: ConnectionRow, streams: StreamDescriptor[]): void {
  const configured = connection.settings.configurations.streams;
  const known = (s: StreamDescriptor) =>
    configured.length === 0 ||
    configured.some((c) => c.name === s.name && (s.namespace === undefined || c.namespace === s.namespace));
  const unknown = streams.filter((s) => !known(s));
  if (unknown.length > 0) {
    throw new ResourceError(
      422,
      `connection ${connection.id} has no stream ${unknown.map((s) => JSON.stringify(s.name)).join(', ')}`,
    );
  }
}

function descriptor(s: StreamDescriptor): StreamDescriptor {
  return s.namespace === undefined || s.namespace === null
    ? { name: s.name }
    : { name: s.name, namespace: s.namespace };
}

export async function listJobs(
  deps: ResourceDeps,
  filter: { connectionId?: string; limit: number; offset: number },
) {
  // pages of the execution search: offset is a multiple of limit in every client we serve
  const page = Math.floor(filter.offset / filter.limit) + 1;
  const { results } = await searchExecutions(deps.db, {
    namespace: CONNECTIONS_NAMESPACE,
    flowId: filter.connectionId,
    page,
    size: filter.limit,
  });
  return results.map(jobView);
}

async function jobOr404(deps: ResourceDeps, id: string): Promise<Execution> {
  const execution = await getExecution(deps.db, id);
  if (!execution || execution.namespace !== CONNECTIONS_NAMESPACE)
    throw new ResourceError(404, `no job ${id}`);
  return execution;
}

/** A job with its attempts, each with its log lines. */
export async function getJob(deps: ResourceDeps, id: string): Promise<JsonObject> {
  const execution = await jobOr404(deps, id);
  const logs = await selectLogs(deps.db, id);
  const sync = execution.taskRunList.find((tr) => tr.taskId === SYNC_TASK_ID);
  const attempts = (sync?.attempts ?? []).map((attempt, i) => ({
    ...attemptView(sync!, i),
    logs: logs
      .filter((l) => l.taskRunId === sync!.id && l.attempt === i + 1)
      .map((l) => ({ timestamp: l.ts, level: l.level, message: l.message })),
  }));
  return { ...jobView(execution), attempts };
}

/** One attempt as Airbyte's `jobs/get` shows it: its status, counts, and for a failed one a
 * failure summary with the failure type, where it came from, and whether it was worth a retry. */
export function attemptView(sync: TaskRun, i: number): JsonObject {
  const attempt = sync.attempts[i];
  const last = i === sync.attempts.length - 1;
  const histories = attempt.state.histories;
  const ended = isTerminal(attempt.state.current);
  const counts = (last && attempt.state.current !== 'FAILED' ? sync.outputs : attempt.failure?.outputs) as
    { recordsCommitted?: number; bytesCommitted?: number; bytesEmitted?: number } | null | undefined;
  const status = jobStatus({ state: attempt.state });
  return {
    attempt: i + 1,
    id: i,
    status: status === 'incomplete' ? 'failed' : status,
    state: attempt.state.current,
    createdAt: histories[0]?.date ?? null,
    endedAt: ended ? (histories[histories.length - 1]?.date ?? null) : null,
    recordsSynced: counts?.recordsCommitted ?? 0,
    bytesSynced: counts?.bytesCommitted ?? counts?.bytesEmitted ?? 0,
    failureSummary:
      attempt.state.current === 'FAILED'
        ? {
            failures: [
              {
                failureOrigin: /^(source|destination)\b/.exec(attempt.error ?? '')?.[1] ?? 'replication',
                failureType: attempt.failure?.type ?? 'system_error',
                externalMessage: attempt.error ?? 'the attempt failed',
                retryable: attempt.failure?.retryable !== false,
                timestamp: histories[histories.length - 1]?.date ?? null,
              },
            ],
            partialSuccess: attempt.failure?.progress === true,
          }
        : null,
  };
}

export async function cancelJob(deps: ResourceDeps, id: string): Promise<JsonObject> {
  const execution = await jobOr404(deps, id);
  if (isTerminal(execution.state.current)) throw new ResourceError(409, `job ${id} has ended`);
  await deps.db.transaction((tx) => emit(tx, 'executor', { type: 'kill', executionId: id }, { key: id }));
  return { ...jobView(execution), status: 'cancelled' };
}

export function jobView(execution: Execution): JsonObject {
  const sync = execution.taskRunList.find((tr) => tr.taskId === SYNC_TASK_ID);
  const outputs = (sync?.outputs ?? {}) as {
    recordsCommitted?: number;
    bytesEmitted?: number;
    streams?: Record<string, unknown>;
  };
  const histories = execution.state.histories;
  const start = histories[0]?.date;
  const last = histories[histories.length - 1]?.date;
  return {
    jobId: execution.id,
    status: jobStatus(execution),
    jobType: (execution.inputs as { jobType?: string }).jobType ?? 'sync',
    ...jobScopeView(execution.inputs as { jobType?: string; jobStreams?: unknown; refreshType?: string }),
    connectionId: execution.flowId,
    startTime: start ?? null,
    lastUpdatedAt: last ?? null,
    duration: start && last ? isoDuration(Date.parse(last) - Date.parse(start)) : null,
    rowsSynced: outputs.recordsCommitted ?? 0,
    bytesSynced: outputs.bytesEmitted ?? 0,
    streams: outputs.streams ?? {},
    attemptCount: sync?.attempts.length ?? 0,
  };
}

/** A refresh's or clear's streams and a refresh's type, in Airbyte's names (its JobRead's
 * resetConfig.streamsToReset and refreshConfig.streamsToRefresh). */
function jobScopeView(inputs: { jobType?: string; jobStreams?: unknown; refreshType?: string }): JsonObject {
  const streams = Array.isArray(inputs.jobStreams) ? (inputs.jobStreams as StreamDescriptor[]) : [];
  const named = streams.map((s) => ({
    name: s.name,
    ...(s.namespace !== undefined && { namespace: s.namespace }),
  }));
  if (inputs.jobType === 'refresh') {
    return { refreshConfig: { refreshType: inputs.refreshType ?? 'truncate', streamsToRefresh: named } };
  }
  if (inputs.jobType === 'clear' || inputs.jobType === 'reset')
    return { resetConfig: { streamsToReset: named } };
  return {};
}

function isoDuration(ms: number): string {
  return `PT${(ms / 1000).toFixed(3).replace(/\.?0+$/, '')}S`;
}

/** A connector's failure at spec/check/discover time is the caller's configuration at fault. */
export async function rethrow<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof SyncFailure) throw new ResourceError(422, error.message);
    throw error;
  }
}
