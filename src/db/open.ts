import { createHash } from 'node:crypto';
import { cpSync, existsSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import type { Database } from './database.js';
import { isDiskFull } from '../engine/failure-kind.js';
import { lowSpace } from './disk-space.js';
import { loadMigrations, migrate } from './migrate.js';
import { createPGliteDatabase } from './pglite.js';

export interface DatabaseConfig {
  /** postgres://… selects PostgreSQL; absent selects embedded PGlite */
  url?: string;
  /** where an embedded database keeps its files; absent = in memory */
  dataDir?: string;
  maxConnections?: number;
  /** apply pending migrations on open (default true; `sluice db migrate` reports them itself) */
  migrate?: boolean;
  /** an embedded database in dataDir is not opened, and takes no writes, with less free space */
  minFreeBytes?: number;
}

/** Opens the configured database and applies pending migrations (the bootloader's job). */
export async function openDatabase(config: DatabaseConfig): Promise<Database> {
  if (config.url) {
    // pg is loaded only when PostgreSQL is used: an embedded start does not pay for it
    const { createPostgresDatabase } = await import('./postgres.js');
    const db = createPostgresDatabase({
      connectionString: config.url,
      maxConnections: config.maxConnections,
    });
    if (config.migrate !== false) await migrate(db);
    return db;
  }
  if (!config.dataDir) return openEphemeralDatabase();
  const { dataDir, minFreeBytes } = config;
  const low = () => (minFreeBytes ? lowSpace(dataDir, minFreeBytes) : undefined);
  const tooLow = low();
  if (tooLow) throw new Error(tooLow);
  await mkdir(path.dirname(dataDir), { recursive: true });
  const release = await lockDataDir(dataDir);
  let db: Database;
  try {
    // A new embedded database starts as a copy of the migrated template: initdb runs once per
    // machine, not once per data directory.
    if (!existsSync(path.join(dataDir, 'PG_VERSION')))
      cpSync(await templateDir(), dataDir, { recursive: true });
    db = await createPGliteDatabase({ dataDir, minFreeBytes });
  } catch (error) {
    await release();
    // PGlite says only that it "failed to initialize properly" when recovery found no room
    const now =
      low() ?? (isDiskFull(error) ? `no space left for the embedded database in ${dataDir}` : undefined);
    if (now) throw new Error(`${now} (${(error as Error).message})`, { cause: error });
    throw error;
  }
  if (config.migrate !== false) await migrate(db);
  return {
    ...db,
    async close() {
      await db.close();
      await release();
    },
  };
}

/** PGlite is one process's database: a second process opening the same files would corrupt them.
 * A lock file with the owner's pid refuses that, and is taken over when its owner is gone. */
async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const file = `${dataDir}.lock`;
  for (;;) {
    try {
      await writeFile(file, String(process.pid), { flag: 'wx' });
      const release = () => rm(file, { force: true });
      process.once('exit', () => rmSync(file, { force: true }));
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number.parseInt(await readFile(file, 'utf8').catch(() => ''), 10);
    if (Number.isInteger(owner) && owner !== process.pid && isAlive(owner)) {
      throw new Error(
        `the embedded database in ${dataDir} is in use by process ${owner} (a running 'sluice server local'?): stop it, or go through its HTTP API`,
      );
    }
    await rm(file, { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function cacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache');
  return path.join(base, 'sluice');
}

/** Memory-backed when the machine has one: a clone there costs a fraction of one on disk. */
function scratchDir(): string {
  return existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
}

/** A migrated PGlite data directory kept in the user's cache, made once (initdb costs ~4 s). The
 * key covers the PGlite version and every migration, so a schema change makes a new template. */
async function templateDir(): Promise<string> {
  const migrations = await loadMigrations();
  const { PGlite } = await import('@electric-sql/pglite');
  const hash = createHash('sha256');
  hash.update(`pglite:${(PGlite as unknown as { version?: string }).version ?? ''}\n`);
  for (const m of migrations) hash.update(`${m.id}:${m.sql}\n`);
  const dir = path.join(cacheDir(), `pglite-template-${hash.digest('hex').slice(0, 16)}`);
  if (existsSync(path.join(dir, 'PG_VERSION'))) return dir;
  await mkdir(cacheDir(), { recursive: true });
  const building = `${dir}.${process.pid}.tmp`;
  const db = await createPGliteDatabase({ dataDir: building });
  await migrate(db, migrations);
  await db.close();
  try {
    await rename(building, dir);
  } catch {
    // another process finished the same template first; theirs is as good as ours
    await rm(building, { recursive: true, force: true });
  }
  return dir;
}

export interface EphemeralDatabase extends Database {
  /** Removes the files without an orderly shutdown: for a process that is about to exit. */
  discard(): Promise<void>;
}

/** A throw-away database with the schema in place, for `flow run` and tests: a copy of the cached
 * template in scratch space (~0.1 s) opened file-backed (~0.5 s), removed again on close. */
export async function openEphemeralDatabase(): Promise<EphemeralDatabase> {
  const template = await templateDir();
  const dir = await mkdtemp(path.join(scratchDir(), 'sluice-db-'));
  // cpSync, not fs/promises cp: a thousand small files copy ten times faster without a round trip
  // through the thread pool for each one
  cpSync(template, dir, { recursive: true });
  const db = await createPGliteDatabase({ dataDir: dir });
  // scratch space may be memory: never leave a copy behind, even when the process ends abruptly
  const onExit = () => rmSync(dir, { recursive: true, force: true });
  process.once('exit', onExit);
  return {
    ...db,
    async close() {
      await db.close();
      process.off('exit', onExit);
      await rm(dir, { recursive: true, force: true });
    },
    discard: async () => {
      process.off('exit', onExit);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
