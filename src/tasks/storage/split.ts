import type { RunContext, RunnableTask } from '../types.js';
import { extensionOf, lines, renderedText, ResultFile } from './files.js';

/** io.kestra.plugin.core.storage.Split: cuts a file at line ends into several of the same extension,
 * by `bytes` (a new file once one holds at least that many), `rows` (that many lines each) or
 * `partitions` (lines dealt round-robin into that many files, empty ones dropped); each line is
 * written followed by `separator`. */
export const splitTask: RunnableTask = {
  async run(task, ctx) {
    const from = await renderedText(ctx, task.from, 'from');
    const separator = await ctx.renderString(String(task.separator ?? '\n'));
    const extension = extensionOf(from);
    const input = lines(await ctx.readFile(from));
    let uris: string[];
    if (task.bytes !== undefined) {
      const limit = readableBytes(await ctx.renderString(String(task.bytes)));
      uris = await cut(ctx, input, separator, extension, (bytes) => bytes >= limit);
    } else if (task.partitions !== undefined) {
      uris = await partition(
        ctx,
        input,
        separator,
        extension,
        await positive(ctx, task.partitions, 'partitions'),
      );
    } else if (task.rows !== undefined) {
      const rows = await positive(ctx, task.rows, 'rows');
      uris = await cut(ctx, input, separator, extension, (_bytes, count) => count >= rows);
    } else {
      throw new Error('Invalid configuration with no size, count, nor rows');
    }
    return { outputs: { uris } };
  },
};

async function cut(
  ctx: RunContext,
  input: AsyncIterable<string>,
  separator: string,
  extension: string,
  full: (bytes: number, rows: number) => boolean,
): Promise<string[]> {
  const uris: string[] = [];
  let current: ResultFile | undefined;
  let bytes = 0;
  let rows = 0;
  for await (const line of input) {
    if (current === undefined || full(bytes, rows)) {
      if (current) uris.push(await current.store(ctx));
      current = await ResultFile.create(ctx, extension);
      bytes = 0;
      rows = 0;
    }
    const row = Buffer.from(line + separator);
    await current.write(row);
    bytes += row.length;
    rows += 1;
  }
  if (current) uris.push(await current.store(ctx));
  return uris;
}

async function partition(
  ctx: RunContext,
  input: AsyncIterable<string>,
  separator: string,
  extension: string,
  count: number,
): Promise<string[]> {
  const files = await Promise.all(Array.from({ length: count }, () => ResultFile.create(ctx, extension)));
  const used = new Array<boolean>(count).fill(false);
  let index = 0;
  for await (const line of input) {
    await files[index].write(line + separator);
    used[index] = true;
    index = (index + 1) % count;
  }
  const uris: string[] = [];
  for (const [i, file] of files.entries()) {
    const uri = await file.store(ctx);
    if (used[i]) uris.push(uri);
    else await ctx.storage.deletePrefix(uri);
  }
  return uris;
}

async function positive(ctx: RunContext, value: unknown, name: string): Promise<number> {
  const rendered = typeof value === 'string' ? await ctx.renderString(value) : value;
  const n = Number(rendered);
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new Error(`property '${name}' must be a whole number >= 1, got ${JSON.stringify(rendered)}`);
  }
  return n;
}

const UNITS: Record<string, number> = { '': 1, B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 };

/** Micronaut's readable sizes, which Kestra takes for `bytes`: `1024`, `10KB`, `1MB`, `2GB`. */
export function readableBytes(text: string): number {
  const match = /^\s*(\d+)\s*([KMG]?B)?\s*$/i.exec(text);
  const unit = match ? UNITS[(match[2] ?? '').toUpperCase()] : undefined;
  if (!match || unit === undefined || Number(match[1]) < 1) {
    throw new Error(`Invalid size with value '${text}'`);
  }
  return Number(match[1]) * unit;
}
