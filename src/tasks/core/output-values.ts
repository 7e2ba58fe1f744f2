import type { RunnableTask } from '../types.js';

/** io.kestra.plugin.core.output.OutputValues: renders `values` into the output `values`. */
export const outputValuesTask: RunnableTask = {
  async run(task, ctx) {
    return { outputs: { values: (await ctx.render(task.values ?? {})) as Record<string, unknown> } };
  },
};
