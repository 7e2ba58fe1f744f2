import type { Flow, TaskDef } from '../flow/model.js';
import { findFlowable } from './flowables/index.js';

// Task ids are unique in a whole flow (the loader guarantees it), so one map finds any task.

const LIST_KEYS = ['tasks', 'errors', 'finally', 'then', 'else', 'defaults'] as const;

/** The task lists nested directly in a task: plain lists, Switch cases and Dag wrappers. */
export function childTasks(task: TaskDef): TaskDef[] {
  const out: TaskDef[] = [];
  for (const key of LIST_KEYS) {
    const list = task[key];
    if (!Array.isArray(list)) continue;
    // Dag lists wrap each task as {task, dependsOn}
    for (const item of list as TaskDef[])
      out.push(typeof item.type === 'string' ? item : (item.task as TaskDef));
  }
  const cases = task.cases as Record<string, TaskDef[]> | undefined;
  if (cases && typeof cases === 'object') for (const list of Object.values(cases)) out.push(...list);
  return out;
}

const cache = new WeakMap<Flow, Map<string, TaskDef>>();

export function taskIndex(flow: Flow): Map<string, TaskDef> {
  let index = cache.get(flow);
  if (index) return index;
  index = new Map();
  const visit = (tasks: TaskDef[]) => {
    for (const t of tasks) {
      index?.set(t.id, t);
      visit(childTasks(t));
      visit(findFlowable(t.type)?.generated?.(t) ?? []);
    }
  };
  visit(flow.tasks);
  visit(flow.errors);
  visit(flow.finally);
  cache.set(flow, index);
  return index;
}
