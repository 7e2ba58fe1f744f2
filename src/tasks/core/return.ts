import type { RunnableTask } from '../types.js';

/** io.kestra.plugin.core.debug.Return: renders `format` into the output `value`. */
export const returnTask: RunnableTask = {
  async run(task, ctx) {
    return { outputs: { value: await ctx.renderString(String(task.format ?? '')) } };
  },
};
