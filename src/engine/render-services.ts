import type { Readable } from 'node:stream';
import type { RenderServices } from '../expression/index.js';
import { namespaceFilePath } from '../namespaces/file-paths.js';
import { checkKey } from '../namespaces/kv-values.js';
import type { NamespaceServices } from '../namespaces/services.js';
import { executionStoragePrefix, pathOfUri, uriOfPath } from '../storage/paths.js';
import type { Storage } from '../storage/storage.js';
import type { Execution } from './execution.js';
import type { ExecutorTx } from './ports.js';

/**
 * The services a task's templates get on a worker: `read()` and `fileSize()` of internal storage files,
 * through `readFile`, which refuses files of other executions; `read()` of namespace files, and `kv()`.
 */
export function workerRenderServices(
  readFile: (uri: string) => Promise<Readable>,
  namespaces?: NamespaceServices,
): RenderServices {
  return {
    storage: {
      async read(uri, maxBytes) {
        return readText(await readFile(uri), uri, maxBytes);
      },
      async size(uri) {
        let size = 0;
        for await (const chunk of await readFile(uri)) size += asBytes(chunk).length;
        return size;
      },
    },
    ...(namespaces && {
      namespaceFiles: {
        async read(namespace, path, maxBytes) {
          const canonical = namespaceFilePath(path);
          return readText(await namespaces.files.read(namespace, canonical), canonical, maxBytes);
        },
      },
      kv: {
        async get(namespace, key) {
          const found = await namespaces.kv.get(namespace, checkKey(key));
          return found && { value: found.value };
        },
      },
    }),
  };
}

/** The text of a stream, refused once it passes maxBytes. */
export async function readText(content: Readable, name: string, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of content) {
    const bytes = asBytes(chunk);
    size += bytes.length;
    if (size > maxBytes) {
      content.destroy();
      throw new Error(`${name} is larger than ${maxBytes} bytes, too large to read into a template`);
    }
    chunks.push(bytes);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function asBytes(chunk: unknown): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
}

/** URI prefixes of the internal-storage files an execution's templates and tasks may read: its own,
 * and its parent's when it runs as a subflow (the parent passes files down as inputs). */
export function readablePrefixes(
  execution: { namespace: string; flowId: string; id: string },
  triggerVariables: unknown,
): string[] {
  const own = executionStoragePrefix(execution.namespace, execution.flowId, execution.id);
  const prefixes = [`${uriOfPath(own)}/`];
  const trigger = triggerVariables as Record<string, unknown> | undefined;
  if (
    trigger &&
    typeof trigger.executionId === 'string' &&
    typeof trigger.namespace === 'string' &&
    typeof trigger.flowId === 'string'
  ) {
    prefixes.push(
      `${uriOfPath(executionStoragePrefix(trigger.namespace, trigger.flowId, trigger.executionId))}/`,
    );
  }
  return prefixes;
}

/**
 * The services of the templates the executor renders (If conditions, flow outputs, loop values, subflow
 * inputs…): `read()` and `fileSize()` of the files a task of the execution may read, and `kv()`, read in
 * the executor's transaction. Namespace files are read on workers only.
 */
export function executorRenderServices(
  execution: Execution,
  tx: Pick<ExecutorTx, 'kvGet'>,
  storage: Storage | undefined,
): RenderServices {
  const open = async (uri: string) => {
    if (!storage) throw new Error('this executor has no internal storage');
    const canonical = uriOfPath(pathOfUri(uri));
    const prefixes = readablePrefixes(execution, execution.trigger?.variables);
    if (!prefixes.some((prefix) => canonical.startsWith(prefix)))
      throw new Error(`${uri} belongs to another execution`);
    return storage.get(canonical);
  };
  return {
    storage: {
      read: async (uri, maxBytes) => readText(await open(uri), uri, maxBytes),
      async size(uri) {
        let size = 0;
        for await (const chunk of await open(uri)) size += asBytes(chunk).length;
        return size;
      },
    },
    kv: { get: (namespace, key) => tx.kvGet(namespace, checkKey(key)) },
  };
}
