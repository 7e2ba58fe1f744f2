import { failTask } from './core/fail.js';
import { logTask } from './core/log.js';
import { outputValuesTask } from './core/output-values.js';
import { returnTask } from './core/return.js';
import { sleepTask } from './core/sleep.js';
import { httpRunnables } from './http/index.js';
import { scriptRunnables } from './script/index.js';
import type { RunnableTask } from './types.js';

// Runnable task implementations by canonical type name (the flow loader has already turned aliases
// and short names into these).
const RUNNABLE: Readonly<Record<string, RunnableTask>> = {
  'io.kestra.plugin.core.log.Log': logTask,
  'io.kestra.plugin.core.debug.Return': returnTask,
  'io.kestra.plugin.core.output.OutputValues': outputValuesTask,
  'io.kestra.plugin.core.execution.Fail': failTask,
  'io.kestra.plugin.core.flow.Sleep': sleepTask,
  ...scriptRunnables,
  ...httpRunnables,
};

export function runnableTask(type: string): RunnableTask | undefined {
  return Object.hasOwn(RUNNABLE, type) ? RUNNABLE[type] : undefined;
}
