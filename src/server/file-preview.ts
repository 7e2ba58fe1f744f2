import { extname } from 'node:path';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

export interface FilePreview {
  extension: string;
  type: 'LIST' | 'TEXT';
  content: unknown[] | string;
  truncated: boolean;
}

/** Files whose lines are JSON records: previewed as a list of them, as Kestra previews its ion files. */
const RECORD_EXTENSIONS = new Set(['jsonl', 'ndjson']);

/** A preview never holds more than this much of a file, whatever its line lengths. */
export const MAX_PREVIEW_BYTES = 1024 * 1024;

export class NotPreviewableError extends Error {}

/** The first `maxRows` lines of a stored file; the stream is closed as soon as they are read. */
export async function previewFile(
  content: Readable,
  fileName: string,
  maxRows: number,
): Promise<FilePreview> {
  const extension = extname(fileName).slice(1).toLowerCase();
  const { lines, truncated } = await firstLines(content, maxRows);
  if (lines.some((line) => line.includes('\0'))) {
    throw new NotPreviewableError(`${fileName} is a binary file: download it instead`);
  }
  if (!RECORD_EXTENSIONS.has(extension))
    return { extension, type: 'TEXT', content: lines.join('\n'), truncated };
  const records = lines.map((line, index) => {
    try {
      return JSON.parse(line) as unknown;
    } catch {
      throw new NotPreviewableError(`${fileName}: line ${index + 1} is not JSON`);
    }
  });
  return { extension, type: 'LIST', content: records, truncated };
}

async function firstLines(
  content: Readable,
  maxRows: number,
): Promise<{ lines: string[]; truncated: boolean }> {
  const decoder = new StringDecoder('utf8');
  const lines: string[] = [];
  let pending = '';
  let bytes = 0;
  try {
    for await (const chunk of content as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      pending += decoder.write(chunk);
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      lines.push(...parts.map((line) => line.replace(/\r$/, '')));
      if (lines.length > maxRows || bytes > MAX_PREVIEW_BYTES) {
        return { lines: lines.slice(0, maxRows), truncated: true };
      }
    }
  } finally {
    content.destroy();
  }
  pending += decoder.end();
  if (pending !== '') lines.push(pending);
  return { lines: lines.slice(0, maxRows), truncated: lines.length > maxRows };
}
