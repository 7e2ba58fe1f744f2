import { isTruthy } from '../../engine/conditions.js';
import type { RunnableTask } from '../types.js';
import { ownExecutionFile, renderedText } from './files.js';

/** io.kestra.plugin.core.storage.Delete: deletes one file of this execution; `deleted` says whether
 * there was one, and `errorOnMissing: true` fails when there was not. */
export const deleteTask: RunnableTask = {
  async run(task, ctx) {
    const uri = ownExecutionFile(ctx, await renderedText(ctx, task.uri, 'uri'));
    const errorOnMissing = isTruthy(await ctx.render(task.errorOnMissing ?? false));
    const deleted = (await ctx.storage.deletePrefix(uri)) > 0;
    if (errorOnMissing && !deleted) throw new Error(`Unable to find file '${uri}'`);
    return { outputs: { uri, deleted } };
  },
};
