import type { TaskDef } from '../flow/model.js';
import type { NamespaceServices } from '../namespaces/services.js';
import type { Storage } from '../storage/storage.js';

export type LogLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

export interface TaskLogger {
  log(level: LogLevel, message: string): void;
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** What a runnable task sees while it runs on a worker. Core task code depends only on this. */
export interface RunContext {
  /** Renders every template string inside value (objects and arrays walked) with the task's variables. */
  render(value: unknown): Promise<unknown>;
  /** Renders one template; `extra` variables (an item being filtered, say) are seen over the task's. */
  renderString(template: string, extra?: Readonly<Record<string, unknown>>): Promise<string>;
  /** The variables templates see (flow, execution, inputs, outputs, vars, task, taskrun, parents…). */
  readonly variables: Readonly<Record<string, unknown>>;
  readonly logger: TaskLogger;
  /** Aborted when the task run is killed or its timeout passes; long work must honour it. */
  readonly signal: AbortSignal;
  readonly storage: Storage;
  /** Opens a stored file this task may read: one of its own execution's, or of the execution that
   * started it as a subflow. Other executions' files are refused, even by exact URI. */
  readFile(uri: string): Promise<import('node:stream').Readable>;
  /** Stores a local file as an output file of this task run and returns its sluice:// URI. */
  putFile(name: string, content: Buffer | string | import('node:stream').Readable): Promise<string>;
  /** A fresh private working directory for this attempt, removed when the attempt ends. */
  workingDirectory(): Promise<string>;
  readonly taskRun: { id: string; taskId: string; value?: string; attempt: number };
  readonly execution: { id: string; namespace: string; flowId: string };
  /** The KV store and files of namespaces; absent where there is no database (a test's context). */
  readonly namespaces?: NamespaceServices;
}

export interface TaskResult {
  outputs?: Record<string, unknown>;
  /** WARNING makes the task run end WARNING instead of SUCCESS. */
  state?: 'SUCCESS' | 'WARNING';
  /** labels to set on the execution when the task run succeeds (a key it has is given this value) */
  labels?: Record<string, string>;
}

/** A runnable task type: runs on a worker. `task` holds the raw (unrendered) properties; the task
 * renders what it needs through ctx.render, as Kestra's tasks do. Throwing fails the attempt; the
 * error message becomes the task run's failure reason. */
export interface RunnableTask {
  run(task: TaskDef, ctx: RunContext): Promise<TaskResult>;
}
