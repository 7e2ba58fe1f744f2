import type { TaskPlatform } from '../platform.js';
import type { RunnableTask } from '../types.js';

/** io.kestra.plugin.core.trigger.Toggle: enables (`enabled: true`) or disables (the default) a
 * trigger of this flow, or of another one named by `namespace` and `flowId`. */
export function createToggleTask(platform: TaskPlatform): RunnableTask {
  return {
    async run(task, ctx) {
      const text = async (value: unknown, fallback: string) =>
        value === undefined ? fallback : ctx.renderString(String(value));
      const key = {
        namespace: await text(task.namespace, ctx.execution.namespace),
        flowId: await text(task.flowId, ctx.execution.flowId),
        triggerId: await ctx.renderString(String(task.trigger)),
      };
      await platform.toggleTrigger(key, task.enabled === true);
      ctx.logger.info(
        `trigger ${key.triggerId} of ${key.namespace}.${key.flowId} ${task.enabled ? 'enabled' : 'disabled'}`,
      );
      return {};
    },
  };
}
