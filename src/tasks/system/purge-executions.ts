import { isTruthy } from '../../engine/conditions.js';
import type { TaskPlatform } from '../platform.js';
import type { RunnableTask } from '../types.js';
import { renderedDate } from './target.js';

/** io.kestra.plugin.core.execution.PurgeExecutions: deletes the ended executions started up to
 * `endDate` (from `startDate`), of a namespace and its children, a flow or some states when given,
 * with their logs and stored files unless told otherwise. */
export function createPurgeExecutionsTask(platform: TaskPlatform): RunnableTask {
  return {
    async run(task, ctx) {
      const text = async (v: unknown) => (v === undefined ? undefined : ctx.renderString(String(v)));
      const flag = async (v: unknown) => (v === undefined ? true : isTruthy(await ctx.render(v)));
      const purged = await platform.purgeExecutions({
        namespace: await text(task.namespace),
        flowId: await text(task.flowId),
        startDate: await renderedDate(ctx, task.startDate, 'startDate'),
        endDate: (await renderedDate(ctx, task.endDate, 'endDate'))!,
        states: task.states as string[] | undefined,
        purgeExecution: await flag(task.purgeExecution),
        purgeLog: await flag(task.purgeLog),
        purgeStorage: await flag(task.purgeStorage),
      });
      // Sluice keeps no metrics, so there are none to purge
      return { outputs: { ...purged, metricsCount: 0 } };
    },
  };
}
