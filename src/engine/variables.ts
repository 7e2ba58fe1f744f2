import type { Flow, TaskDef } from '../flow/model.js';
import type { Execution, TaskRun } from './execution.js';

// The variables a template sees, built from the execution document the way Kestra's run context
// builds them. Everything here is plain data: the expression engine can reach nothing else.

/** The chain of enclosing task runs, closest first. */
export function ancestors(execution: Execution, taskRun: TaskRun): TaskRun[] {
  const byId = indexById(execution);
  const chain: TaskRun[] = [];
  let parentId = taskRun.parentTaskRunId;
  while (parentId) {
    const parent = byId.get(parentId);
    if (!parent) break;
    chain.push(parent);
    parentId = parent.parentTaskRunId;
  }
  return chain;
}

const indexCache = new WeakMap<TaskRun[], Map<string, TaskRun>>();

function indexById(execution: Execution): Map<string, TaskRun> {
  let index = indexCache.get(execution.taskRunList);
  if (!index || index.size !== execution.taskRunList.length) {
    index = new Map(execution.taskRunList.map((tr) => [tr.id, tr]));
    indexCache.set(execution.taskRunList, index);
  }
  return index;
}

/** outputs[taskId] = outputs, or, inside loops, outputs[taskId][value of each enclosing loop]…[own value]
 * = outputs, so `outputs.t[taskrun.value]` addresses one iteration (Kestra's layout). */
export function buildOutputs(execution: Execution): Record<string, unknown> {
  return byTaskAndValues(execution, (tr) => tr.outputs ?? undefined);
}

/** `tasks.<id>.state` (and `tasks.<id>.<value>.state` in loops): every task run's current state. */
export function buildTaskStates(execution: Execution): Record<string, unknown> {
  return byTaskAndValues(execution, (tr) => ({ state: tr.state.current }));
}

function byTaskAndValues(
  execution: Execution,
  pick: (tr: TaskRun) => Record<string, unknown> | undefined,
): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const tr of execution.taskRunList) {
    const value = pick(tr);
    if (!value) continue;
    const path = ancestors(execution, tr)
      .filter((p) => p.value !== null)
      .map((p) => p.value as string)
      .reverse();
    if (tr.value !== null) path.push(tr.value);
    if (path.length === 0) {
      result[tr.taskId] = value;
      continue;
    }
    let node = child(result, tr.taskId);
    for (const key of path.slice(0, -1)) node = child(node, key);
    node[path[path.length - 1]] = value;
  }
  return result;
}

function child(node: Record<string, unknown>, key: string): Record<string, unknown> {
  const existing = node[key];
  if (existing && typeof existing === 'object') return existing as Record<string, unknown>;
  const created: Record<string, unknown> = {};
  node[key] = created;
  return created;
}

/** Labels as templates see them: `system.*` labels under a nested `system` map, so that
 * `{{ labels.system.correlationId }}` reads as in Kestra. */
export function labelsMap(execution: Execution): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const system: Record<string, string> = {};
  for (const l of execution.labels) {
    if (l.key.startsWith('system.')) system[l.key.slice('system.'.length)] = l.value;
    else out[l.key] = l.value;
  }
  if (Object.keys(system).length > 0) out.system = system;
  return out;
}

/** Environment variables exposed as `envs`: SLUICE_ENV_FOO=bar → envs.foo (only this prefix, so that
 * database URLs and keys in the server's environment never reach templates). */
export function envs(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (k.startsWith('SLUICE_ENV_') && v !== undefined) out[k.slice('SLUICE_ENV_'.length).toLowerCase()] = v;
  }
  return out;
}

export function executionVariables(flow: Flow, execution: Execution): Record<string, unknown> {
  return {
    flow: { id: flow.id, namespace: flow.namespace, revision: execution.flowRevision },
    execution: { id: execution.id, startDate: execution.state.startDate, originalId: execution.originalId },
    inputs: execution.inputs,
    outputs: buildOutputs(execution),
    tasks: buildTaskStates(execution),
    vars: flow.variables,
    labels: labelsMap(execution),
    envs: envs(),
    ...(execution.trigger ? { trigger: execution.trigger.variables } : {}),
  };
}

export function taskRunVariables(
  flow: Flow,
  execution: Execution,
  task: TaskDef,
  taskRun: TaskRun,
): Record<string, unknown> {
  // Kestra lists as parents the enclosing task runs that carry a value or outputs (loops, Switch,
  // If), each with only what it has
  const parents = ancestors(execution, taskRun)
    .filter((p) => p.value !== null || hasOutputs(p))
    .map((p) => ({
      ...(p.value !== null ? { taskrun: { value: p.value } } : {}),
      ...(hasOutputs(p) ? { outputs: p.outputs } : {}),
    }));
  const variables: Record<string, unknown> = {
    ...executionVariables(flow, execution),
    task: { id: task.id, type: task.type },
    taskrun: {
      id: taskRun.id,
      startDate: taskRun.state.startDate,
      attemptsCount: Math.max(0, taskRun.attempts.length - 1),
      parentId: taskRun.parentTaskRunId,
      value: taskRun.value,
    },
    parents,
  };
  if (parents.length > 0) variables.parent = parents[0];
  return variables;
}

function hasOutputs(tr: TaskRun): boolean {
  return tr.outputs !== null && Object.keys(tr.outputs).length > 0;
}
