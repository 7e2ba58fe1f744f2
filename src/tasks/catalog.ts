// The static catalog of task and trigger types the flow loader accepts, each under its canonical Kestra
// name, the older Kestra names and a short name of ours.
import type { TaskTypeSpec, TriggerTypeSpec } from './spec.js';
import { coreTasks } from './catalog/core.js';
import { flowableTasks } from './catalog/flowable.js';
import { kestraFlowableTasks } from './catalog/flowable-kestra.js';
import { httpTasks } from './catalog/http.js';
import { namespaceTasks } from './catalog/namespace.js';
import { scriptTasks } from './catalog/scripts.js';
import { storageTasks } from './catalog/storage.js';
import { syncTasks } from './catalog/sync.js';
import { systemTasks } from './catalog/system.js';
import { triggerTypes } from './catalog/triggers.js';

export { triggerTypes };

export const taskTypes: TaskTypeSpec[] = [
  ...coreTasks,
  ...flowableTasks,
  ...kestraFlowableTasks,
  ...scriptTasks,
  ...storageTasks,
  ...systemTasks,
  ...httpTasks,
  ...syncTasks,
  ...namespaceTasks,
];

function byEveryName<T extends { type: string; aliases: string[] }>(specs: T[]): Map<string, T> {
  const index = new Map<string, T>();
  for (const spec of specs) for (const name of [spec.type, ...spec.aliases]) index.set(name, spec);
  return index;
}

const tasksByName = byEveryName(taskTypes);
const triggersByName = byEveryName(triggerTypes);

export function findTaskType(name: string): TaskTypeSpec | undefined {
  return tasksByName.get(name);
}

/** Every name a task type is known by (Kestra's, the older aliases, the short ones). */
export const taskTypeNames = (): string[] => [...tasksByName.keys()];

/** Every name a trigger type is known by. */
export const triggerTypeNames = (): string[] => [...triggersByName.keys()];

export function findTriggerType(name: string): TriggerTypeSpec | undefined {
  return triggersByName.get(name);
}
