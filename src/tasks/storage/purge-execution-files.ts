import type { RunnableTask } from '../types.js';
import { ownExecutionPrefix } from './files.js';

/** io.kestra.plugin.core.storage.PurgeCurrentExecutionFiles: deletes every stored file of the running
 * execution. Kestra lists the URIs it deleted; Sluice's storage deletes by prefix without listing,
 * so `uris` holds that prefix and `count` how many files went. */
export const purgeExecutionFilesTask: RunnableTask = {
  async run(_task, ctx) {
    const prefix = ownExecutionPrefix(ctx);
    const count = await ctx.storage.deletePrefix(prefix.slice(0, -1));
    return { outputs: { uris: [prefix], count } };
  },
};
