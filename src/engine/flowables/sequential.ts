import type { TaskDef } from '../../flow/model.js';
import type { Flowable } from './flowable.js';

/** Sequential: its tasks one after the other, stopping at the first failure. */
export const sequential: Flowable = {
  type: 'io.kestra.plugin.core.flow.Sequential',
  next: (run, task, ctx) => ctx.evalList((task.tasks as TaskDef[] | undefined) ?? [], run, null, 1),
};
