import type { Readable } from 'node:stream';
import type { RenderServices } from '../expression/index.js';

/**
 * The services a task's templates get on a worker: `read()` and `fileSize()` of internal storage files,
 * through `readFile`, which refuses files of other executions. Namespace files and the KV store do not
 * exist yet, so those functions say they are not available here.
 */
export function workerRenderServices(readFile: (uri: string) => Promise<Readable>): RenderServices {
  return {
    storage: {
      async read(uri, maxBytes) {
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of await readFile(uri)) {
          const bytes = asBytes(chunk);
          size += bytes.length;
          if (size > maxBytes)
            throw new Error(`${uri} is larger than ${maxBytes} bytes, too large to read into a template`);
          chunks.push(bytes);
        }
        return Buffer.concat(chunks).toString('utf8');
      },
      async size(uri) {
        let size = 0;
        for await (const chunk of await readFile(uri)) size += asBytes(chunk).length;
        return size;
      },
    },
  };
}

function asBytes(chunk: unknown): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
}
