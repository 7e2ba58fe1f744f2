import type { TaskDef } from '../flow/model.js';
import type { AttemptFailure } from './attempt-failure.js';
import type { StateType } from './state.js';

/** Delayed wake-ups the executor sends itself: the end of a Pause delay or timeout, the moment
 * a failed task run may be tried again, and a delay a registered flowable asked for (its `wake`). */
export type TimerKind = 'pause-delay' | 'pause-timeout' | 'retry' | 'flowable';

/** Messages the executor consumes. Each one names the execution it concerns (the queue key). */
export type ExecutorMessage =
  | { type: 'execution.created'; executionId: string }
  | {
      type: 'taskrun.result';
      executionId: string;
      taskRunId: string;
      attempt: number;
      state: 'SUCCESS' | 'WARNING' | 'FAILED' | 'KILLED';
      outputs?: Record<string, unknown>;
      /** labels the task sets on the execution (Kestra's execution.Labels) */
      labels?: Record<string, string>;
      error?: string;
      /** what the task said of its failure, for the retry policy and the attempt's record */
      failure?: AttemptFailure;
      startDate: string;
      endDate: string;
      workerId: string;
      /** outputs for the enclosing task run (a WorkingDirectory's outputFiles, taken by its last task) */
      parentOutputs?: Record<string, unknown>;
    }
  | { type: 'timer'; executionId: string; taskRunId: string; kind: TimerKind }
  | {
      type: 'subflow.ended';
      executionId: string;
      taskRunId: string;
      childExecutionId: string;
      state: StateType;
      outputs: Record<string, unknown> | null;
      /** the child's task outputs, for the Subflow's own `outputs:` when the child declares none */
      taskOutputs?: Record<string, unknown>;
      /** the batch the child ran for, when a ForEachItem started it (Kestra's taskRunIteration) */
      iteration?: number;
    }
  | { type: 'kill'; executionId: string }
  | { type: 'resume'; executionId: string; inputs?: Record<string, unknown> }
  | { type: 'restart'; executionId: string };

/** A runnable task run handed to a worker: everything it needs, so it never reads the execution. */
export interface WorkerJob {
  executionId: string;
  taskRunId: string;
  attempt: number;
  namespace: string;
  flowId: string;
  task: TaskDef;
  /** template variables (flow, execution, inputs, outputs, vars, taskrun, parents, …) */
  variables: Record<string, unknown>;
  timeoutMs?: number;
  /** set when the task runs inside a WorkingDirectory: the directory it shares with its siblings */
  workingDirectory?: SharedWorkingDirectory;
}

/** A WorkingDirectory's directory, carried between its tasks through internal storage. */
export interface SharedWorkingDirectory {
  /** the WorkingDirectory's task id and task run id: its files (the snapshot, outputFiles) live there */
  taskId: string;
  taskRunId: string;
  /** files written into the directory before the first task that opens it: the property as written,
   * rendered by the worker (a secret in it never travels through the queue) */
  inputFiles?: unknown;
  /** Kestra's `namespaceFiles: {enabled, include, exclude}`, as written: copied in before inputFiles */
  namespaceFiles?: unknown;
  /** on the last task: globs (as written) of files stored as the WorkingDirectory's `outputFiles` */
  outputFiles?: unknown;
}

export interface LogLine {
  executionId: string;
  namespace: string;
  flowId: string;
  taskId: string | null;
  taskRunId: string | null;
  attempt: number | null;
  level: 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  message: string;
  ts: string;
}
