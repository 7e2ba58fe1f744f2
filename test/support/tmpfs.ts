// A small file system of its own for tests of a full disk: a tmpfs mounted in a temporary
// directory (the tests run as root, here and in CI). When it cannot be mounted the test fails and
// says why: a full-disk test that skipped itself would prove nothing.
import { execFile } from 'node:child_process';
import { statfsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Tmpfs {
  dir: string;
  /** bytes free in it now */
  free(): number;
  /** fills it with one file until `leaveBytes` are free */
  fill(leaveBytes: number): Promise<void>;
  /** removes what fill wrote */
  unfill(): Promise<void>;
  /** changes its size, keeping what it holds */
  resize(bytes: number): Promise<void>;
  unmount(): Promise<void>;
}

/** Mounts a tmpfs of `bytes`; `owner` (numeric ids) makes it another user's, such as the user a
 * local PostgreSQL server runs as. */
export async function mountTmpfs(
  bytes: number,
  options: { owner?: { uid: number; gid: number } } = {},
): Promise<Tmpfs> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sluice-full-disk-'));
  const owner = options.owner;
  const mountOptions = [
    `size=${bytes}`,
    ...(owner ? [`uid=${owner.uid}`, `gid=${owner.gid}`, 'mode=0700'] : []),
  ];
  try {
    await run('mount', ['-t', 'tmpfs', '-o', mountOptions.join(','), 'tmpfs', dir]);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(
      `cannot mount a tmpfs for this full-disk test (it needs root: mount -t tmpfs -o size=… tmpfs DIR): ${(error as Error).message}`,
    );
  }
  const filler = path.join(dir, 'filler');
  const free = () => {
    const stats = statfsSync(dir);
    return stats.bavail * stats.bsize;
  };
  return {
    dir,
    free,
    async fill(leaveBytes) {
      await run('fallocate', ['-l', String(Math.max(4096, free() - leaveBytes)), filler]);
    },
    unfill: () => rm(filler, { force: true }),
    async resize(size) {
      await run('mount', ['-o', `remount,size=${size}`, dir]);
    },
    async unmount() {
      await run('umount', ['-l', dir]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
