import type { RunnableTask } from '../types.js';
import { extensionOf, lines, renderedText, ResultFile } from './files.js';

/** io.kestra.plugin.core.storage.Reverse: the lines of a file in reverse order, each followed by
 * `separator` (default a newline), in a file of the same extension. */
export const reverseTask: RunnableTask = {
  async run(task, ctx) {
    const from = await renderedText(ctx, task.from, 'from');
    const separator = await ctx.renderString(String(task.separator ?? '\n'));
    const charset = await ctx.renderString(String(task.charset ?? 'UTF-8'));
    if (!/^utf-?8$/i.test(charset)) throw new Error(`charset '${charset}' is not supported: only UTF-8 is`);
    // Kestra reads the file backwards from a local copy; the lines are held in memory here
    const all: string[] = [];
    for await (const line of lines(await ctx.readFile(from))) all.push(line);
    const result = await ResultFile.create(ctx, extensionOf(from));
    for (let i = all.length - 1; i >= 0; i--) await result.write(all[i] + separator);
    return { outputs: { uri: await result.store(ctx) } };
  },
};
