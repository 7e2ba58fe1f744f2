import type { RunnableTask } from '../types.js';
import { lines, renderedText, ResultFile } from './files.js';
import { renderAbout } from './items.js';

/** io.kestra.plugin.core.storage.DeduplicateItems: of the items of an Ion file that share the key
 * `expr` renders to, keeps the last, in the file's order. Two passes, as in Kestra: the first finds
 * the last line of each key (only keys and line numbers are held), the second writes those lines. */
export const deduplicateItemsTask: RunnableTask = {
  async run(task, ctx) {
    const from = await renderedText(ctx, task.from, 'from');
    const expr = String(task.expr);
    const lastLineOf = new Map<string, number>();
    let n = 0;
    for await (const line of lines(await ctx.readFile(from))) {
      lastLineOf.set(await renderAbout(ctx, expr, line, n + 1), n);
      n++;
    }
    const result = await ResultFile.create(ctx, '.ion');
    let processedItemsTotal = 0;
    let droppedItemsTotal = 0;
    for await (const line of lines(await ctx.readFile(from))) {
      const key = await renderAbout(ctx, expr, line, processedItemsTotal + 1);
      if (lastLineOf.get(key) === processedItemsTotal) await result.write(`${line}\n`);
      else droppedItemsTotal++;
      processedItemsTotal++;
    }
    return {
      outputs: {
        uri: await result.store(ctx),
        numKeys: lastLineOf.size,
        processedItemsTotal,
        droppedItemsTotal,
      },
    };
  },
};
