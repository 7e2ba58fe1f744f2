// Runs the real `sluice` command (bin/sluice.js → dist/cli/main.js) as a child process, and makes sure
// dist/ is built from the current src/ before the first run.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = path.join(REPO_ROOT, 'bin', 'sluice.js');
const MAIN_JS = path.join(REPO_ROOT, 'dist', 'cli', 'main.js');
const CACHE = path.join(REPO_ROOT, 'node_modules', '.cache', 'sluice-cli-build');
const BUILD_INFO = path.join(CACHE, 'tsconfig.build.tsbuildinfo');
/** Its mtime is when the last build that the tests ran started. */
const STAMP = path.join(CACHE, 'built-at');
const LOCK = path.join(CACHE, 'lock');

export interface CliResult {
  /** the exit code; null when the process died of a signal */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** added to (or, with undefined, removed from) the environment; SLUICE_DATABASE_URL is never inherited */
  env?: Record<string, string | undefined>;
  /** SLUICE_DATA_DIR; a fresh temp directory, removed afterwards, when absent */
  dataDir?: string;
  /** the run is killed (SIGKILL) and the promise rejected after this long; default 30 s */
  timeoutMs?: number;
  /** written to its standard input, which is then closed (at once when absent) */
  input?: string;
}

function childEnv(dataDir: string, extra: CliOptions['env'] = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, SLUICE_DATA_DIR: dataDir };
  // a developer's own database must never be the one a test talks to
  delete env.SLUICE_DATABASE_URL;
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

/** A `sluice` process that keeps running (a server): read its output as it comes, stop it yourself. */
export interface CliProcess {
  child: ChildProcess;
  readonly stdout: string;
  readonly stderr: string;
  /** resolves when the process has exited (never rejects) */
  exited: Promise<CliResult>;
  /** sends the signal and waits for the exit; SIGKILL after timeoutMs */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<CliResult>;
}

export interface StartedCli extends CliProcess {
  /** its SLUICE_DATA_DIR */
  dataDir: string;
  /** removes the data directory when the helper made it; call it after the process has ended */
  cleanup(): Promise<void>;
}

/** Starts `node bin/sluice.js ...args` in the repository root. */
export async function startCli(args: string[], options: CliOptions = {}): Promise<StartedCli> {
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(tmpdir(), 'sluice-cli-test-')));
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: REPO_ROOT,
    env: childEnv(dataDir, options.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.end(options.input);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<CliResult>((resolve) => {
    child.on('error', (error) => {
      stderr += `\n[spawn error] ${error.message}`;
      resolve({ code: null, signal: null, stdout, stderr });
    });
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return {
    child,
    dataDir,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15_000) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
    async cleanup() {
      if (ownDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Runs `sluice ...args` to its end. Rejects (after killing it) when it outlives the timeout, with what
 * it printed so far, so a hung command fails as a timeout rather than as a wrong exit code. */
export async function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const proc = await startCli(args, options);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      proc.child.kill('SIGKILL');
      reject(
        new Error(
          `sluice ${args.join(' ')} did not finish within ${timeoutMs} ms\n` +
            `stdout: ${proc.stdout}\nstderr: ${proc.stderr}`,
        ),
      );
    }, timeoutMs);
  });
  try {
    return await Promise.race([proc.exited, timedOut]);
  } finally {
    clearTimeout(timer);
    await proc.exited;
    await proc.cleanup();
  }
}

/** Polls /health until it answers `status` (200 by default); fails early, with the server's output,
 * if the process dies. Returns the answer's body. */
export async function waitForHealth(
  server: CliProcess,
  port: number,
  timeoutMs = 45_000,
  status = 200,
): Promise<{ status: string; message?: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (server.child.exitCode !== null || server.child.signalCode !== null) {
      throw new Error(
        `the server exited before /health answered ${status}:\n${server.stdout}\n${server.stderr}`,
      );
    }
    try {
      const response = await fetch(`http://127.0.0.1:${port}/health`);
      if (response.status === status) return (await response.json()) as { status: string; message?: string };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      throw new Error(
        `/health did not answer ${status} within ${timeoutMs} ms:\n${server.stdout}\n${server.stderr}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

/** A TCP port nobody listens on right now, on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

// ------------------------------------------------------------------------------------------ build

/** The newest modification time of any file under dir (0 when there is none). */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const mtime = statSync(path.join(entry.parentPath, entry.name)).mtimeMs;
    if (mtime > newest) newest = mtime;
  }
  return newest;
}

function mtimeOf(file: string): number {
  return existsSync(file) ? statSync(file).mtimeMs : 0;
}

/** dist/ is stale when the entry point is missing or something under src/ (or a tsconfig) changed
 * since the last build: the one these helpers ran (STAMP) or, without it, whoever wrote main.js. */
function distIsStale(): boolean {
  const builtAt = mtimeOf(MAIN_JS);
  if (builtAt === 0) return true;
  const reference = mtimeOf(STAMP) || builtAt;
  const sources = Math.max(
    newestMtime(path.join(REPO_ROOT, 'src')),
    mtimeOf(path.join(REPO_ROOT, 'tsconfig.json')),
    mtimeOf(path.join(REPO_ROOT, 'tsconfig.build.json')),
  );
  return sources > reference;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A lock shared by every test process (mkdir is atomic): two test files that start together build
 * once, and never write dist/ at the same time. A lock left by a crashed process expires. */
async function withBuildLock<T>(fn: () => Promise<T>): Promise<T> {
  mkdirSync(CACHE, { recursive: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (Date.now() - mtimeOf(LOCK) > 90_000) rmSync(LOCK, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`timed out waiting for the build lock ${LOCK}`);
      await sleep(100);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

function tsc(args: string[]): Promise<{ code: number; output: string }> {
  const bin = path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { cwd: REPO_ROOT, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, output: `${stdout}${stderr}` });
      },
    );
  });
}

let building: Promise<void> | undefined;

/**
 * Builds dist/ when it is missing or older than src/, at most once per test process and, through a
 * lock, once across the processes that start together. It is the project's own build
 * (`tsc -p tsconfig.build.json`, the TypeScript in node_modules run directly rather than through npx)
 * made incremental, with its build info kept under node_modules/.cache: a first build takes ~15 s, a
 * rebuild after an edit ~4 s, and an up-to-date tree costs one walk of src/.
 *
 * tsc emits even when the tree has type errors (noEmitOnError is off); those are printed as a warning
 * rather than failing the CLI tests, which test behaviour: type errors are the type-check's business.
 */
export function ensureCliBuilt(): Promise<void> {
  building ??= withBuildLock(async () => {
    if (!distIsStale()) return;
    const startedAt = new Date();
    // a build info that outlived its dist/ would make tsc believe there is nothing to emit
    if (!existsSync(MAIN_JS)) rmSync(BUILD_INFO, { force: true });
    const { code, output } = await tsc([
      '-p',
      'tsconfig.build.json',
      '--incremental',
      '--tsBuildInfoFile',
      BUILD_INFO,
    ]);
    if (!existsSync(MAIN_JS)) throw new Error(`tsc -p tsconfig.build.json did not produce dist/:\n${output}`);
    if (code !== 0)
      console.warn(`tsc -p tsconfig.build.json reported errors (dist/ emitted anyway):\n${output}`);
    writeFileSync(STAMP, '');
    utimesSync(STAMP, startedAt, startedAt);
  });
  return building;
}

/** The non-empty lines of a stream's text. */
export function lines(text: string): string[] {
  return text.split('\n').filter((line) => line !== '');
}
