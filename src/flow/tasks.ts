// Tasks: the fields every task takes, the properties of its type, and its nested task lists, walked
// down to the last level so that ids are unique across the whole flow.
import { isMap, isNode, isScalar, isSeq, type Node } from 'yaml';
import { z } from 'zod';
import { findTaskType, taskTypeNames } from '../tasks/catalog.js';
import type { TaskTypeSpec } from '../tasks/spec.js';
import type { LoadContext } from './context.js';
import type { TaskDef } from './model.js';
import { type CheckedPlugin, checkPlugin, type PluginKind, UNTEMPLATED_KEYS } from './plugins.js';
import { retry } from './retry.js';
import { condition, duration, LOG_LEVELS, text } from './schemas.js';

export const TASK_ID = /^[a-zA-Z0-9][a-zA-Z0-9_-]*$/;

export const taskId = () => z.string().regex(TASK_ID).max(100);

export const workerGroup = () =>
  z.strictObject({ key: text(), fallback: z.enum(['FAIL', 'WAIT', 'CANCEL']).optional() });

const common = z.strictObject({
  id: taskId(),
  type: z.string().min(1),
  description: text().optional(),
  retry: retry().optional(),
  timeout: duration().optional(),
  disabled: z.boolean().optional(),
  allowFailure: z.boolean().optional(),
  allowWarning: z.boolean().optional(),
  runIf: condition().transform(String).optional(),
  logLevel: z.enum(LOG_LEVELS).optional(),
  logToFile: z.boolean().optional(),
  workerGroup: workerGroup().optional(),
});

const TASK: PluginKind<TaskTypeSpec, typeof common> = {
  noun: 'task',
  find: findTaskType,
  names: taskTypeNames,
  common,
  commonKeys: new Set(Object.keys(common.shape)),
  ids: (ctx) => ctx.taskIds,
  untemplated: (key, spec) =>
    UNTEMPLATED_KEYS.has(key) || !!spec?.children.some((child) => child.key === key),
};

/** The tasks of a YAML list, or undefined when the list or any task in it is invalid. */
export function checkTaskList(node: Node | undefined, ctx: LoadContext): TaskDef[] | undefined {
  if (!isSeq(node)) return undefined;
  const tasks = node.items.map((item) => checkTask(isNode(item) ? item : null, ctx));
  return tasks.every((task) => task !== undefined) ? tasks : undefined;
}

/** Nested task lists, normalised; undefined when any of them is invalid. */
function checkChildren(
  checked: CheckedPlugin<TaskTypeSpec, typeof common>,
  spec: TaskTypeSpec,
  ctx: LoadContext,
): Record<string, unknown> | undefined {
  const children: Record<string, unknown> = {};
  let valid = true;
  for (const child of spec.children) {
    const node = checked.locator.node([child.key]);
    if (!node) continue;
    let value: unknown;
    if (child.map) {
      const lists: Record<string, TaskDef[] | undefined> = {};
      if (isMap(node)) {
        for (const pair of node.items) {
          if (isScalar(pair.key))
            lists[String(pair.key.value)] = checkTaskList(isNode(pair.value) ? pair.value : undefined, ctx);
        }
      }
      value = Object.values(lists).every((list) => list !== undefined) ? lists : undefined;
    } else if (child.item) {
      const item = child.item;
      const tasks = isSeq(node)
        ? node.items.map((wrapper) => {
            const taskNode = isMap(wrapper) ? wrapper.get(item, true) : undefined;
            return isNode(taskNode) ? checkTask(taskNode, ctx) : undefined;
          })
        : [];
      const wrappers = checked.properties?.[child.key];
      value =
        Array.isArray(wrappers) && tasks.every((task) => task !== undefined)
          ? wrappers.map((wrapper, i) => ({ ...wrapper, [item]: tasks[i] }))
          : undefined;
    } else {
      value = checkTaskList(node, ctx);
    }
    if (value === undefined) valid = false;
    else children[child.key] = value;
  }
  return valid ? children : undefined;
}

/** One task, normalised (canonical type, defaults applied), or undefined when anything in it is wrong. */
export function checkTask(node: Node | null, ctx: LoadContext): TaskDef | undefined {
  const checked = checkPlugin(node, TASK, ctx);
  if (!checked?.spec) return undefined;
  const children = checkChildren(checked, checked.spec, ctx);
  if (!checked.common || !checked.properties || !children) return undefined;
  return { ...checked.common, ...checked.properties, ...children, type: checked.spec.type };
}
