// The `sync` task (DESIGN.md, "Sync task"): spec, check and discover both connectors, build the
// configured catalog, then run the source's `read` into the destination's `write`, keeping only the
// states the destination acknowledged. State and replaced configurations live per connection
// (namespace/flow/task) in a SyncStateStore.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Destination, Source } from '../../cdk/connector.js';
import { ConnectorError } from '../../cdk/errors.js';
import type { TaskDef } from '../../flow/model.js';
import type {
  AirbyteStateMessage,
  ConfiguredAirbyteStream,
  ConnectorSpecification,
  JsonObject,
  StreamDescriptor,
} from '../../protocol/messages.js';
import { redactInTaskRun } from '../../engine/run-context.js';
import { withAttemptFailure } from '../../engine/attempt-failure.js';
import { readStateFrom, streamKey, withoutStreams } from '../../protocol/state.js';
import type { SecretCipher } from '../../secrets/cipher.js';
import {
  decryptSecretFields,
  encryptSecretFields,
  secretFieldValues,
} from '../../secrets/connector-secrets.js';
import { INJECTED_MANIFEST } from '../../connectors/declarative/manifest-key.js';
import type { RunContext, RunnableTask, TaskResult } from '../types.js';
import {
  type NamespaceMapping,
  planSync,
  type StreamChoice,
  CatalogError,
  type SyncPlan,
} from './catalog.js';
import {
  descriptorOf,
  inScope,
  isClear,
  JOB_TYPES,
  type JobScope,
  type JobType,
  REFRESH_TYPES,
  type RefreshType,
  setGenerations,
  streamsToBump,
} from './generations.js';
import {
  check,
  committedState,
  discover,
  failureOfExit,
  specOf,
  SyncFailure,
  validated,
} from './connector-calls.js';
import { type ConnectorRef, builtInOf, resolveConnector } from './connector-command.js';
import { readIntoInput, transferInProcess } from './in-process.js';
import { type ConnectorExit, launchConnector } from './launcher.js';
import { LineSink } from './line-sink.js';
import { type CountsByStream, SyncPipe } from './pipe.js';
import { ProgressReporter } from './progress.js';
import type {
  ConnectorResolver,
  ConnectorSide,
  ReplacedConfig,
  SchemaWatch,
  StoredSync,
  SyncStateStore,
} from './state-store.js';

export interface SyncTaskOptions {
  states: SyncStateStore;
  /** run built-in connectors in this process where that pays (builtInsOf, in-process.ts); default true */
  inProcess?: boolean;
  /** finds stored sources and destinations, and registered connector definitions */
  resolver?: ConnectorResolver;
  /** how often live progress is logged; default 5 s */
  progressIntervalMs?: number;
  /** the least time between two writes of an acknowledged state; the last one is always written */
  stateSaveIntervalMs?: number;
  /** encrypts the secret fields of a configuration a connector replaces (CONTROL) before it is stored;
   * without one, such a configuration is used for the rest of the run but not kept */
  cipher?: SecretCipher;
  /** compares the source's schema with the one the sync was configured against (API connections) */
  schemaWatch?: SchemaWatch;
}

interface SyncProps extends NamespaceMapping {
  source: ConnectorRef;
  destination: ConnectorRef;
  streams?: StreamChoice[];
  jobType?: JobType;
  /** the streams a refresh or clear concerns (all when none), as a list or its JSON text */
  jobStreams?: StreamDescriptor[] | string;
  refreshType?: RefreshType;
}

interface Side {
  side: ConnectorSide;
  command: string[];
  /** the connector's implementation when the task brings it (a declarative manifest) */
  implementation?: Source;
  /** the configuration the task was given (rendered), whose digest a CONTROL update is tied to */
  given: JsonObject;
  config: JsonObject;
  /** a declarative manifest a connector process takes inside its configuration */
  manifest?: JsonObject;
  /** the configuration this side last replaced (CONTROL), as stored, when `config` is that one */
  replaced?: ReplacedConfig;
  /** known once the connector answered `spec`: which fields of a configuration are secret */
  spec?: ConnectorSpecification;
}

export function createSyncTask(options: SyncTaskOptions): RunnableTask {
  return {
    async run(task: TaskDef, ctx: RunContext): Promise<TaskResult> {
      const picked = pick(task);
      // a manifest is the connector's data: its Jinja is the connector's own, never the flow's
      const manifest = (picked.source as ConnectorRef | undefined)?.manifest;
      if (manifest !== undefined) picked.source = { ...(picked.source as ConnectorRef), manifest: undefined };
      const props = (await ctx.render(picked)) as SyncProps;
      if (manifest !== undefined) props.source.manifest = manifest;
      const key = `${ctx.execution.namespace}/${ctx.execution.flowId}/${task.id}`;
      const stored = await options.states.load(key);
      const run = new SyncRun(options, ctx, key, stored);
      try {
        return await run.run(props);
      } catch (error) {
        throw failedAttempt(
          error instanceof CatalogError ? new SyncFailure('config_error', error.message) : error,
          run.committedSoFar(),
        );
      }
    },
  };
}

/** A failed attempt, as the retry policy reads it (Airbyte's): a configuration error is never
 * retried, and an attempt that committed records made progress, a partial failure. */
function failedAttempt(error: unknown, committed: { recordsCommitted: number; bytesCommitted: number }) {
  const type = error instanceof SyncFailure ? error.failureType : 'system_error';
  return withAttemptFailure(error, {
    type,
    retryable: type !== 'config_error',
    progress: committed.recordsCommitted > 0,
    outputs: committed,
  });
}

/** The properties of a sync task that its run reads. */
const SYNC_PROPERTIES = [
  'source',
  'destination',
  'streams',
  'namespaceDefinition',
  'namespaceFormat',
  'prefix',
  'jobType',
  'jobStreams',
  'refreshType',
] as const;

function pick(task: TaskDef): Record<string, unknown> {
  const all = task as Record<string, unknown>;
  return Object.fromEntries(SYNC_PROPERTIES.map((key) => [key, all[key]]));
}

class SyncRun {
  /** both connectors, when the sync runs them in this process */
  private builtIns: BuiltIns | undefined;
  private state: unknown;
  private committed: CountsByStream = new Map();
  private dirty = false;
  private lastSave = 0;
  /** the state includes what the destination said it committed in earlier attempts of this sync */
  private resumesDestination = false;

  constructor(
    private readonly options: SyncTaskOptions,
    private readonly ctx: RunContext,
    private readonly key: string,
    private readonly stored: StoredSync,
  ) {
    this.state = stored.state;
  }

  async run(props: SyncProps): Promise<TaskResult> {
    const scope = jobScopeOf(props);
    const source = await this.side('source', props.source);
    const destination = await this.side('destination', props.destination);
    if (this.options.inProcess !== false) this.builtIns = await builtInsOf(source, destination);
    const [sourceSpec, destinationSpec] = await Promise.all([
      specOf(this.call(source)),
      specOf(this.call(destination)),
    ]);
    source.spec = sourceSpec;
    destination.spec = destinationSpec;
    for (const side of [source, destination]) {
      if (side.replaced)
        side.config = withManifest(await this.openReplaced(side, side.replaced), side.manifest);
      // whatever a connector or we log from here on, its secret fields never show in clear
      this.redactSecrets(side, side.config);
    }
    source.config = validated('source', sourceSpec, source.config);
    destination.config = validated('destination', destinationSpec, destination.config);
    const [catalog] = await Promise.all([
      discover(this.call(source), source.config),
      check(this.call(source), source.config),
      check(this.call(destination), destination.config),
    ]);
    // a clear reads nothing from the source: its schema does not matter to it
    const review = isClear(scope.jobType)
      ? undefined
      : await this.options.schemaWatch?.(this.key, catalog, (m) => this.ctx.logger.info(m));
    const plan = review
      ? planSync(review.catalog, review.streams, props)
      : planSync(catalog, props.streams, props);
    const streamCount = plan.sourceCatalog.streams.length;
    if (isClear(scope.jobType)) {
      // Airbyte's catalog for a clear: only the streams it empties, each a full refresh overwrite
      onlyStreams(plan, (s) => inScope(scope, s.stream));
      for (const s of [...plan.sourceCatalog.streams, ...plan.destinationCatalog.streams]) {
        s.sync_mode = 'full_refresh';
        s.destination_sync_mode = 'overwrite';
      }
    }
    for (const s of plan.destinationCatalog.streams) s.sync_id = syncIdOf(this.ctx.taskRun.id);
    if (!isClear(scope.jobType)) {
      await this.resumeFromDestination(destination, plan);
      if (plan.sourceCatalog.streams.length === 0) {
        await this.saveState(true);
        return { outputs: this.outputs(new Map(), new Map()) };
      }
    }
    await this.startGenerations(plan, scope, streamCount);
    if (isClear(scope.jobType)) return this.clear(destination, plan);
    this.ctx.logger.info(
      `syncing ${plan.sourceCatalog.streams
        .map((s) => `${s.stream.name} (${s.sync_mode}/${s.destination_sync_mode})`)
        .join(', ')}${this.state === undefined ? '' : ', resuming from the last acknowledged state'}`,
    );
    return this.move(source, destination, plan);
  }

  /**
   * Exactly once across a crash (docs/sync.md): a destination that keeps its acknowledged states with its
   * records says what earlier attempts of this sync committed, which may be ahead of what the platform
   * stored (it stores at most once a second, and the worker may have died between a commit and its
   * store). Its states come first, and a stream it committed whole is not sent again. A destination that
   * cannot say (any other than the built-in SQL ones) leaves the platform's state as it is.
   */
  private async resumeFromDestination(destination: Side, plan: ReturnType<typeof planSync>): Promise<void> {
    const messages = await committedState(
      this.call(destination),
      destination.config,
      plan.destinationCatalog,
    );
    if (!messages) return;
    const routes = new Map([...plan.routes.values()].map((route) => [streamKey(route.destination), route]));
    const states = messages.flatMap((m) => (m.type === 'STATE' ? sourceStates(m.state, routes) : []));
    const whole = new Set(
      messages.flatMap((m) =>
        m.type === 'TRACE' && m.trace.stream_status?.status === 'COMPLETE'
          ? [streamKey(m.trace.stream_status.stream_descriptor)]
          : [],
      ),
    );
    if (states.length === 0 && whole.size === 0) return;
    this.state = readStateFrom(states, this.state);
    this.dirty = true;
    this.resumesDestination = true;
    this.ctx.logger.info(
      'resuming from what the destination committed in earlier attempts of this sync: ' +
        `${states.length} state${states.length === 1 ? '' : 's'}`,
    );
    if (whole.size === 0) return;
    const kept = plan.destinationCatalog.streams.map((s) => !whole.has(streamKey(s.stream)));
    for (const [key, route] of plan.routes) {
      if (!whole.has(streamKey(route.destination))) continue;
      plan.routes.delete(key);
      this.ctx.logger.info(`${route.outputName}: every record of it is committed already, not sent again`);
    }
    plan.sourceCatalog.streams = plan.sourceCatalog.streams.filter((_, i) => kept[i]);
    plan.destinationCatalog.streams = plan.destinationCatalog.streams.filter((_, i) => kept[i]);
  }

  /**
   * Airbyte's rules for state and generations (AttemptHandler, docs/sync.md): a job's first attempt
   * starts a new generation of every full-refresh stream and of the streams a refresh or clear names,
   * and forgets their state; a later attempt of the same job (a retry, or a rerun after its worker
   * died) does so only for the full-refresh streams its source cannot resume (is_resumable). Every
   * stream of the destination's catalog then carries sync_id, generation_id and
   * minimum_generation_id.
   */
  private async startGenerations(
    plan: ReturnType<typeof planSync>,
    scope: JobScope,
    streamCount: number,
  ): Promise<void> {
    const resuming =
      this.state !== undefined &&
      (this.stored.lastTaskRun === this.ctx.taskRun.id || this.resumesDestination);
    const afresh = streamsToBump(plan.sourceCatalog.streams, scope, resuming);
    const descriptors = afresh.map((s) => descriptorOf(s.stream));
    await this.options.states.bumpGenerations(
      this.key,
      descriptors,
      `${this.ctx.taskRun.id}/${this.ctx.taskRun.attempt}`,
    );
    if (afresh.length > 0 && this.state !== undefined) {
      // a state not kept per stream cannot lose some streams' part: it goes only when all start afresh
      if (Array.isArray(this.state) || afresh.length === streamCount) {
        this.state = withoutStreams(this.state, descriptors);
        await this.options.states.resetState(this.key, descriptors);
      }
      this.ctx.logger.info(
        `${afresh.map((s) => s.stream.name).join(', ')}: a new generation, read from the start whatever state it had`,
      );
    }
    setGenerations(
      plan.sourceCatalog.streams,
      plan.destinationCatalog.streams,
      await this.options.states.generations(this.key),
      syncIdOf(this.ctx.taskRun.id),
      scope,
    );
  }

  private async move(
    source: Side,
    destination: Side,
    plan: ReturnType<typeof planSync>,
  ): Promise<TaskResult> {
    // the sync stops when it is killed, and when an acknowledged state cannot be saved
    const stop = linkedAbort(this.ctx.signal);
    const pipe = new SyncPipe(plan.routes, {
      logger: this.ctx.logger,
      onAck: async ({ states, committed }) => {
        this.state = readStateFrom(states, this.state);
        this.committed = committed;
        this.dirty = true;
        await this.saveState(false);
      },
      onAckFailure: (error) => stop.abort(error),
      onControl: (side, config) => this.replaceConfig(side === 'source' ? source : destination, config),
    });
    const progress = new ProgressReporter(this.ctx.logger, this.options.progressIntervalMs ?? 5000);
    progress.start(() => pipe.result().emitted);
    let ended: Transfer;
    try {
      const builtIns = this.builtIns;
      if (builtIns?.together) {
        this.ctx.logger.info('both connectors are built in: running them in process');
        ended = await transferInProcess({
          source: {
            connector: builtIns.together.source,
            config: source.config,
            catalog: plan.sourceCatalog,
            state: this.state,
          },
          destination: {
            connector: builtIns.together.destination,
            config: destination.config,
            catalog: plan.destinationCatalog,
          },
          pipe,
          signal: stop.signal,
        });
      } else {
        ended = await this.transferByProcess(source, destination, plan, pipe, stop.signal, builtIns?.source);
      }
    } finally {
      progress.stop();
    }
    if (pipe.ackFailure) {
      throw new SyncFailure(
        'system_error',
        `saving the acknowledged state failed: ${pipe.ackFailure.message}`,
      );
    }
    await this.saveState(true);
    const result = pipe.result();
    progress.summary(result.emitted, result.dropped);

    if (this.ctx.signal.aborted) throw new SyncFailure('system_error', 'Sync killed');
    const failure =
      failureOfExit('destination', 'write', ended.write) ??
      (ended.read.cancelled ? undefined : failureOfExit('source', 'read', ended.read)) ??
      (ended.inputFailed
        ? new SyncFailure(
            'system_error',
            `destination stopped reading its input: ${ended.inputFailed.message}`,
          )
        : undefined);
    if (failure) throw failure;
    // a destination that ends its write successfully has committed all it was given
    return { outputs: this.outputs(result.emitted, result.emitted) };
  }

  /** The source's `read` and the destination's `write` as processes, the pipe between their stdio. */
  private async transferByProcess(
    source: Side,
    destination: Side,
    plan: ReturnType<typeof planSync>,
    pipe: SyncPipe,
    signal: AbortSignal,
    builtInSource: Source | undefined,
  ): Promise<Transfer> {
    // each side stops on its own signal: a failed destination stops the source, a kill stops both
    const stopSource = linkedAbort(signal);
    const stopDestination = linkedAbort(signal);
    const writer = await launchConnector({
      command: destination.command,
      verb: 'write',
      config: destination.config,
      catalog: plan.destinationCatalog,
      signal: stopDestination.signal,
      onStderr: (line) => this.ctx.logger.info(`destination: ${line}`),
      configFd: builtInOf(destination.command) !== undefined,
    });
    const stdin = new LineSink(writer.stdin!);
    const writerDone = writer.exit.then((exit) => {
      // a destination gone before the source ended: nothing it would write can be committed now
      if (exit.failure || exit.exitCode !== 0) stopSource.abort();
      return exit;
    });
    // a built-in source reads in this process (no second process, no decoding of its output)
    if (builtInSource) this.ctx.logger.info('the source is built in: reading in process');
    const reading = builtInSource
      ? readIntoInput(
          { connector: builtInSource, config: source.config, catalog: plan.sourceCatalog, state: this.state },
          pipe,
          stdin,
          stopSource.signal,
        )
      : this.readByProcess(source, plan, pipe, stdin, stopSource.signal);
    const [read] = await Promise.all([reading, pipe.acknowledgements(writer.messages)]);
    const write = await writerDone;
    return { read, write, inputFailed: stdin.failed };
  }

  /** The source's `read` as a process, its output forwarded to the destination's stdin. */
  private async readByProcess(
    source: Side,
    plan: ReturnType<typeof planSync>,
    pipe: SyncPipe,
    stdin: LineSink,
    signal: AbortSignal,
  ): Promise<ConnectorExit> {
    const reader = await launchConnector({
      command: source.command,
      verb: 'read',
      config: source.config,
      catalog: plan.sourceCatalog,
      state: this.state,
      signal,
      onStderr: (line) => this.ctx.logger.info(`source: ${line}`),
      configFd: builtInOf(source.command) !== undefined,
    });
    try {
      await pipe.forward(reader.messages, stdin);
    } finally {
      const read = await reader.exit;
      await pipe.finish(stdin, read.exitCode === 0 && !read.failure && !read.cancelled);
    }
    return reader.exit;
  }

  private async side(side: ConnectorSide, ref: ConnectorRef): Promise<Side> {
    const { command, config: given } = await resolveConnector(side, ref, this.options.resolver);
    const stored = this.stored.configs[side];
    const replaced = stored && stored.basedOn === digest(given) ? stored : undefined;
    if (replaced) this.ctx.logger.info(`${side}: using the configuration it last replaced (CONTROL)`);
    // the replaced configuration is opened once the spec says which of its fields are encrypted
    if (ref.manifest === undefined) return { side, command, given, config: given, replaced };
    const manifest = (await manifestOf(ref.manifest)) as JsonObject;
    if (this.options.inProcess === false) {
      // as a process, source-declarative-manifest takes the manifest inside its config, as Airbyte's image
      return { side, command, given, config: withManifest(given, manifest), replaced, manifest };
    }
    return {
      side,
      command,
      given,
      config: given,
      replaced,
      implementation: await declarativeSource(manifest),
    };
  }

  /** A replaced configuration as stored, in clear; one an earlier version stored in clear is
   * encrypted now. */
  private async openReplaced(side: Side, replaced: ReplacedConfig): Promise<JsonObject> {
    const schema = side.spec!.connectionSpecification;
    const { cipher } = this.options;
    if (replaced.encrypted) {
      if (!cipher)
        throw new SyncFailure('system_error', `${side.side}: no key to open its replaced configuration`);
      return decryptSecretFields(schema, replaced.config, cipher) as JsonObject;
    }
    if (cipher) await this.storeReplaced(side, replaced.config);
    return replaced.config;
  }

  private redactSecrets(side: Side, config: JsonObject): void {
    for (const value of secretFieldValues(side.spec!.connectionSpecification, config)) {
      redactInTaskRun(this.ctx, value);
    }
  }

  /** The destination's streams replaced by nothing: a write of the catalog, in overwrite, with no
   * records. */
  private async clear(destination: Side, plan: ReturnType<typeof planSync>): Promise<TaskResult> {
    const writer = await launchConnector({
      command: destination.command,
      verb: 'write',
      config: destination.config,
      catalog: plan.destinationCatalog,
      signal: this.ctx.signal,
      onStderr: (line) => this.ctx.logger.info(`destination: ${line}`),
      configFd: builtInOf(destination.command) !== undefined,
    });
    const pipe = new SyncPipe(plan.routes, {
      logger: this.ctx.logger,
      onAck: async () => undefined,
      onControl: (_side, config) => this.replaceConfig(destination, config),
    });
    // every stream COMPLETE with no record: each table is replaced by an empty one
    const acknowledged = pipe.acknowledgements(writer.messages);
    await pipe.finish(new LineSink(writer.stdin!), true);
    await acknowledged;
    const failure = failureOfExit('destination', 'write', await writer.exit);
    if (failure) throw failure;
    const empty = pipe.result().emitted;
    return { outputs: this.outputs(empty, empty) };
  }

  private call(side: Side) {
    return {
      side: side.side,
      command: side.command,
      inProcess: this.builtIns?.[side.side],
      signal: this.ctx.signal,
      onLog: (line: string) => this.ctx.logger.info(`${side.side}: ${line}`),
    };
  }

  private async replaceConfig(side: Side, config: JsonObject): Promise<void> {
    // before anything else: the connector may log its new secret in the very next line
    this.redactSecrets(side, config);
    if (!this.options.cipher) {
      this.ctx.logger.warn(
        `${side.side}: replaced its configuration (CONTROL), but without an encryption key it is not stored`,
      );
      return;
    }
    await this.storeReplaced(side, config);
    this.ctx.logger.info(`${side.side}: replaced its configuration (CONTROL); the next runs use the new one`);
  }

  /** Stores a replaced configuration with its secret fields encrypted, as stored sources keep theirs. */
  private async storeReplaced(side: Side, config: JsonObject): Promise<void> {
    const sealed = encryptSecretFields(side.spec!.connectionSpecification, config, this.options.cipher!);
    await this.options.states.saveConfig(this.key, side.side, {
      basedOn: digest(side.given),
      config: sealed as JsonObject,
      encrypted: true,
    });
  }

  private async saveState(final: boolean): Promise<void> {
    if (!this.dirty) return;
    const now = Date.now();
    if (!final && now - this.lastSave < (this.options.stateSaveIntervalMs ?? 1000)) return;
    this.dirty = false;
    this.lastSave = now;
    const streams = Object.fromEntries(
      [...this.committed].map(([name, c]) => [
        name,
        { recordsCommitted: c.recordsEmitted, bytesCommitted: c.bytesEmitted },
      ]),
    );
    await this.options.states.saveState(this.key, this.state, {
      taskRunId: this.ctx.taskRun.id,
      recordsCommitted: sum(this.committed, 'recordsEmitted'),
      bytesCommitted: sum(this.committed, 'bytesEmitted'),
      streams,
    });
  }

  /** What this attempt committed, for the record of an attempt that failed. */
  committedSoFar(): { recordsCommitted: number; bytesCommitted: number } {
    return {
      recordsCommitted: sum(this.committed, 'recordsEmitted'),
      bytesCommitted: sum(this.committed, 'bytesEmitted'),
    };
  }

  private outputs(emitted: CountsByStream, committed: CountsByStream): Record<string, unknown> {
    return {
      recordsEmitted: sum(emitted, 'recordsEmitted'),
      recordsCommitted: sum(committed, 'recordsEmitted'),
      bytesEmitted: sum(emitted, 'bytesEmitted'),
      streams: Object.fromEntries(
        [...emitted].map(([name, c]) => [
          name,
          {
            recordsEmitted: c.recordsEmitted,
            recordsCommitted: committed.get(name)?.recordsEmitted ?? 0,
            bytesEmitted: c.bytesEmitted,
          },
        ]),
      ),
      state: this.state ?? null,
    };
  }
}

/** How the read and the write ended. */
interface Transfer {
  read: ConnectorExit;
  write: ConnectorExit;
  /** why the destination's input stopped taking messages before it ended, if it did */
  inputFailed?: Error;
}

interface BuiltIns {
  /** the source's implementation, when it is built in: it reads in this process */
  source?: Source;
  /** the destination's, when it is built in (its spec and check are calls) */
  destination?: Destination;
  /** both, when both are built in: the write runs in this process too */
  together?: { source: Source; destination: Destination };
}

/**
 * What runs in this process (in-process.ts). A built-in source reads here, whatever the destination:
 * that spares a process and the decoding of its output. A built-in destination joins it: no line is
 * encoded or decoded, and one Node runtime holds both. Records then share one core, but faker →
 * PostgreSQL measured as fast that way as with the destination in a process (16.8–20.2 s against
 * 17.7–21.9 s for 1M records) and 80 MB smaller (bench/README.md).
 */
async function builtInsOf(source: Side, destination: Side): Promise<BuiltIns> {
  const s = builtInOf(source.command);
  const d = builtInOf(destination.command);
  const built: BuiltIns = {
    source: source.implementation ?? (s?.kind === 'source' ? await s.load() : undefined),
    destination: d?.kind === 'destination' ? await d.load() : undefined,
  };
  if (built.source && built.destination) {
    built.together = { source: built.source, destination: built.destination };
  }
  return built;
}

/** A manifest given inline (a map, or YAML text) or by a path (relative to the working directory, when
 * the flow's loading has not already read it relative to the flow file). */
async function manifestOf(given: unknown): Promise<unknown> {
  if (typeof given !== 'string' || given.includes('\n')) return given;
  try {
    return await readFile(given, 'utf8');
  } catch (error) {
    throw new SyncFailure(
      'config_error',
      `source.manifest: cannot read ${given}: ${(error as Error).message}`,
    );
  }
}

async function declarativeSource(manifest: unknown): Promise<Source> {
  const { manifestSource } = await import('../../connectors/declarative/source.js');
  try {
    return manifestSource(manifest);
  } catch (error) {
    if (error instanceof ConnectorError)
      throw new SyncFailure(error.failureType, `source.manifest: ${error.message}`);
    throw error;
  }
}

/** The job a task run is, from its properties: Airbyte's job type and the streams it concerns. */
function jobScopeOf(props: SyncProps): JobScope {
  const jobType = props.jobType ?? 'sync';
  if (!JOB_TYPES.includes(jobType)) {
    throw new SyncFailure('config_error', `jobType: expected one of ${JOB_TYPES.join(', ')}, got ${jobType}`);
  }
  const refreshType = props.refreshType || undefined;
  if (refreshType !== undefined && !REFRESH_TYPES.includes(refreshType)) {
    throw new SyncFailure(
      'config_error',
      `refreshType: expected one of ${REFRESH_TYPES.join(', ')}, got ${refreshType}`,
    );
  }
  let streams = props.jobStreams;
  if (typeof streams === 'string') {
    try {
      streams = (streams.trim() === '' ? [] : JSON.parse(streams)) as StreamDescriptor[];
    } catch {
      throw new SyncFailure('config_error', `jobStreams: not a JSON list of streams: ${streams}`);
    }
  }
  if (
    streams !== undefined &&
    (!Array.isArray(streams) || streams.some((s) => typeof s?.name !== 'string'))
  ) {
    throw new SyncFailure('config_error', 'jobStreams: expected a list of {name, namespace?}');
  }
  return { jobType, streams: streams?.map((s) => descriptorOf(s)), refreshType };
}

/** Keeps the plan's streams that `keep` takes, in both catalogs and the routes. */
function onlyStreams(plan: SyncPlan, keep: (s: ConfiguredAirbyteStream) => boolean): void {
  const kept = plan.sourceCatalog.streams.map(keep);
  for (const [i, s] of plan.sourceCatalog.streams.entries()) {
    if (!kept[i]) plan.routes.delete(streamKey(descriptorOf(s.stream)));
  }
  plan.sourceCatalog.streams = plan.sourceCatalog.streams.filter((_, i) => kept[i]);
  plan.destinationCatalog.streams = plan.destinationCatalog.streams.filter((_, i) => kept[i]);
}

function linkedAbort(parent: AbortSignal): AbortController {
  const controller = new AbortController();
  if (parent.aborted) controller.abort(parent.reason);
  else parent.addEventListener('abort', () => controller.abort(parent.reason), { once: true });
  return controller;
}

function sum(counts: CountsByStream, field: 'recordsEmitted' | 'bytesEmitted'): number {
  let total = 0;
  for (const c of counts.values()) total += c[field];
  return total;
}

/** Airbyte's sync_id is its job's number: here, a 48-bit number from the task run's id, the same for
 * every attempt of it. */
function syncIdOf(id: string): number {
  return createHash('sha256').update(id).digest().readUIntBE(0, 6);
}

/** A state the destination committed, as the source made it: a STREAM state under its source stream's
 * name again (the pipe gave it the destination's), without what the platform and the destination added.
 * A STREAM state of a stream no longer routed says nothing about this sync. */
function sourceStates(
  state: AirbyteStateMessage,
  routes: Map<string, { source: { name: string; namespace?: string } }>,
): AirbyteStateMessage[] {
  const { id: _id, destinationStats: _stats, ...rest } = state;
  const descriptor = rest.stream?.stream_descriptor;
  if (rest.type !== 'STREAM' || !descriptor) return [rest];
  const route = routes.get(streamKey(descriptor));
  if (!route) return [];
  return [{ ...rest, stream: { ...rest.stream!, stream_descriptor: descriptorOf(route.source) } }];
}

function digest(config: JsonObject): string {
  return createHash('sha256').update(JSON.stringify(config)).digest('hex');
}

/** The configuration with the manifest in it, under the key Airbyte's source-declarative-manifest reads. */
function withManifest(config: JsonObject, manifest: JsonObject | undefined): JsonObject {
  return manifest === undefined ? config : { ...config, [INJECTED_MANIFEST]: manifest };
}
