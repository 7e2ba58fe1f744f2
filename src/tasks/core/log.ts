import { LOG_LEVELS } from '../../flow/schemas.js';
import type { LogLevel, RunnableTask } from '../types.js';

const LEVELS: ReadonlySet<string> = new Set(LOG_LEVELS);

/** io.kestra.plugin.core.log.Log: writes one message (or each of a list) to the task run's logs. */
export const logTask: RunnableTask = {
  async run(task, ctx) {
    const level = String(task.level ?? 'INFO');
    if (!LEVELS.has(level)) throw new Error(`unknown log level '${level}'`);
    const messages = Array.isArray(task.message) ? task.message : [task.message];
    for (const m of messages) ctx.logger.log(level as LogLevel, await ctx.renderString(String(m)));
    return {};
  },
};
