import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { Database, Queryable } from '../db/database.js';
import { getFlow } from '../db/flow-repository.js';
import {
  EXECUTION_ENDED_CHANNEL,
  EXECUTION_UPDATED_CHANNEL,
  insertCreatedExecution,
} from '../db/engine-store.js';
import type { Execution, ExecutionTrigger } from '../engine/execution.js';
import { taskIndex } from '../engine/flow-index.js';
import { newExecution } from '../engine/new-execution.js';
import { unstorableIn, UnstorableTextError } from '../engine/storable-text.js';
import { replayOf } from '../engine/replay.js';
import { isTerminal } from '../engine/state.js';
import { resolveInputs } from '../flow/inputs.js';
import type { Flow, InputDef } from '../flow/model.js';
import { REDACTED, Redactor } from '../secrets/redactor.js';
import type { InputSeal } from '../secrets/sealed-inputs.js';
import { emit } from '../queue/postgres-queue.js';
import { executionStoragePrefix, sanitizeSegment, uriOfPath } from '../storage/paths.js';
import type { Storage } from '../storage/storage.js';

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
  /** seals the values of SECRET inputs; without it, a SECRET value is refused */
  inputSeal?: InputSeal;
}

/** The trigger with the values of the SECRET inputs masked in its variables: a webhook's body that a
 * SECRET input was rendered from must not keep the value in clear beside it. */
function maskedTrigger(trigger: ExecutionTrigger | undefined, secrets: string[]) {
  if (!trigger || secrets.length === 0) return trigger;
  const variables = Redactor.of(secrets).value(trigger.variables) as ExecutionTrigger['variables'];
  return { ...trigger, variables };
}

/** Validates inputs and creates the execution together with the message that announces it, in one
 * transaction. Invalid inputs create nothing (Kestra rejects the request). */
export async function startExecution(
  db: Database,
  flow: Flow,
  inputs: Record<string, unknown>,
  options: StartOptions = {},
): Promise<Execution> {
  refuseDisabled(flow);
  const { values, errors, secrets } = resolveInputs(flow.inputs, inputs, {
    fromStrings: options.fromStrings,
    seal: options.inputSeal?.seal,
  });
  if (errors.length > 0) throw new InvalidInputsError(errors);
  const execution = newExecution(flow, values, {
    labels: options.labels,
    trigger: maskedTrigger(options.trigger, secrets),
  });
  await insertCreatedExecution(db, execution);
  return execution;
}

/** One part of a form: a field (an input as text) or a file (for a FILE input). */
export type FormPart =
  | { kind: 'field'; name: string; value: string }
  | { kind: 'file'; name: string; fileName: string; content: Readable };

/**
 * Creates an execution from a form (multipart): fields are inputs as text, files are FILE inputs. A
 * file is stored as it arrives, under the execution it will belong to
 * (`…/executions/<id>/inputs/<input id>/<file name>`, Kestra's layout), so the execution's id is
 * chosen first and the input holds the file's `sluice:///` URI. When anything is refused, the files
 * already stored are removed and no execution is created.
 */
export async function startExecutionFromForm(
  db: Database,
  storage: Storage | undefined,
  flow: Flow,
  parts: AsyncIterable<FormPart>,
  options: Omit<StartOptions, 'fromStrings'> = {},
): Promise<Execution> {
  refuseDisabled(flow);
  const draft = newExecution(flow, {}, { labels: options.labels, trigger: options.trigger });
  const prefix = executionStoragePrefix(flow.namespace, flow.id, draft.id);
  const fileInputs = new Set(flow.inputs.filter((d) => d.type === 'FILE').map((d) => d.id));
  const given: Record<string, unknown> = Object.create(null);
  const problems: string[] = [];
  try {
    for await (const part of parts) {
      const unstorable = unstorableIn(
        { [part.name]: part.kind === 'field' ? part.value : part.fileName },
        'body',
      );
      if (unstorable) throw new UnstorableTextError(unstorable);
      if (part.name in given) problems.push(`input '${part.name}' is given more than once`);
      else if (part.kind === 'field') given[part.name] = part.value;
      else if (!storage) throw new NoStorageError('no internal storage is configured: files cannot be taken');
      else if (fileInputs.has(part.name)) {
        const file = sanitizeSegment(part.fileName || part.name);
        given[part.name] = await storage.put(
          `${prefix}/inputs/${sanitizeSegment(part.name)}/${file}`,
          part.content,
        );
        continue;
      } else {
        problems.push(`'${part.name}' is sent as a file, but the flow declares no FILE input of that id`);
      }
      // a part that is not stored must still be read, or the parts after it never arrive
      if (part.kind === 'file') await finished(part.content.resume());
    }
    const { values, errors } = resolveInputs(flow.inputs, given, {
      fromStrings: true,
      seal: options.inputSeal?.seal,
    });
    problems.push(...errors);
    if (problems.length > 0) throw new InvalidInputsError(problems);
    const execution = { ...draft, inputs: values };
    await insertCreatedExecution(db, execution);
    return execution;
  } catch (error) {
    // the caller's error is the one that matters; leftovers of a failed cleanup sit under a prefix
    // no execution owns, and a later attempt gets a new id
    await storage?.deletePrefix(uriOfPath(prefix)).catch(() => 0);
    throw error;
  }
}

export class NoStorageError extends Error {}

function refuseDisabled(flow: Flow): void {
  if (flow.disabled) throw new ExecutionConflictError(`flow ${flow.namespace}.${flow.id} is disabled`);
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

/** Asks the executor to kill an execution that has not ended yet. */
export async function killExecution(db: Database, id: string): Promise<Execution | undefined> {
  const execution = await getExecution(db, id);
  if (!execution) return undefined;
  refuseEnded(execution);
  await emit(db, 'executor', { type: 'kill', executionId: id }, { key: id });
  return execution;
}

/** Resumes a paused execution; the inputs become the Pause task's `onResume` output. Kestra refuses
 * to resume what is not paused: accepting it would consume the message for nothing, and when the
 * execution pauses later it would wait forever. */
export async function resumeExecution(
  db: Database,
  id: string,
  inputs: Record<string, unknown>,
): Promise<Execution | undefined> {
  const execution = await getExecution(db, id);
  if (!execution) return undefined;
  refuseEnded(execution);
  if (execution.state.current !== 'PAUSED') {
    throw new ExecutionConflictError(`execution ${id} is not paused (${execution.state.current})`);
  }
  const given = await withoutSecrets(db, execution, inputs);
  await emit(db, 'executor', { type: 'resume', executionId: id, inputs: given }, { key: id });
  return execution;
}

/** Resume inputs become a task's outputs, which never hold a secret: those a paused task declares
 * SECRET in its `onResume` are kept masked. */
async function withoutSecrets(
  db: Database,
  execution: Execution,
  inputs: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const flow = await getFlow(db, execution.namespace, execution.flowId, execution.flowRevision);
  if (!flow) return inputs;
  const tasks = taskIndex(flow);
  const secretIds = execution.taskRunList
    .filter((tr) => tr.state.current === 'PAUSED')
    .flatMap((tr) => (tasks.get(tr.taskId)?.onResume as InputDef[] | undefined) ?? [])
    .filter((def) => def.type === 'SECRET')
    .map((def) => def.id);
  return Object.fromEntries(
    Object.entries(inputs).map(([key, value]) => [
      key,
      secretIds.includes(key) && value !== null ? REDACTED : value,
    ]),
  );
}

function refuseEnded(execution: Execution): void {
  if (isTerminal(execution.state.current)) {
    throw new ExecutionConflictError(
      `execution ${execution.id} has already ended (${execution.state.current})`,
    );
  }
}

/** Whether a restart of this execution waits in the queue already: a second request would make the
 * executor run the failed tasks again (a third attempt). */
export async function restartQueued(tx: Queryable, id: string): Promise<boolean> {
  const { rows } = await tx.query(
    `SELECT 1 FROM queue WHERE consumer = 'executor' AND key = $1 AND payload->>'type' = 'restart' LIMIT 1`,
    [id],
  );
  return rows.length > 0;
}

/** Why this execution cannot be restarted now, or undefined when it can. */
export function restartRefusal(execution: Execution): string | undefined {
  const state = execution.state.current;
  return state === 'FAILED' || state === 'KILLED'
    ? undefined
    : `is ${state}: only a FAILED or KILLED execution can be restarted`;
}

/** Restart from the failed task runs, in the same execution (it must have FAILED or been KILLED).
 * The row stays locked from the check to the message, so two requests at once restart it once. */
export function restartExecution(db: Database, id: string): Promise<Execution | undefined> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ doc: Execution }>(
      'SELECT doc FROM executions WHERE id = $1 FOR UPDATE',
      [id],
    );
    const execution = rows[0]?.doc;
    if (!execution) return undefined;
    const refusal =
      restartRefusal(execution) ?? ((await restartQueued(tx, id)) ? 'is already being restarted' : undefined);
    if (refusal) throw new ExecutionConflictError(`execution ${id} ${refusal}`);
    await emit(tx, 'executor', { type: 'restart', executionId: id }, { key: id });
    return execution;
  });
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
  await insertCreatedExecution(db, replay);
  return replay;
}
