import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';

// A working directory carried from one task run to the next through internal storage, so that the
// tasks of a WorkingDirectory share their files whichever worker runs each of them. The format is
// ours and streamed both ways: per regular file, one JSON header line {"path","size","mode"} and then
// exactly `size` bytes.

interface Header {
  path: string;
  size: number;
  mode: number;
}

/** The regular files under `dir`, as a snapshot stream (symbolic links and empty folders are left out). */
export function packDirectory(dir: string): Readable {
  async function* entries(): AsyncGenerator<Buffer> {
    for (const rel of await filesUnder(dir, '')) {
      const file = path.join(dir, rel);
      const info = await stat(file);
      const header: Header = { path: rel, size: info.size, mode: info.mode & 0o777 };
      yield Buffer.from(`${JSON.stringify(header)}\n`);
      let sent = 0;
      // a file that grows meanwhile is cut at the size announced; one that shrinks fails the snapshot
      if (info.size > 0) {
        for await (const chunk of createReadStream(file, { start: 0, end: info.size - 1 })) {
          sent += (chunk as Buffer).length;
          yield chunk as Buffer;
        }
      }
      if (sent !== info.size) throw new Error(`working directory: ${rel} changed while it was saved`);
    }
  }
  return Readable.from(entries());
}

async function filesUnder(root: string, rel: string): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(path.join(root, rel), { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
    if (entry.isDirectory()) out.push(...(await filesUnder(root, child)));
    else if (entry.isFile()) out.push(child);
  }
  return out;
}

/** Writes the files of a snapshot under `dir`; a path that would leave it is refused. */
export async function unpackInto(dir: string, source: Readable): Promise<void> {
  let pending: Buffer = Buffer.alloc(0);
  let file: { handle: Awaited<ReturnType<typeof open>>; remaining: number } | undefined;
  const begin = async (header: Header) => {
    const target = path.join(dir, safeRelative(header.path));
    await mkdir(path.dirname(target), { recursive: true });
    const handle = await open(target, 'w', header.mode);
    if (header.size === 0) await handle.close();
    else file = { handle, remaining: header.size };
  };
  for await (const chunk of source) {
    pending = pending.length === 0 ? (chunk as Buffer) : Buffer.concat([pending, chunk as Buffer]);
    for (;;) {
      if (file) {
        const take = Math.min(file.remaining, pending.length);
        if (take === 0) break;
        await file.handle.write(pending.subarray(0, take));
        pending = pending.subarray(take);
        file.remaining -= take;
        if (file.remaining === 0) {
          await file.handle.close();
          file = undefined;
        }
        continue;
      }
      const newline = pending.indexOf(10);
      if (newline < 0) break;
      const header = JSON.parse(pending.subarray(0, newline).toString('utf8')) as Header;
      pending = pending.subarray(newline + 1);
      await begin(header);
    }
  }
  if (file || pending.length > 0) {
    await file?.handle.close();
    throw new Error('working directory: the saved snapshot is truncated');
  }
}

function safeRelative(rel: unknown): string {
  if (typeof rel !== 'string' || rel === '' || rel.includes('\0') || path.isAbsolute(rel))
    throw new Error(`working directory: invalid path ${JSON.stringify(rel)} in the saved snapshot`);
  const segments = rel.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..'))
    throw new Error(`working directory: invalid path ${JSON.stringify(rel)} in the saved snapshot`);
  return segments.join(path.sep);
}
