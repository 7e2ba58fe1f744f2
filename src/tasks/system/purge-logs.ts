import { LOG_LEVELS } from '../../flow/schemas.js';
import type { TaskPlatform } from '../platform.js';
import type { LogLevel, RunnableTask } from '../types.js';
import { renderedDate, renderedList } from './target.js';

/** io.kestra.plugin.core.log.PurgeLogs: deletes the log lines written up to `endDate` (from
 * `startDate`), of a namespace and its children, a flow, an execution or some levels when given;
 * `count` says how many went. */
export function createPurgeLogsTask(platform: TaskPlatform): RunnableTask {
  return {
    async run(task, ctx) {
      const levels = await renderedList(ctx, task.logLevels, 'logLevels');
      const unknown = levels?.find((l) => !(LOG_LEVELS as readonly string[]).includes(l));
      if (unknown !== undefined) throw new Error(`unknown log level '${unknown}'`);
      const text = async (v: unknown) => (v === undefined ? undefined : ctx.renderString(String(v)));
      const count = await platform.purgeLogs({
        namespace: await text(task.namespace),
        flowId: await text(task.flowId),
        executionId: await text(task.executionId),
        levels: levels as LogLevel[] | undefined,
        startDate: await renderedDate(ctx, task.startDate, 'startDate'),
        endDate: (await renderedDate(ctx, task.endDate, 'endDate'))!,
      });
      return { outputs: { count } };
    },
  };
}
