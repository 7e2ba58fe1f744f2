import { Readable } from 'node:stream';
import {
  FOR_EACH_ITEM_MERGE,
  FOR_EACH_ITEM_SPLIT,
  iterationOutputsFile,
} from '../../engine/flowables/for-each-item.js';
import { splitTask } from '../storage/split.js';
import type { RunContext, RunnableTask } from '../types.js';

// The two steps of a ForEachItem that run on a worker (engine/flowables/for-each-item.ts makes them).

/** `<id>_split`: cuts the items file into batch files as storage.Split does (`batch.rows`, default 1,
 * or `bytes`, or `partitions`; `separator`), and lists their URIs, one a line, in `splits`. */
const forEachItemSplit: RunnableTask = {
  async run(task, ctx) {
    const items = String(await ctx.render(task.items));
    if (!items.startsWith('sluice://')) {
      const message = `Unable to split the items from ${items}, this is not an internal storage URI!`;
      ctx.logger.error(message);
      throw new Error(message);
    }
    const batch = (task.batch ?? {}) as Record<string, unknown>;
    const { outputs } = await splitTask.run(
      {
        id: task.id,
        type: task.type,
        from: items,
        ...(batch.bytes !== undefined ? { bytes: batch.bytes } : {}),
        ...(batch.partitions !== undefined ? { partitions: batch.partitions } : {}),
        rows: batch.rows ?? 1,
        separator: batch.separator ?? '\n',
      },
      ctx,
    );
    const uris = (outputs?.uris ?? []) as string[];
    return { outputs: { splits: await ctx.putFile('splits.txt', uris.join('\n')) } };
  },
};

/** `<id>_merge`: the outputs of every batch's subflow, one Ion line each in batch order, in one file
 * (`subflowOutputs`); no outputs when no subflow gave any. */
const forEachItemMerge: RunnableTask = {
  async run(task, ctx) {
    const items = outputsOf(ctx, String(task.itemsTaskId));
    const base = items?.subflowOutputsBaseUri;
    if (typeof base !== 'string') return {};
    const files: string[] = [];
    for (let i = 0; i < Number(items?.numberOfBatches ?? 0); i++) {
      const uri = `${base}/${iterationOutputsFile(i)}`;
      if (await ctx.storage.exists(uri)) files.push(uri);
    }
    if (files.length === 0) return {};
    async function* merged() {
      for (const uri of files) yield* await ctx.readFile(uri);
    }
    return { outputs: { subflowOutputs: await ctx.putFile('outputs.ion', Readable.from(merged())) } };
  },
};

/** A sibling step's outputs: inside loops, `outputs.<id>` is keyed by the enclosing loop values, which
 * this step shares (Kestra's ForEachItem.extractOutput). */
function outputsOf(ctx: RunContext, taskId: string): Record<string, unknown> | undefined {
  let node = (ctx.variables.outputs as Record<string, unknown> | undefined)?.[taskId];
  const parents = (ctx.variables.parents ?? []) as Array<{ taskrun?: { value?: string } }>;
  const values = parents
    .map((p) => p.taskrun?.value)
    .filter((v): v is string => typeof v === 'string')
    .reverse();
  for (const value of values) node = (node as Record<string, unknown> | undefined)?.[value];
  return node as Record<string, unknown> | undefined;
}

export const forEachItemRunnables: Readonly<Record<string, RunnableTask>> = {
  [FOR_EACH_ITEM_SPLIT]: forEachItemSplit,
  [FOR_EACH_ITEM_MERGE]: forEachItemMerge,
};
