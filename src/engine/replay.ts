import { type Execution, newId, type TaskRun } from './execution.js';
import { newState, transition } from './state.js';

/** A new execution of the same flow revision and inputs that starts again at a chosen task run:
 * what ended before that run is copied as it was, the run itself, its children and everything that
 * started after it are dropped, and its enclosing task runs reopen. Without a task run, the whole
 * flow runs again. The copy records where it comes from in `originalId`. */
export function replayOf(original: Execution, fromTaskRunId?: string, now: Date = new Date()): Execution {
  const id = newId();
  const replay: Execution = {
    ...structuredClone(original),
    id,
    originalId: original.originalId ?? original.id,
    state: newState(now),
    outputs: null,
    taskRunList: [],
    error: undefined,
  };
  replay.labels = replay.labels.map((l) => (l.key === 'system.correlationId' ? { ...l, value: id } : l));
  if (!fromTaskRunId) return replay;

  const byId = new Map(original.taskRunList.map((tr) => [tr.id, tr]));
  const chosen = byId.get(fromTaskRunId);
  if (!chosen) throw new UnknownTaskRunError(`task run ${fromTaskRunId} is not in execution ${original.id}`);
  const enclosing = new Set<string>();
  for (let p = chosen.parentTaskRunId; p; p = byId.get(p)?.parentTaskRunId ?? null) enclosing.add(p);
  const within = (tr: TaskRun): boolean => {
    for (let p: string | null = tr.id; p; p = byId.get(p)?.parentTaskRunId ?? null)
      if (p === chosen.id) return true;
    return false;
  };
  const startedAt = Date.parse(chosen.state.startDate);
  for (const tr of original.taskRunList) {
    if (enclosing.has(tr.id)) {
      const reopened = structuredClone(tr);
      transition(reopened.state, 'RUNNING', now);
      reopened.error = undefined;
      replay.taskRunList.push({ ...reopened, executionId: id });
    } else if (!within(tr) && Date.parse(tr.state.startDate) < startedAt) {
      replay.taskRunList.push({ ...structuredClone(tr), executionId: id });
    }
  }
  return replay;
}

export class UnknownTaskRunError extends Error {}
