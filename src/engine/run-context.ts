import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { type RenderOptions, renderAsync, renderRecursiveAsync } from '../expression/index.js';
import type { NamespaceServices } from '../namespaces/services.js';
import type { Redactor } from '../secrets/redactor.js';
import { type InputSeal, openSealed } from '../secrets/sealed-inputs.js';
import {
  executionStoragePrefix,
  namespaceFilesPrefix,
  pathOfUri,
  taskRunStoragePath,
  uriOfPath,
} from '../storage/paths.js';
import type { Storage } from '../storage/storage.js';
import type { RunContext, TaskLogger } from '../tasks/types.js';
import type { WorkerJob } from './messages.js';
import { workerRenderServices } from './render-services.js';

export interface WorkerRunContext extends RunContext {
  /** removes the working directories this attempt created */
  cleanup(): Promise<void>;
}

const redactors = new WeakMap<RunContext, Redactor>();

/** Masks a value in the logs, outputs and error of the task run this context belongs to, as every
 * value read through secret() already is. For secrets that reach a task another way: the fields of
 * a connector configuration marked `airbyte_secret`, say. Call it before the value can be logged. */
export function redactInTaskRun(ctx: RunContext, value: string): void {
  // a context the worker did not make (a test's, in memory) stores nothing that needs masking
  redactors.get(ctx)?.add(value);
}

/** `redactor` is the one the run's logger masks with: secrets the task renders are added to it, and
 * the values of the SECRET inputs, which `seal` opens here, where the task renders them. */
export function createRunContext(
  job: WorkerJob,
  storage: Storage,
  logger: TaskLogger,
  signal: AbortSignal,
  redactor: Redactor,
  options: RenderOptions = {},
  seal?: InputSeal,
  namespaces?: NamespaceServices,
): WorkerRunContext {
  const dirs: string[] = [];
  const { inputs, secrets, failure } = openSealed(job.variables.inputs, seal);
  for (const secret of secrets) redactor.add(secret);
  const variables = { ...job.variables, inputs };
  const renderOptions: RenderOptions = {
    ...options,
    secrets,
    onSecret: (value) => redactor.add(value),
    // read() and fileSize() see what readFile sees: this execution's files and its parent's
    services: workerRenderServices((uri) => ctx.readFile(uri), namespaces),
  };
  const ctx: WorkerRunContext = {
    variables,
    logger,
    signal,
    storage,
    taskRun: {
      id: job.taskRunId,
      taskId: job.task.id,
      value: (job.variables.taskrun as { value?: string } | undefined)?.value ?? undefined,
      attempt: job.attempt,
    },
    execution: { id: job.executionId, namespace: job.namespace, flowId: job.flowId },
    namespaces,
    async render(value) {
      if (failure) throw failure;
      return renderRecursiveAsync(value, variables, renderOptions);
    },
    async renderString(template, extra) {
      if (failure) throw failure;
      return renderAsync(template, extra ? { ...variables, ...extra } : variables, renderOptions);
    },
    async readFile(uri: string) {
      const canonical = uriOfPath(pathOfUri(uri));
      if (!readablePrefixes(job).some((prefix) => canonical.startsWith(prefix))) {
        throw new Error(
          `${uri} belongs to another execution: a task reads the files of its own execution or of the execution that started it`,
        );
      }
      return storage.get(canonical);
    },
    async putFile(name: string, content: Buffer | string | Readable) {
      const file = taskRunStoragePath(
        job.namespace,
        job.flowId,
        job.executionId,
        job.task.id,
        job.taskRunId,
        name,
      );
      return storage.put(file, content);
    },
    async workingDirectory() {
      const dir = await mkdtemp(path.join(tmpdir(), 'sluice-task-'));
      dirs.push(dir);
      return dir;
    },
    async cleanup() {
      await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
    },
  };
  redactors.set(ctx, redactor);
  return ctx;
}

/** URI prefixes of the files a job may read: its execution's, its parent's when it runs in a subflow
 * (the parent passes files down as inputs), and its namespace's files (what fileURI() names). */
function readablePrefixes(job: WorkerJob): string[] {
  const own = executionStoragePrefix(job.namespace, job.flowId, job.executionId);
  const prefixes = [`${uriOfPath(own)}/`, `${uriOfPath(namespaceFilesPrefix(job.namespace))}/`];
  const trigger = job.variables.trigger as Record<string, unknown> | undefined;
  if (
    trigger &&
    typeof trigger.executionId === 'string' &&
    typeof trigger.namespace === 'string' &&
    typeof trigger.flowId === 'string'
  ) {
    prefixes.push(
      `${uriOfPath(executionStoragePrefix(trigger.namespace, trigger.flowId, trigger.executionId))}/`,
    );
  }
  return prefixes;
}
