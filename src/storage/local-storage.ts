import { randomBytes } from 'node:crypto';
import { createWriteStream, lstatSync, mkdirSync, realpathSync } from 'node:fs';
import { lstat, mkdir, open, readdir, rename, rm, unlink } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pathOfUri, storagePathOf, uriOfPath } from './paths.js';
import { type ByteRange, checkRange, type Storage } from './storage.js';

export { executionStoragePrefix, taskRunStoragePath } from './paths.js';

/** Internal storage on the local file system: `sluice:///a/b.csv` is `<rootDir>/a/b.csv`. */
export class LocalStorage implements Storage {
  private readonly root: string;

  constructor(rootDir: string) {
    mkdirSync(rootDir, { recursive: true });
    // Compared against realpaths later, so it must be one too (e.g. /tmp → /private/tmp on macOS).
    this.root = realpathSync(rootDir);
  }

  /** Accepts a relative path or a `sluice:///` URI. The content is written to a temporary file and
   * renamed into place, so readers never see a half-written file and a failed stream leaves nothing. */
  async put(path: string, content: Readable | Buffer | string): Promise<string> {
    const relPath = storagePathOf(path);
    const uri = uriOfPath(relPath);
    const target = this.resolve(relPath, uri);
    await mkdir(dirname(target), { recursive: true });
    // The directories just created could have raced with a symlink planted by someone else.
    this.resolve(relPath, uri);
    const temp = `${target}.${randomBytes(6).toString('hex')}.part`;
    const source =
      typeof content === 'string' || Buffer.isBuffer(content) ? Readable.from([content]) : content;
    try {
      await pipeline(source, createWriteStream(temp, { flags: 'wx' }));
      await rename(temp, target);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    return uri;
  }

  async get(uri: string, range?: ByteRange): Promise<Readable> {
    checkRange(range);
    const file = this.resolve(pathOfUri(uri), uri);
    // Opening before returning turns a missing file into a rejection here rather than a stream error
    // later, and pins the file the checks above looked at.
    const handle = await open(file, 'r').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') throw new Error(`file not found: ${uri}`);
      throw error;
    });
    const info = await handle.stat();
    if (!info.isFile()) {
      await handle.close();
      throw new Error(`file not found: ${uri} (it is a directory)`);
    }
    if (range?.length === 0) {
      await handle.close();
      return Readable.from([]);
    }
    const end = range?.length === undefined ? undefined : range.offset + range.length - 1;
    return handle.createReadStream({ start: range?.offset, end });
  }

  /** The file's absolute path on this machine: for tests that look behind the interface. Nothing in
   * Sluice itself may use it, or it would break on the remote backends. */
  localPath(uri: string): string {
    return this.resolve(pathOfUri(uri), uri);
  }

  async exists(uri: string): Promise<boolean> {
    const file = this.resolve(pathOfUri(uri), uri);
    try {
      return (await lstat(file)).isFile();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
  }

  async deletePrefix(uri: string): Promise<number> {
    const relPath = pathOfUri(uri);
    // The last segment is not resolved: when it is a symlink, the link goes, not what it points to.
    const parentRel = dirname(relPath);
    const parent = parentRel === '.' ? this.root : this.resolve(parentRel, uri);
    const target = join(parent, basename(relPath));
    const count = await countFiles(target);
    await rm(target, { recursive: true, force: true });
    return count;
  }

  /** The absolute local path of a canonical relative path, after checking that the nearest existing
   * ancestor (or the file itself) resolves, through any symlinks, to a place inside the root.
   * Synchronous because `localPath` is; it costs a few system calls. */
  private resolve(relPath: string, shown: string): string {
    const lexical = join(this.root, relPath);
    let existing = lexical;
    const rest: string[] = [];
    for (;;) {
      try {
        existing = realpathSync(existing);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        if (lstatSync(existing, { throwIfNoEntry: false })) {
          // realpath failed although the entry exists: a symlink whose target is missing. Following
          // it later (a write) could create a file wherever it points.
          throw new Error(`invalid storage URI ${JSON.stringify(shown)}: it goes through a broken symlink`);
        }
        rest.unshift(basename(existing));
        existing = dirname(existing);
      }
    }
    if (!isInside(this.root, existing)) {
      throw new Error(`invalid storage URI ${JSON.stringify(shown)}: it resolves outside the storage root`);
    }
    return join(existing, ...rest);
  }
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

async function countFiles(path: string): Promise<number> {
  let info: Awaited<ReturnType<typeof lstat>>;
  try {
    info = await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  if (!info.isDirectory()) return 1;
  let count = 0;
  for (const entry of await readdir(path, { withFileTypes: true })) {
    count += entry.isDirectory() ? await countFiles(join(path, entry.name)) : 1;
  }
  return count;
}
