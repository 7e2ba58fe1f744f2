import { randomBytes } from 'node:crypto';
import type { AttemptFailure } from './attempt-failure.js';
import { isTerminal, type State, transition } from './state.js';

// The execution document (contract, Kestra's shape). Stored as JSON; the API and `flow run --json`
// return it as is.

export interface Attempt {
  state: State;
  workerId?: string;
  /** why this attempt failed, when it did (the task run's `error` is the last attempt's) */
  error?: string;
  failure?: AttemptFailure;
}

export interface TaskRun {
  id: string;
  executionId: string;
  namespace: string;
  flowId: string;
  taskId: string;
  parentTaskRunId: string | null;
  value: string | null;
  state: State;
  attempts: Attempt[];
  outputs: Record<string, unknown> | null;
  /** why the task run failed, shown in logs and the UI */
  error?: string;
  /** a loop's rendered values, kept so that every pass of the executor iterates the same list */
  items?: string[];
  /** the branch a flowable chose (If: then/else, Switch: a case key, `defaults`), decided once */
  branch?: string;
}

export interface Label {
  key: string;
  value: string;
}

export interface ExecutionTrigger {
  id: string;
  type: string;
  variables: Record<string, unknown>;
}

export interface Execution {
  id: string;
  namespace: string;
  flowId: string;
  flowRevision: number;
  state: State;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown> | null;
  labels: Label[];
  variables?: Record<string, unknown>;
  taskRunList: TaskRun[];
  parentId?: string;
  originalId: string;
  trigger?: ExecutionTrigger;
  error?: string;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A 22-character base62 id (Kestra's id length): 131 random bits, URL-safe. */
export function newId(): string {
  const bytes = randomBytes(22);
  let id = '';
  for (const b of bytes) id += BASE62[b % 62];
  return id;
}

/** Closes every task run (and attempt) that has not ended in the given state. */
export function closeOpenTaskRuns(execution: Execution, state: 'FAILED' | 'KILLED', now: Date): void {
  for (const tr of execution.taskRunList) {
    if (isTerminal(tr.state.current)) continue;
    for (const a of tr.attempts) if (!isTerminal(a.state.current)) transition(a.state, state, now);
    transition(tr.state, state, now);
  }
}

/** The labels with `set` applied: a key already there takes the new value in place, new keys follow
 * in the order given (Kestra's Labels task overrides flow and execution labels alike). */
export function withLabels(labels: Label[], set: Record<string, string>): Label[] {
  const result = labels.map((l) => (Object.hasOwn(set, l.key) ? { key: l.key, value: set[l.key] } : l));
  for (const [key, value] of Object.entries(set)) {
    if (!labels.some((l) => l.key === key)) result.push({ key, value });
  }
  return result;
}
