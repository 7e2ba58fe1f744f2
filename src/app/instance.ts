import type { Database } from '../db/database.js';
import {
  createExecutorBackend,
  createWorkerBackend,
  type SecretsVia,
  type StoreLimits,
} from '../db/engine-store.js';
import { createLivenessBackend } from '../db/liveness-store.js';
import { createRetentionBackend } from '../db/retention-store.js';
import { createSchedulerBackend } from '../db/scheduler-store.js';
import { newId } from '../engine/execution.js';
import { Executor } from '../engine/executor.js';
import { pollHttpTrigger } from '../tasks/http/trigger.js';
import { sharedDirectoryKit } from '../tasks/script/shared-directory-kit.js';
import { DEFAULT_HEARTBEAT_MS, DEFAULT_LIVENESS_TIMEOUT_MS, Heartbeat } from '../engine/heartbeat.js';
import type { RetentionPolicy } from '../engine/retention.js';
import { Scheduler } from '../engine/scheduler.js';
import { ExecutionObserver } from './execution-observer.js';
import { type ServiceLogger, silentLogger } from '../engine/service-logger.js';
import { Worker } from '../engine/worker.js';
import { createQueueSignals } from '../queue/postgres-queue.js';
import type { Storage } from '../storage/storage.js';
import { createKvStore } from '../db/kv-store.js';
import { createNamespaceFileStore } from '../db/namespace-file-store.js';
import { createSyncStateStore } from '../db/sync-state-store.js';
import { sweepConnectorFiles } from '../tasks/sync/launcher.js';
import type { SyncStateStore } from '../tasks/sync/state-store.js';
import { createTaskRuntime } from '../tasks/runtime.js';
import type { SecretCipher } from '../secrets/cipher.js';
import { createInputSeal } from '../secrets/sealed-inputs.js';
import { connectionSchemaWatch } from './connection-schema.js';
import { createConnectorResolver } from './connector-resolver.js';
import { createTaskPlatform } from './task-platform.js';

export interface LivenessOptions {
  heartbeatMs?: number;
  /** silence after which a component is declared dead and its task runs handed to others */
  timeoutMs?: number;
}

export interface InstanceOptions {
  db: Database;
  storage: Storage;
  executor?: boolean;
  worker?: boolean;
  scheduler?: boolean;
  /** records connections' jobs on their timelines and sends notifications (default: with the
   * scheduler) */
  observer?: boolean;
  /** the process also serves HTTP: registered so that /health and other components see it */
  webserver?: boolean;
  executorConcurrency?: number;
  workerThreads?: number;
  workerShutdownGraceMs?: number;
  /** see SyncTaskOptions.inProcess */
  syncInProcess?: boolean;
  /** see SyncTaskOptions.progressIntervalMs */
  syncProgressIntervalMs?: number;
  /** where syncs keep their state between runs; default: the database */
  syncStates?: SyncStateStore;
  workerGroup?: string;
  pollMs?: number;
  logger?: ServiceLogger;
  /** the secret store, read through whichever connection asks */
  secrets?: SecretsVia;
  /** decrypts stored sources' and destinations' secrets for sync tasks that name them, and seals and
   * opens SECRET inputs */
  cipher?: SecretCipher;
  /** how long history is kept; absent: the scheduler purges nothing (one-off runs, tests) */
  retention?: RetentionPolicy;
  /** registration and heartbeats of every component; absent for one-off runs */
  liveness?: LivenessOptions;
  /** a component fenced itself (declared dead, or unable to heartbeat): the process should stop */
  onFenced?: (reason: string) => void;
  /** sizes the engine writes at most (default: DEFAULT_MAX_DOCUMENT_CHARS) */
  limits?: StoreLimits;
}

/** The engine components of one process. Even when they share the process, the executor and the
 * worker talk only through the queue in the database. */
export class Instance {
  private readonly executor?: Executor;
  private readonly worker?: Worker;
  private readonly scheduler?: Scheduler;
  private readonly observer?: ExecutionObserver;
  private readonly heartbeats: Heartbeat[] = [];

  constructor(readonly options: InstanceOptions) {
    const signals = createQueueSignals(options.db);
    const logger = options.logger ?? silentLogger;
    const liveness = options.liveness ? createLivenessBackend(options.db) : undefined;
    const heartbeatMs = options.liveness?.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    const timeoutMs = options.liveness?.timeoutMs ?? DEFAULT_LIVENESS_TIMEOUT_MS;
    const onFenced = (reason: string) => options.onFenced?.(reason);
    const inputSeal = options.cipher && createInputSeal(options.cipher);
    const track = (role: string) => {
      if (!liveness) return;
      this.heartbeats.push(
        new Heartbeat(liveness, `${role}-${newId().slice(0, 10)}`, role, {
          intervalMs: heartbeatMs,
          timeoutMs,
          logger,
          onFenced,
        }),
      );
    };
    if (options.executor !== false) {
      this.executor = new Executor(
        createExecutorBackend(options.db, options.secrets, options.limits),
        signals,
        {
          // PGlite has a single connection: more loops would only queue behind each other
          concurrency: options.executorConcurrency ?? (options.db.dialect === 'pglite' ? 1 : 4),
          pollMs: options.pollMs,
          logger,
          inputSeal,
          storage: options.storage,
        },
      );
      track('executor');
    }
    if (options.worker !== false) {
      // the worker heartbeats itself: its id is the one its claimed jobs are recorded under
      const runtime = createTaskRuntime({
        syncStates: options.syncStates ?? createSyncStateStore(options.db),
        platform: createTaskPlatform(options.db, options.storage),
        resolver: options.cipher && createConnectorResolver(options.db, options.cipher),
        syncInProcess: options.syncInProcess,
        syncProgressIntervalMs: options.syncProgressIntervalMs,
        cipher: options.cipher,
        schemaWatch: options.cipher && connectionSchemaWatch({ db: options.db, cipher: options.cipher }),
      });
      this.worker = new Worker(
        createWorkerBackend(options.db, options.limits),
        signals,
        runtime,
        options.storage,
        {
          threads: options.workerThreads,
          pollMs: options.pollMs,
          logger,
          secrets: options.secrets?.(options.db),
          namespaces: {
            kv: createKvStore(options.db),
            files: createNamespaceFileStore(options.db, options.storage),
          },
          inputSeal,
          liveness,
          heartbeatMs,
          livenessTimeoutMs: timeoutMs,
          shutdownGraceMs: options.workerShutdownGraceMs,
          workerGroup: options.workerGroup,
          sharedDirectoryKit,
          onFenced,
        },
      );
    }
    if (options.scheduler !== false) {
      this.scheduler = new Scheduler(createSchedulerBackend(options.db), {
        logger,
        inputSeal,
        poll: pollHttpTrigger,
        liveness: liveness ? { backend: liveness, timeoutMs } : undefined,
        retention: options.retention
          ? {
              backend: createRetentionBackend(options.db),
              storage: options.storage,
              policy: options.retention,
            }
          : undefined,
      });
      track('scheduler');
    }
    if (options.observer ?? options.scheduler !== false) {
      this.observer = new ExecutionObserver(options.db, signals, {
        cipher: options.cipher,
        logger,
        pollMs: options.pollMs,
      });
    }
    if (options.webserver) track('webserver');
  }

  async start(): Promise<this> {
    for (const h of this.heartbeats) await h.start();
    await this.executor?.start();
    if (this.worker) {
      // connector configurations a dead worker left in the temp dir hold secrets in clear
      const swept = await sweepConnectorFiles();
      if (swept.length > 0) {
        (this.options.logger ?? silentLogger).info(
          { swept },
          'worker: removed the connector files of processes that died before they could',
        );
      }
    }
    await this.worker?.start();
    await this.scheduler?.start();
    await this.observer?.start();
    return this;
  }

  async stop(): Promise<void> {
    await this.observer?.stop();
    await this.scheduler?.stop();
    await this.worker?.stop();
    await this.executor?.stop();
    for (const h of this.heartbeats) await h.stop();
  }
}
