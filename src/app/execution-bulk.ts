// Kestra's bulk actions on a list of executions (`…/by-ids`): each checks every id first and acts on
// none when one is not fit, so that a selection is never half done; the answer names the misfits.
import type { Database, Queryable } from '../db/database.js';
import type { Execution, Label } from '../engine/execution.js';
import { isTerminal } from '../engine/state.js';
import { emit } from '../queue/postgres-queue.js';
import { executionStoragePrefix, uriOfPath } from '../storage/paths.js';
import type { Storage } from '../storage/storage.js';
import { restartQueued, restartRefusal } from './executions.js';

export interface BulkInvalid {
  id: string;
  message: string;
}

/** Some of the ids cannot take the action: nothing was done. */
export class BulkRefusedError extends Error {
  constructor(
    action: string,
    readonly invalids: BulkInvalid[],
  ) {
    const n = invalids.length;
    super(`nothing done: ${n} execution${n === 1 ? '' : 's'} cannot take the ${action}`);
  }
}

/** The executions, locked until the transaction ends so that no other request acts on them meanwhile;
 * refused as a whole when one is missing or `unfit` says why it cannot take the action. */
async function lockAll(
  tx: Queryable,
  action: string,
  ids: string[],
  unfit: (execution: Execution) => string | undefined,
): Promise<Execution[]> {
  const unique = [...new Set(ids)];
  const { rows } = await tx.query<{ doc: Execution }>(
    'SELECT doc FROM executions WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE',
    [unique],
  );
  const found = new Map(rows.map((r) => [r.doc.id, r.doc]));
  const invalids: BulkInvalid[] = [];
  for (const id of unique) {
    const execution = found.get(id);
    const why = execution ? unfit(execution) : 'not found';
    if (why) invalids.push({ id, message: why });
  }
  if (invalids.length > 0) throw new BulkRefusedError(action, invalids);
  return unique.map((id) => found.get(id)!);
}

/** Restarts each (FAILED or KILLED, and no restart already queued) from its failed task runs. */
export function restartExecutions(db: Database, ids: string[]): Promise<number> {
  return db.transaction(async (tx) => {
    const queued = new Set<string>();
    for (const id of ids) if (await restartQueued(tx, id)) queued.add(id);
    const executions = await lockAll(tx, 'restart', ids, (e) =>
      queued.has(e.id) ? 'is already being restarted' : restartRefusal(e),
    );
    for (const e of executions)
      await emit(tx, 'executor', { type: 'restart', executionId: e.id }, { key: e.id });
    return executions.length;
  });
}

/** Asks the executor to kill each execution; every one must still be running. */
export function killExecutions(db: Database, ids: string[]): Promise<number> {
  return db.transaction(async (tx) => {
    const executions = await lockAll(tx, 'kill', ids, (e) =>
      isTerminal(e.state.current) ? `has already ended (${e.state.current})` : undefined,
    );
    for (const e of executions)
      await emit(tx, 'executor', { type: 'kill', executionId: e.id }, { key: e.id });
    return executions.length;
  });
}

/** Deletes ended executions with their logs, then their files. A running one is refused: its
 * workers would go on writing for an execution that is gone (kill it first). */
export async function deleteExecutions(
  db: Database,
  storage: Storage | undefined,
  ids: string[],
): Promise<number> {
  const deleted = await db.transaction(async (tx) => {
    const executions = await lockAll(tx, 'delete', ids, (e) =>
      isTerminal(e.state.current) ? undefined : `is still ${e.state.current}: kill it first`,
    );
    const gone = executions.map((e) => e.id);
    await tx.query('DELETE FROM logs WHERE execution_id = ANY($1::text[])', [gone]);
    await tx.query('DELETE FROM executions WHERE id = ANY($1::text[])', [gone]);
    return executions;
  });
  // after the commit: files without a row are swept later; a row without its files would be worse
  for (const e of deleted) {
    await storage?.deletePrefix(uriOfPath(executionStoragePrefix(e.namespace, e.flowId, e.id)));
  }
  return deleted.length;
}

/** Kestra's label change: the given labels are added, replacing those with the same key; the others
 * stay. Only on ended executions, whose documents the executor no longer writes. */
export function setExecutionLabels(db: Database, ids: string[], labels: Label[]): Promise<number> {
  return db.transaction(async (tx) => {
    const executions = await lockAll(tx, 'labels', ids, (e) =>
      isTerminal(e.state.current)
        ? undefined
        : `is still ${e.state.current}: labels change once it has ended`,
    );
    const given = new Map(labels.map((l) => [l.key, l.value]));
    for (const e of executions) {
      const kept = (e.labels ?? []).filter((l) => !given.has(l.key));
      const doc: Execution = { ...e, labels: [...kept, ...labels] };
      await tx.query('UPDATE executions SET doc = $2, updated = now() WHERE id = $1', [
        e.id,
        JSON.stringify(doc),
      ]);
    }
    return executions.length;
  });
}
