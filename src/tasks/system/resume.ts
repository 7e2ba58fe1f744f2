import type { TaskPlatform } from '../platform.js';
import type { RunnableTask } from '../types.js';
import { targetExecution } from './target.js';

/** io.kestra.plugin.core.execution.Resume: resumes a paused execution (this one's flow's, or another
 * flow's with `namespace` and `flowId`), with `inputs` as its Pause's onResume values. An execution
 * that is not paused fails the task, as the API refuses it. */
export function createResumeTask(platform: TaskPlatform): RunnableTask {
  return {
    async run(task, ctx) {
      const { executionId } = await targetExecution(task, ctx);
      const inputs = task.inputs === undefined ? {} : await ctx.render(task.inputs);
      await platform.resumeExecution(executionId, inputs as Record<string, unknown>);
      return {};
    },
  };
}
