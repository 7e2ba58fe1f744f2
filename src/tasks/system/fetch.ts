import { toIon } from '../../expression/ion.js';
import { LOG_LEVELS } from '../../flow/schemas.js';
import type { TaskPlatform } from '../platform.js';
import { ResultFile } from '../storage/files.js';
import type { LogLevel, RunnableTask } from '../types.js';
import { renderedList, targetExecution } from './target.js';

const LINE_LIMIT = 64 * 1024 * 1024;

/** io.kestra.plugin.core.log.Fetch: the log lines of an execution (this one by default) at `level`
 * and above, of the `tasksId` tasks only when given, as an Ion file (`uri`) of `size` entries. */
export function createFetchTask(platform: TaskPlatform): RunnableTask {
  return {
    async run(task, ctx) {
      const target = await targetExecution(task, ctx);
      const level = await ctx.renderString(String(task.level ?? 'INFO'));
      if (!(LOG_LEVELS as readonly string[]).includes(level)) throw new Error(`unknown log level '${level}'`);
      const logs = await platform.executionLogs({
        ...target,
        taskIds: await renderedList(ctx, task.tasksId, 'tasksId'),
        minLevel: level as LogLevel,
      });
      const file = await ResultFile.create(ctx, '.ion');
      for (const log of logs) {
        const entry = {
          namespace: log.namespace,
          flowId: log.flowId,
          taskId: log.taskId ?? undefined,
          executionId: log.executionId,
          taskRunId: log.taskRunId ?? undefined,
          attemptNumber: log.attempt ?? undefined,
          timestamp: new Date(log.timestamp),
          level: log.level,
          message: log.message,
        };
        await file.write(`${toIon(entry, LINE_LIMIT)}\n`);
      }
      return { outputs: { uri: await file.store(ctx), size: logs.length } };
    },
  };
}
