// Kestra's io.kestra.plugin.core.namespace tasks: files between a namespace and internal storage.
import type { NamespaceFileStore } from '../../namespaces/file-store.js';
import { namespaceFilePath } from '../../namespaces/file-paths.js';
import { STORAGE_SCHEME } from '../../storage/paths.js';
import { pathMatchers } from '../script/namespace-files.js';
import { optionalString, type Props, renderProps, stringList } from '../script/props.js';
import type { RunContext, RunnableTask } from '../types.js';

function filesOf(ctx: RunContext): NamespaceFileStore {
  const files = ctx.namespaces?.files;
  if (!files) throw new Error('namespace files are not available here: this worker has no database');
  return files;
}

async function props(task: Readonly<Record<string, unknown>>, ctx: RunContext, names: string[]) {
  const rendered = await renderProps(task, ['namespace', ...names], (v) => ctx.render(v));
  return { rendered, namespace: optionalString(rendered, 'namespace') ?? ctx.execution.namespace };
}

/** The namespace's files whose path matches one of the `files` globs. */
async function matching(store: NamespaceFileStore, namespace: string, rendered: Props) {
  const globs = pathMatchers(stringList(rendered, 'files'));
  if (globs.length === 0) throw new Error("property 'files' is required: a glob or a list of globs");
  return (await store.files(namespace)).filter(({ path }) => globs.some((m) => m.test(path.slice(1))));
}

/** The map of target path → source URI, given as a map or as its JSON text. */
function filesMap(value: unknown): Record<string, string> {
  const map = typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
  if (typeof map !== 'object' || map === null || Array.isArray(map)) {
    throw new Error("property 'filesMap' must be a map of namespace path → internal storage URI");
  }
  for (const [target, source] of Object.entries(map)) {
    if (typeof source !== 'string' || !source.startsWith(STORAGE_SCHEME)) {
      throw new Error(`filesMap: ${JSON.stringify(target)} must map to a ${STORAGE_SCHEME} URI`);
    }
  }
  return map as Record<string, string>;
}

/** namespace.UploadFiles: `filesMap` (namespace path → a file of this execution) under `destination`.
 * Kestra's `files` globs match a WorkingDirectory's files, which Sluice has not, so they are refused. */
export const uploadFilesTask: RunnableTask = {
  async run(task, ctx) {
    const { rendered, namespace } = await props(task, ctx, ['filesMap', 'destination', 'files', 'conflict']);
    if (rendered.files !== undefined) {
      throw new Error(
        "property 'files' needs a WorkingDirectory, which Sluice does not have: use filesMap (namespace path → a task's output file URI)",
      );
    }
    if (rendered.filesMap === undefined) throw new Error("property 'filesMap' is required");
    const store = filesOf(ctx);
    const destination = namespaceFilePath(optionalString(rendered, 'destination') ?? '/');
    const conflict = optionalString(rendered, 'conflict') ?? 'OVERWRITE';
    if (!['OVERWRITE', 'ERROR', 'SKIP'].includes(conflict)) {
      throw new Error(
        `property 'conflict' must be OVERWRITE, ERROR or SKIP, got ${JSON.stringify(conflict)}`,
      );
    }
    const existing = new Set((await store.files(namespace)).map((f) => f.path));
    const uploaded: Record<string, string> = {};
    for (const [target, source] of Object.entries(filesMap(rendered.filesMap))) {
      const path = namespaceFilePath(`${destination}/${target}`);
      if (existing.has(path) && conflict !== 'OVERWRITE') {
        if (conflict === 'ERROR') throw new Error(`${path} already exists in namespace ${namespace}`);
        continue;
      }
      await store.write(namespace, path, await ctx.readFile(source));
      uploaded[path] = source;
    }
    ctx.logger.info(`${Object.keys(uploaded).length} files uploaded to namespace ${namespace}`);
    return { outputs: { files: uploaded } };
  },
};

/** namespace.DownloadFiles: the files matching `files` become output files of the task run; the
 * output `files` maps each namespace path to its URI. */
export const downloadFilesTask: RunnableTask = {
  async run(task, ctx) {
    const { rendered, namespace } = await props(task, ctx, ['files', 'destination']);
    const store = filesOf(ctx);
    const prefix = optionalString(rendered, 'destination') ?? '';
    const files: Record<string, string> = {};
    for (const { path } of await matching(store, namespace, rendered)) {
      files[path] = await ctx.putFile(`${prefix}${path}`, await store.read(namespace, path));
    }
    return { outputs: { files } };
  },
};

/** namespace.DeleteFiles: deletes the files matching `files`; the output `files` lists them. */
export const deleteFilesTask: RunnableTask = {
  async run(task, ctx) {
    const { rendered, namespace } = await props(task, ctx, ['files']);
    const store = filesOf(ctx);
    const deleted: string[] = [];
    for (const { path } of await matching(store, namespace, rendered)) {
      if (await store.delete(namespace, path)) deleted.push(path);
    }
    ctx.logger.info(`${deleted.length} files deleted from namespace ${namespace}`);
    return { outputs: { files: deleted } };
  },
};
