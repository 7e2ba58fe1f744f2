import type { Database } from '../db/database.js';
import { EXECUTION_ENDED_CHANNEL, EXECUTION_UPDATED_CHANNEL, insertExecution } from '../db/engine-store.js';
import type { Execution, ExecutionTrigger } from '../engine/execution.js';
import { newExecution } from '../engine/new-execution.js';
import { replayOf } from '../engine/replay.js';
import { isTerminal } from '../engine/state.js';
import { resolveInputs } from '../flow/inputs.js';
import type { Flow } from '../flow/model.js';
import { emit } from '../queue/postgres-queue.js';

export class InvalidInputsError extends Error {
  constructor(readonly errors: string[]) {
    super(errors.join('\n'));
  }
}

export interface StartOptions {
  /** inputs as text (CLI `--input k=v`, form fields) rather than typed JSON */
  fromStrings?: boolean;
  labels?: Record<string, string>;
  /** what started it, when not a direct request (webhook, …) */
  trigger?: ExecutionTrigger;
}

/** Validates inputs and creates the execution together with the message that announces it, in one
 * transaction. Invalid inputs create nothing (Kestra rejects the request). */
export async function startExecution(
  db: Database,
  flow: Flow,
  inputs: Record<string, unknown>,
  options: StartOptions = {},
): Promise<Execution> {
  if (flow.disabled) throw new ExecutionConflictError(`flow ${flow.namespace}.${flow.id} is disabled`);
  const { values, errors } = resolveInputs(flow.inputs, inputs, { fromStrings: options.fromStrings });
  if (errors.length > 0) throw new InvalidInputsError(errors);
  const execution = newExecution(flow, values, { labels: options.labels, trigger: options.trigger });
  await db.transaction(async (tx) => {
    await insertExecution(tx, execution);
    await emit(
      tx,
      'executor',
      { type: 'execution.created', executionId: execution.id },
      { key: execution.id },
    );
  });
  return execution;
}

export async function getExecution(db: Database, id: string): Promise<Execution | undefined> {
  const { rows } = await db.query<{ doc: Execution }>('SELECT doc FROM executions WHERE id = $1', [id]);
  return rows[0]?.doc;
}

/** Resolves with the execution once it is terminal: woken by NOTIFY, with a poll as the fallback. */
export function waitForExecutionEnd(db: Database, id: string, pollMs = 1000): Promise<Execution> {
  return watchExecution(db, id, { channel: EXECUTION_ENDED_CHANNEL, pollMs });
}

export interface WatchOptions {
  /** NOTIFY channel that announces a change of the execution (its id as payload) */
  channel?: string;
  pollMs?: number;
  /** called with each new version of the document, the first one included */
  onUpdate?: (execution: Execution) => void;
  /** stops watching; the promise then resolves with the last version seen */
  signal?: AbortSignal;
}

/** Follows an execution until it ends (or the signal aborts), reporting each new version. */
export async function watchExecution(
  db: Database,
  id: string,
  options: WatchOptions = {},
): Promise<Execution> {
  let wake: () => void = () => {};
  const unlisten = await db.listen(options.channel ?? EXECUTION_UPDATED_CHANNEL, (payload) => {
    if (payload === id) wake();
  });
  const onAbort = () => wake();
  options.signal?.addEventListener('abort', onAbort);
  let last = '';
  try {
    for (;;) {
      const execution = await getExecution(db, id);
      if (!execution) throw new Error(`execution ${id} not found`);
      const version = JSON.stringify(execution);
      if (version !== last) {
        last = version;
        options.onUpdate?.(execution);
      }
      if (isTerminal(execution.state.current) || options.signal?.aborted) return execution;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, options.pollMs ?? 1000);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await unlisten();
  }
}

export class ExecutionConflictError extends Error {}

/** Restart from the failed task runs, in the same execution (it must have FAILED or been KILLED). */
export async function restartExecution(db: Database, id: string): Promise<Execution | undefined> {
  const execution = await getExecution(db, id);
  if (!execution) return undefined;
  if (execution.state.current !== 'FAILED' && execution.state.current !== 'KILLED') {
    throw new ExecutionConflictError(
      `execution ${id} is ${execution.state.current}: only a FAILED or KILLED execution can be restarted`,
    );
  }
  await db.transaction((tx) => emit(tx, 'executor', { type: 'restart', executionId: id }, { key: id }));
  return execution;
}

/** A new execution replaying an ended one from a chosen task run (or from the start). */
export async function replayExecution(
  db: Database,
  id: string,
  fromTaskRunId?: string,
): Promise<Execution | undefined> {
  const original = await getExecution(db, id);
  if (!original) return undefined;
  if (!isTerminal(original.state.current)) {
    throw new ExecutionConflictError(
      `execution ${id} is still ${original.state.current}: replay an ended execution`,
    );
  }
  const replay = replayOf(original, fromTaskRunId);
  await db.transaction(async (tx) => {
    await insertExecution(tx, replay);
    await emit(tx, 'executor', { type: 'execution.created', executionId: replay.id }, { key: replay.id });
  });
  return replay;
}
