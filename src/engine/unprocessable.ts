import { closeOpenTaskRuns, type Execution } from './execution.js';
import type { EndedExecution } from './flow-trigger.js';
import type { ExecutorMessage } from './messages.js';
import { transition } from './state.js';

// An execution the executor could not process, again and again, is failed without the executor's
// walk: by editing its last stored document, or, when that document is beyond use, by writing a
// new one from the columns of its row. Either is small enough to be written whatever went wrong.

/** The columns of an execution's row: enough to write a document when the stored one is beyond use. */
export interface ExecutionRow {
  id: string;
  namespace: string;
  flowId: string;
  flowRevision: number;
  parentId: string | null;
  created: string;
}

/** The stored document closed as FAILED (every open task run and attempt FAILED, the reason as its
 * error), or undefined when it does not have the shape of an execution document. */
export function failedDocument(stored: unknown, reason: string, now: Date): Execution | undefined {
  const exec = stored as Execution | null;
  if (!exec || !Array.isArray(exec.taskRunList) || typeof exec.state?.current !== 'string') return undefined;
  try {
    closeOpenTaskRuns(exec, 'FAILED', now);
    exec.error = reason;
    transition(exec.state, 'FAILED', now);
    return exec;
  } catch {
    return undefined;
  }
}

/** The document without outputs, for one over the size limit because of them. */
export function withoutOutputs(exec: Execution): Execution {
  return { ...exec, outputs: null, taskRunList: exec.taskRunList.map((tr) => ({ ...tr, outputs: null })) };
}

/** A FAILED document made from the row alone. */
export function minimalFailedDocument(row: ExecutionRow, reason: string, now: Date): Execution {
  const date = now.toISOString();
  return {
    id: row.id,
    namespace: row.namespace,
    flowId: row.flowId,
    flowRevision: row.flowRevision,
    state: {
      current: 'FAILED',
      histories: [
        { state: 'CREATED', date: row.created },
        { state: 'FAILED', date },
      ],
      startDate: row.created,
      endDate: date,
    },
    inputs: {},
    outputs: null,
    labels: [],
    taskRunList: [],
    originalId: row.id,
    ...(row.parentId ? { parentId: row.parentId } : {}),
    error: reason,
  };
}

/** Who must hear that the execution ended: its parent (a Subflow task waits for it) and the
 * scheduler (Flow triggers). Outputs are left out: a failed execution has none to give. */
export function endNotices(
  row: ExecutionRow,
  stored: unknown,
): { parent?: ExecutorMessage; ended: EndedExecution } {
  const taskRunId = (stored as Partial<Execution> | null)?.trigger?.variables?.taskRunId;
  const ended: EndedExecution = {
    executionId: row.id,
    namespace: row.namespace,
    flowId: row.flowId,
    flowRevision: row.flowRevision,
    state: 'FAILED',
    outputs: null,
  };
  if (!row.parentId || typeof taskRunId !== 'string') return { ended };
  return {
    ended,
    parent: {
      type: 'subflow.ended',
      executionId: row.parentId,
      taskRunId,
      childExecutionId: row.id,
      state: 'FAILED',
      outputs: null,
    },
  };
}
