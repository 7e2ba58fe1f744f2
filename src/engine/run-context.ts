import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { type RenderOptions, renderAsync, renderRecursiveAsync } from '../expression/index.js';
import type { NamespaceServices } from '../namespaces/services.js';
import type { Redactor } from '../secrets/redactor.js';
import { type InputSeal, openSealed } from '../secrets/sealed-inputs.js';
import { namespaceFilesPrefix, pathOfUri, taskRunStoragePath, uriOfPath } from '../storage/paths.js';
import type { Storage } from '../storage/storage.js';
import type { RunContext, TaskLogger } from '../tasks/types.js';
import type { WorkerJob } from './messages.js';
import { packDirectory, unpackInto } from './dir-snapshot.js';
import type { SharedDirectoryKit } from './ports.js';
import { readablePrefixes, workerRenderServices } from './render-services.js';

/** The file of a WorkingDirectory's task run that carries its directory from one task to the next. */
const SNAPSHOT = 'working-directory.snapshot';

export interface WorkerRunContext extends RunContext {
  /** removes the working directories this attempt created */
  cleanup(): Promise<void>;
  /** Inside a WorkingDirectory, once the task succeeded: saves the shared directory for the next
   * task and, on the last one, stores the `outputFiles` and returns the WorkingDirectory's outputs. */
  closeSharedDirectory(): Promise<Record<string, unknown> | undefined>;
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
  kit?: SharedDirectoryKit,
): WorkerRunContext {
  const dirs: string[] = [];
  const shared = job.workingDirectory;
  /** the shared directory, once a task opened it in this attempt */
  let sharedDir: string | undefined;
  const sharedPath = (name: string) =>
    taskRunStoragePath(job.namespace, job.flowId, job.executionId, shared!.taskId, shared!.taskRunId, name);
  const snapshotUri = () => uriOfPath(sharedPath(SNAPSHOT));
  const freshDir = async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'sluice-task-'));
    dirs.push(dir);
    return dir;
  };
  const sharedKit = () => {
    if (!kit) throw new Error('this worker cannot open a WorkingDirectory’s shared directory');
    return kit;
  };
  /** the first task to open it finds the namespace files, then the inputFiles (which win); the
   * next ones find what the task before left */
  const openShared = async () => {
    const dir = await freshDir();
    if (await storage.exists(snapshotUri())) await unpackInto(dir, await storage.get(snapshotUri()));
    else {
      await sharedKit().copyNamespaceFiles(ctx, dir, await ctx.render(shared!.namespaceFiles));
      await sharedKit().writeInputFiles(ctx, dir, await ctx.render(shared!.inputFiles));
    }
    return dir;
  };
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
      if (!jobPrefixes(job).some((prefix) => canonical.startsWith(prefix))) {
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
      if (!shared) return freshDir();
      sharedDir ??= await openShared();
      return sharedDir;
    },
    async closeSharedDirectory() {
      if (!shared) return undefined;
      if (sharedDir) await storage.put(sharedPath(SNAPSHOT), packDirectory(sharedDir));
      if (shared.outputFiles === undefined) return undefined;
      const patterns = await ctx.render(shared.outputFiles);
      if (!Array.isArray(patterns) || patterns.some((p) => typeof p !== 'string'))
        throw new Error('outputFiles: must be a list of file names or glob patterns');
      const dir = sharedDir ?? (await openShared());
      // stored as files of the WorkingDirectory's task run, where Kestra keeps them
      const owner = {
        ...ctx,
        putFile: (name: string, content: Buffer | string | Readable) =>
          storage.put(sharedPath(name), content),
      };
      return {
        outputFiles: await sharedKit().storeOutputFiles(owner, dir, patterns as string[], new Set()),
      };
    },
    async cleanup() {
      await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
    },
  };
  redactors.set(ctx, redactor);
  return ctx;
}

/** URI prefixes of the files a job may read: its execution's and its parent's (readablePrefixes), and
 * its namespace's files (what fileURI() names). */
function jobPrefixes(job: WorkerJob): string[] {
  return [
    ...readablePrefixes(
      { namespace: job.namespace, flowId: job.flowId, id: job.executionId },
      job.variables.trigger,
    ),
    `${uriOfPath(namespaceFilesPrefix(job.namespace))}/`,
  ];
}
