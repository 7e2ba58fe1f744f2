import type { Readable } from 'node:stream';
import type { RenderServices } from '../expression/index.js';
import { namespaceFilePath } from '../namespaces/file-paths.js';
import { checkKey } from '../namespaces/kv-values.js';
import type { NamespaceServices } from '../namespaces/services.js';

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
