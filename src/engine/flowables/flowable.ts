import type { TaskDef } from '../../flow/model.js';
import type { TaskRun } from '../execution.js';
import type { ExecutorMessage, WorkerJob } from '../messages.js';
import type { StateType } from '../state.js';

// Kestra's FlowableTask, the Sluice way: a flowable task type is one module that decides, from the
// execution as it stands, which of its children run next and when it is over. The executor walks the
// flow and asks each running flowable; it knows nothing of any one type.

/** What a flowable reports for one pass: still going, or over with the state its children give. */
export type ChildrenResult = { done: false } | { done: true; state: StateType };
export const PENDING: ChildrenResult = { done: false };

/** What the executor lends a flowable during a pass. Everything it changes through this is written
 * in the transaction of that pass. */
export interface FlowableContext {
  now(): Date;
  /** Evaluates a list of sibling tasks under `parent` (and loop value), creating the task runs that
   * may start: one after the other when concurrency is 1 (stopping at the first failure), else up
   * to `concurrency` at once (0: all). */
  evalList(
    tasks: TaskDef[],
    parent: TaskRun,
    value: string | null,
    concurrency: number,
  ): Promise<ChildrenResult>;
  /** The task runs directly under `parent`. */
  children(parent: TaskRun): TaskRun[];
  /** Drops the task runs under `parent` (and theirs), so that its tasks may run again. */
  forgetChildren(parent: TaskRun): void;
  /** Renders a property with the variables of this task run (secrets masked as everywhere). */
  render(value: unknown, task: TaskDef, run: TaskRun): Promise<unknown>;
  /** A property that is a whole number ≥ 0 or an expression giving one (`concurrent`…); `fallback`
   * when absent. */
  wholeNumber(raw: unknown, task: TaskDef, run: TaskRun, fallback: number): Promise<number>;
  /** Renders a condition and applies Kestra's truthiness. */
  holds(condition: unknown, task: TaskDef, run: TaskRun): Promise<boolean>;
  /** Wakes this task run's flowable (its `wake`) after the delay, through the queue. */
  wakeAfter(run: TaskRun, delayMs: number): Promise<void>;
  /** Says that the execution document changed, so the executor walks again. */
  changed(): void;
  /** The task run directly enclosing `run`, if any. */
  parentOf(run: TaskRun): TaskRun | undefined;
  /** Creates an execution of another flow as a child of `run` (Kestra's ExecutableTask), and returns
   * its id. `inputs` and `labels` are rendered here, with `variables` over the task run's own. */
  startSubflow(run: TaskRun, task: TaskDef, request: SubflowRequest): Promise<string>;
  /** The text of a file of this execution in internal storage (at most maxBytes). */
  readText(uri: string, maxBytes: number): Promise<string>;
  /** Stores a file of this task run in internal storage; returns its URI. */
  putFile(run: TaskRun, name: string, content: string): Promise<string>;
  /** The URI under which putFile stores the files of this task run (no trailing slash). */
  filesOf(run: TaskRun): string;
}

/** What a flowable asks of startSubflow. */
export interface SubflowRequest {
  namespace: string;
  flowId: string;
  revision?: number;
  /** as written in the flow: rendered with the task run's variables and `variables` */
  inputs?: unknown;
  labels?: unknown;
  inheritLabels?: boolean;
  /** merged over the task run's own variables when rendering inputs and labels */
  variables?: Record<string, unknown>;
  /** added to the child's `trigger` variables (Kestra's `taskRunIteration`…) */
  trigger?: Record<string, unknown>;
}

/** A child execution started by startSubflow has ended. */
export type SubflowEnded = Extract<ExecutorMessage, { type: 'subflow.ended' }>;

export interface Flowable {
  /** the canonical type name (the flow loader turns aliases into it) */
  readonly type: string;
  /** When the task run starts (it is RUNNING already): set initial outputs, timers, … */
  start?(run: TaskRun, task: TaskDef, ctx: FlowableContext): Promise<void>;
  /** Each pass while the task run is open: create the next children, say whether it is over. The
   * executor then runs `errors` and `finally` and closes the run. */
  next(run: TaskRun, task: TaskDef, ctx: FlowableContext): Promise<ChildrenResult>;
  /** A delay this flowable asked for (wakeAfter) has passed. */
  wake?(run: TaskRun, task: TaskDef, ctx: FlowableContext): Promise<void>;
  /** What the job of a runnable child carries besides the task (a WorkingDirectory's shared
   * directory), when one of this flowable's children goes to a worker. */
  childJob?(run: TaskRun, task: TaskDef, child: TaskDef): Pick<WorkerJob, 'workingDirectory'>;
  /** Tasks this type runs that the flow does not spell out (ForEachItem's split, subflows and merge
   * steps): the executor finds them by id like any task of the flow. */
  generated?(task: TaskDef): TaskDef[];
  /** A child execution this task run started (startSubflow) has ended. */
  subflowEnded?(run: TaskRun, task: TaskDef, ended: SubflowEnded, ctx: FlowableContext): Promise<void>;
  /** The child executions of this task run still worth killing when its execution is killed. */
  childExecutions?(run: TaskRun): string[];
}
