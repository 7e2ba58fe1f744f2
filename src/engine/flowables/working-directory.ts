import type { TaskDef } from '../../flow/model.js';
import type { Flowable } from './flowable.js';

const childrenOf = (task: TaskDef) =>
  ((task.tasks as TaskDef[] | undefined) ?? []).filter((t) => !t.disabled);

/** WorkingDirectory: its tasks run one after the other (as a Sequential, stopping at the first
 * failure) and share one directory: each task's job names it, the worker restores it before the task
 * opens it and saves it after, through internal storage, so files one task made are there for the
 * next on any worker. Namespace files (`namespaceFiles`), then `inputFiles`, are written before the
 * first task that opens it; the last task
 * stores `outputFiles` as the WorkingDirectory's output. `errors` and `finally` run outside it. */
export const workingDirectory: Flowable = {
  type: 'io.kestra.plugin.core.flow.WorkingDirectory',
  next: (run, task, ctx) => ctx.evalList(childrenOf(task), run, null, 1),
  childJob(run, task, child) {
    const children = childrenOf(task);
    if (!children.some((t) => t.id === child.id)) return {};
    const last = children[children.length - 1].id === child.id;
    return {
      workingDirectory: {
        taskId: task.id,
        taskRunId: run.id,
        ...(task.inputFiles !== undefined ? { inputFiles: task.inputFiles } : {}),
        ...(task.namespaceFiles !== undefined ? { namespaceFiles: task.namespaceFiles } : {}),
        ...(last && task.outputFiles !== undefined ? { outputFiles: task.outputFiles } : {}),
      },
    };
  },
};
