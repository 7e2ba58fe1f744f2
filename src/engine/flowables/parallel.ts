import type { TaskDef } from '../../flow/model.js';
import type { Flowable } from './flowable.js';

/** Parallel: its tasks at once, at most `concurrent` of them running (0, the default: all); a failure
 * stops new ones from starting. */
export const parallel: Flowable = {
  type: 'io.kestra.plugin.core.flow.Parallel',
  next: async (run, task, ctx) =>
    ctx.evalList(
      (task.tasks as TaskDef[] | undefined) ?? [],
      run,
      null,
      await ctx.wholeNumber(task.concurrent, task, run, 0),
    ),
};
