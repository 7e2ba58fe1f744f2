import type { RunnableTask } from '../types.js';
import { renderedText, ResultFile } from './files.js';

/** io.kestra.plugin.core.storage.Concat: the files one after the other (each followed by `separator`
 * when given) in one new file; `files` is a list of URIs or an expression rendering to a JSON list. */
export const concatTask: RunnableTask = {
  async run(task, ctx) {
    const files = await fileList(task.files, (t) => ctx.renderString(t));
    const separator =
      task.separator === undefined ? undefined : await ctx.renderString(String(task.separator));
    const result = await ResultFile.create(ctx, String(task.extension ?? '.tmp'));
    for (const file of files) {
      const uri = await renderedText(ctx, file, 'files');
      for await (const chunk of await ctx.readFile(uri)) await result.write(chunk as Buffer);
      if (separator !== undefined) await result.write(separator);
    }
    return { outputs: { uri: await result.store(ctx) } };
  },
};

async function fileList(files: unknown, render: (t: string) => Promise<string>): Promise<unknown[]> {
  if (Array.isArray(files)) return files;
  if (typeof files !== 'string') throw new Error("property 'files' must be a list of URIs");
  const rendered = await render(files);
  let list: unknown;
  try {
    list = JSON.parse(rendered);
  } catch {
    throw new Error(`property 'files' rendered to ${JSON.stringify(rendered.slice(0, 80))}, not a JSON list`);
  }
  if (!Array.isArray(list)) throw new Error("property 'files' must render to a JSON list of URIs");
  return list;
}
