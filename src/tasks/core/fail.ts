import { isTruthy } from '../../engine/conditions.js';
import type { RunnableTask } from '../types.js';

/** io.kestra.plugin.core.execution.Fail: fails with `errorMessage`, only when `condition` holds if given. */
export const failTask: RunnableTask = {
  async run(task, ctx) {
    const condition = task.condition;
    if (
      condition !== undefined &&
      !isTruthy(typeof condition === 'string' ? await ctx.renderString(condition) : condition)
    ) {
      return {};
    }
    throw new Error(await ctx.renderString(String(task.errorMessage ?? 'Task failure')));
  },
};
