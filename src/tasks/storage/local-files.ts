import { storeOutputFiles, workingDirPath, writeInputFiles } from '../script/working-dir.js';
import type { RunnableTask } from '../types.js';

/** io.kestra.plugin.core.storage.LocalFiles: writes `inputs` (name → text, or a stored file's URI)
 * into a working directory, and stores the files matching the `outputs` globs, as `uris`. */
export const localFilesTask: RunnableTask = {
  async run(task, ctx) {
    const dir = await ctx.workingDirectory();
    await writeInputFiles(ctx, dir, await ctx.render(task.inputs));
    const patterns = ((await ctx.render(task.outputs ?? [])) as unknown[]).map((p) =>
      workingDirPath(String(p), 'outputs'),
    );
    return { outputs: { uris: await storeOutputFiles(ctx, dir, patterns, new Set()) } };
  },
};
