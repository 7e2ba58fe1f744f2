import { isTruthy } from '../../engine/conditions.js';
import type { RunnableTask } from '../types.js';
import { lines, renderedText, ResultFile } from './files.js';
import { renderAbout } from './items.js';

type Action = 'INCLUDE' | 'EXCLUDE';

/** io.kestra.plugin.core.storage.FilterItems: keeps (INCLUDE) or drops (EXCLUDE) the items of an Ion
 * file for which `filterCondition`, rendered with the item's fields, is true. An item whose condition
 * cannot be rendered fails the task, or is kept or dropped as `errorOrNullBehavior` says. */
export const filterItemsTask: RunnableTask = {
  async run(task, ctx) {
    const from = await renderedText(ctx, task.from, 'from');
    const condition = String(task.filterCondition);
    const filterType = String(task.filterType ?? 'INCLUDE') as Action;
    const onError = String(task.errorOrNullBehavior ?? 'FAIL');
    const result = await ResultFile.create(ctx, '.ion');
    let processedItemsTotal = 0;
    let droppedItemsTotal = 0;
    for await (const line of lines(await ctx.readFile(from))) {
      let action: Action;
      try {
        const match = isTruthy((await renderAbout(ctx, condition, line, processedItemsTotal + 1)).trim());
        action = match ? filterType : filterType === 'INCLUDE' ? 'EXCLUDE' : 'INCLUDE';
      } catch (error) {
        if (onError === 'FAIL') throw error;
        action = onError as Action;
      }
      if (action === 'INCLUDE') await result.write(`${line}\n`);
      else droppedItemsTotal++;
      processedItemsTotal++;
    }
    return { outputs: { uri: await result.store(ctx), processedItemsTotal, droppedItemsTotal } };
  },
};
