// Sluice as a cluster of real processes — `sluice server executor|worker|scheduler`, each its own OS
// process against one PostgreSQL — and a private PostgreSQL server a test may stop and start without
// disturbing the shared one.
import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Database } from '../../src/db/database.js';
import { ensureCliBuilt, freePort, type StartedCli, startCli } from './cli.js';
import { until } from './until.js';

export type Role = 'executor' | 'worker' | 'scheduler';

export interface Component {
  role: Role;
  /** `<role>-<n>`; also the application_name of its database sessions (see pg_stat_activity) */
  name: string;
  process: StartedCli;
}

export interface ClusterOptions {
  /** what every component gets as SLUICE_DATABASE_URL */
  databaseUrl: string;
  executors?: number;
  workers?: number;
  schedulers?: number;
  /** the sluice.yaml every component is started with (`--config`) */
  config?: string;
}

export interface Cluster {
  /** the SLUICE_DATA_DIR the components share, as they would share internal storage */
  dataDir: string;
  components: Component[];
  of(role: Role): Component[];
  /** SIGKILL: the component dies at once, in the middle of whatever it was doing */
  kill(component: Component): Promise<void>;
  /** Components that exited without being killed or stopped here (a fenced worker exits, for
   * example), with the end of what they printed: a test expecting none compares this to []. */
  unexpectedExits(): string[];
  /** Stops every component still running (SIGTERM, SIGKILL when it lingers) and removes the data
   * directory. Safe to call after a failed start, and more than once. */
  stop(): Promise<void>;
}

/** The key every component shares: secrets one encrypts, another decrypts. */
const ENCRYPTION_KEY = 'sluice-tests';

/**
 * Starts the components, each a `sluice server <role>` process, and resolves once every one has
 * registered in `service_instances` (read through `db`, a connection to the same database). Whatever
 * was started is stopped again when that fails.
 */
export async function startCluster(db: Database, options: ClusterOptions): Promise<Cluster> {
  await ensureCliBuilt();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'sluice-cluster-'));
  const args: string[] = [];
  if (options.config !== undefined) {
    await writeFile(path.join(dataDir, 'sluice.yaml'), options.config);
    args.push('--config', path.join(dataDir, 'sluice.yaml'));
  }
  const components: Component[] = [];
  const ended = new Set<Component>();
  const cluster: Cluster = {
    dataDir,
    components,
    of: (role) => components.filter((c) => c.role === role),
    async kill(component) {
      ended.add(component);
      await component.process.stop('SIGKILL');
    },
    unexpectedExits() {
      return components
        .filter((c) => !ended.has(c) && c.process.child.exitCode !== null)
        .map(
          (c) =>
            `${c.name} exited ${c.process.child.exitCode}:\n${c.process.stdout.slice(-3000)}\n${c.process.stderr.slice(-3000)}`,
        );
    },
    async stop() {
      for (const c of components) ended.add(c);
      // SIGTERM lets a worker stop its task runs' processes; SIGKILL is for one that does not end
      await Promise.all(components.map((c) => c.process.stop('SIGTERM', 10_000)));
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  const wanted: Array<[Role, number]> = [
    ['executor', options.executors ?? 0],
    ['worker', options.workers ?? 0],
    ['scheduler', options.schedulers ?? 0],
  ];
  try {
    for (const [role, count] of wanted) {
      for (let i = 0; i < count; i++) {
        const name = `${role}-${i}`;
        const url = new URL(options.databaseUrl);
        url.searchParams.set('application_name', name);
        const proc = await startCli(['server', role, ...args], {
          dataDir,
          env: { SLUICE_DATABASE_URL: url.toString(), SLUICE_ENCRYPTION_KEY: ENCRYPTION_KEY },
        });
        components.push({ role, name, process: proc });
      }
    }
    const total = components.length;
    await until(
      `${total} components to register`,
      async () => {
        const exits = cluster.unexpectedExits();
        if (exits.length > 0) throw new Error(`a component did not start:\n${exits.join('\n')}`);
        const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM service_instances');
        return rows[0].n >= total;
      },
      90_000,
    );
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
}

// ------------------------------------------------------------------------- private PostgreSQL

const POSTGRES_BIN = '/usr/lib/postgresql/15/bin';
/** initdb refuses to run as root: as root, the server runs as this user instead */
const POSTGRES_USER = 'postgres';

/** Why a private PostgreSQL server cannot be started here; undefined when it can. */
export function privatePostgresUnavailable(): string | undefined {
  for (const tool of ['initdb', 'pg_ctl']) {
    if (!existsSync(path.join(POSTGRES_BIN, tool)))
      return `${path.join(POSTGRES_BIN, tool)} is not installed`;
  }
  if (process.getuid?.() !== 0) return undefined;
  try {
    execFileSync('id', ['-u', POSTGRES_USER], { stdio: 'ignore' });
  } catch {
    return `running as root and there is no '${POSTGRES_USER}' user to run PostgreSQL as`;
  }
  return undefined;
}

export interface PrivatePostgres {
  /** the `postgres` database of this server, as superuser */
  url: string;
  /** Stops the server (fast shutdown: sessions are cut), waits downMs, and starts it again. */
  restart(downMs: number): Promise<void>;
  /** Stops the server for good and removes its files. */
  remove(): Promise<void>;
}

function run(argv: string[]): Promise<void> {
  const [command, ...args] =
    process.getuid?.() === 0 ? ['runuser', '-u', POSTGRES_USER, '--', ...argv] : argv;
  return new Promise((resolve, reject) => {
    // pg_ctl's server writes to its log file, so nothing holds these pipes open after pg_ctl exits
    execFile(command, args, { timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${argv.join(' ')} failed: ${error.message}\n${stdout}${stderr}`));
      else resolve();
    });
  });
}

/**
 * initdb into a fresh temporary directory and starts a server on a free port, its socket in that
 * directory; trust authentication on 127.0.0.1. Durability settings stay as a production server has
 * them: a restart must lose nothing that was committed.
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sluice-private-pg-'));
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', POSTGRES_USER], { encoding: 'utf8' }));
    const gid = Number(execFileSync('id', ['-g', POSTGRES_USER], { encoding: 'utf8' }));
    chownSync(dir, uid, gid);
  }
  const data = path.join(dir, 'data');
  const log = path.join(dir, 'server.log');
  const port = await freePort();
  const pgCtl = path.join(POSTGRES_BIN, 'pg_ctl');
  const serverOptions = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`;
  const start = () => run([pgCtl, '-D', data, '-l', log, '-o', serverOptions, '-w', '-t', '60', 'start']);
  const stop = (mode: 'fast' | 'immediate') => run([pgCtl, '-D', data, '-m', mode, '-w', '-t', '60', 'stop']);
  let started = false;
  try {
    await run([path.join(POSTGRES_BIN, 'initdb'), '-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync']);
    await start();
    started = true;
  } catch (error) {
    const serverLog = await readFile(log, 'utf8').catch(() => '');
    if (started) await stop('immediate').catch(() => {});
    await rm(dir, { recursive: true, force: true });
    throw new Error(`${(error as Error).message}\n${serverLog}`);
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async restart(downMs) {
      await stop('fast');
      await new Promise((resolve) => setTimeout(resolve, downMs));
      await start();
    },
    async remove() {
      await stop('immediate').catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
}
