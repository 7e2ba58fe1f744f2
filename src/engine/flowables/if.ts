import type { TaskDef } from '../../flow/model.js';
import type { Flowable } from './flowable.js';

/** If: the condition is rendered once, when the task run first runs; `then` or `else` follows. */
export const ifFlowable: Flowable = {
  type: 'io.kestra.plugin.core.flow.If',
  async next(run, task, ctx) {
    if (run.branch === undefined) {
      try {
        const holds = await ctx.holds(task.condition, task, run);
        run.branch = holds ? 'then' : 'else';
        run.outputs = { evaluationResult: holds };
      } catch (error) {
        run.error = error instanceof Error ? error.message : String(error);
        return { done: true, state: 'FAILED' };
      }
      ctx.changed();
    }
    return ctx.evalList((task[run.branch] as TaskDef[] | undefined) ?? [], run, null, 1);
  },
};
