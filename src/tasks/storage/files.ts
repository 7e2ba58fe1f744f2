import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { executionStoragePrefix, pathOfUri, uriOfPath } from '../../storage/paths.js';
import type { RunContext } from '../types.js';

// What the storage tasks share: reading a stored file line by line, writing a result to a local file
// and storing it as an output file of the task run, as Kestra's tasks do through a temp file.

/** The lines of a stored file, as Java's readLine gives them (\n, \r\n and \r end a line; a final
 * line ending adds no empty line). */
export async function* lines(input: Readable): AsyncGenerator<string> {
  // readline treats a lone \r as the end of a line as well once crlfDelay is infinite
  yield* createInterface({ input, crlfDelay: Infinity });
}

/** The extension of a URI's last segment (`.csv`), or `fallback` when it has none, as Kestra keeps it
 * for the files it derives. */
export function extensionOf(uri: string, fallback = '.tmp'): string {
  const name = uri.slice(uri.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot) : fallback;
}

/** A fresh name for a file the task stores, like the temp files Kestra's tasks store. */
export function freshName(extension: string): string {
  return `${randomBytes(8).toString('hex')}${extension}`;
}

/** A local file the task writes, then stores as one of its output files. */
export class ResultFile {
  private readonly out: WriteStream;

  private constructor(
    private readonly path: string,
    private readonly extension: string,
  ) {
    this.out = createWriteStream(path);
  }

  static async create(ctx: RunContext, extension: string): Promise<ResultFile> {
    return new ResultFile(join(await ctx.workingDirectory(), freshName(extension)), extension);
  }

  async write(chunk: string | Buffer): Promise<void> {
    if (!this.out.write(chunk)) await once(this.out, 'drain');
  }

  /** Closes the file and stores it; returns its URI. */
  async store(ctx: RunContext): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.out.once('error', reject);
      this.out.end(resolve);
    });
    return ctx.putFile(freshName(this.extension), createReadStream(this.path));
  }
}

/** The URI prefix of the files of the running execution: what a task may delete. */
export function ownExecutionPrefix(ctx: RunContext): string {
  const { namespace, flowId, id } = ctx.execution;
  return `${uriOfPath(executionStoragePrefix(namespace, flowId, id))}/`;
}

/** The canonical form of a URI the task was given, refused unless it is a file of its own execution. */
export function ownExecutionFile(ctx: RunContext, uri: string): string {
  const canonical = uriOfPath(pathOfUri(uri));
  if (!canonical.startsWith(ownExecutionPrefix(ctx))) {
    throw new Error(`${uri} is not a file of this execution: a task deletes only its own execution's files`);
  }
  return canonical;
}

/** A rendered property that must be a non-empty string. */
export async function renderedText(ctx: RunContext, value: unknown, name: string): Promise<string> {
  const rendered = typeof value === 'string' ? await ctx.renderString(value) : value;
  if (typeof rendered !== 'string' || rendered === '') throw new Error(`property '${name}' is required`);
  return rendered;
}
