import type { RunnableTask } from '../types.js';
import { renderedText } from './files.js';

/** io.kestra.plugin.core.storage.Size: the size of a stored file in bytes. */
export const sizeTask: RunnableTask = {
  async run(task, ctx) {
    let size = 0;
    for await (const chunk of await ctx.readFile(await renderedText(ctx, task.uri, 'uri'))) {
      size += (chunk as Buffer).length;
    }
    return { outputs: { size } };
  },
};
