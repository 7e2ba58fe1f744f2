import { type ChildProcess, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { createLineSplitter, type LinePiece } from './lines.js';

export const DEFAULT_KILL_GRACE_MS = 5000;

/** How long stdout/stderr may stay open after the process group is gone: a process that escaped the
 * group (setsid, a daemon) can hold the pipes forever, and the task must still end. */
const PIPE_DRAIN_MS = 2000;

/** How a running process is watched: its output, and when and how it is ended. */
export interface ProcessWatch {
  signal: AbortSignal;
  /** time between SIGTERM and SIGKILL once the signal aborts */
  killGraceMs: number;
  /** each line of output; a line over the splitter's limit comes in pieces (see LinePiece) */
  onStdoutLine(line: string, piece?: LinePiece): void;
  onStderrLine(line: string, piece?: LinePiece): void;
}

export interface ProcessSpec extends ProcessWatch {
  /** program and arguments; no shell is involved unless the program is one */
  argv: readonly string[];
  cwd: string;
  /** the complete environment of the process: nothing is inherited */
  env: Record<string, string>;
}

/** A child started in its own process group (`detached`), its stdout and stderr piped. */
export type GroupLeader = ChildProcess & { readonly stdout: Readable; readonly stderr: Readable };

export interface ProcessResult {
  exitCode: number | null;
  /** the signal that ended the main process, if one did */
  exitSignal: NodeJS.Signals | null;
  /** true when the process was ended because spec.signal aborted */
  aborted: boolean;
}

/** Runs a process in its own process group and resolves once it has exited and its output has been
 * read to the end. Whatever else is left in the group when the main process exits is killed, so a
 * task never leaves background processes behind. On abort the group gets SIGTERM, then SIGKILL after
 * the grace period. */
export function runProcess(spec: ProcessSpec): Promise<ProcessResult> {
  if (spec.signal.aborted) return Promise.resolve(ABORTED_BEFORE_START);
  const [command, ...args] = spec.argv;
  const child = spawn(command, args, {
    cwd: spec.cwd,
    env: spec.env,
    // Its own process group, so that one kill(-pgid) reaches every process the script started.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return watchProcess(child, spec);
}

export const ABORTED_BEFORE_START: ProcessResult = { exitCode: null, exitSignal: null, aborted: true };

/** runProcess for a child that is already started, and has not exited yet. */
export function watchProcess(child: GroupLeader, spec: ProcessWatch): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const stdout = createLineSplitter(spec.onStdoutLine);
    const stderr = createLineSplitter(spec.onStderrLine);
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));

    let aborted = false;
    let exited = false;
    let groupKilled = false;
    let exit: Pick<ProcessResult, 'exitCode' | 'exitSignal'> = { exitCode: null, exitSignal: null };
    let killTimer: NodeJS.Timeout | undefined;
    let drainTimer: NodeJS.Timeout | undefined;

    const signalGroup = (signal: NodeJS.Signals): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, signal);
      } catch {
        // ESRCH (the group is already empty) or EPERM (its id now belongs to a stranger): either way
        // nothing of ours is left to signal.
      }
    };
    const drainSoon = (): void => {
      drainTimer ??= setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
      }, PIPE_DRAIN_MS);
    };
    const killGroup = (): void => {
      groupKilled = true;
      signalGroup('SIGKILL');
      if (exited) drainSoon();
    };
    const onAbort = (): void => {
      aborted = true;
      signalGroup('SIGTERM');
      killTimer = setTimeout(killGroup, spec.killGraceMs);
    };
    spec.signal.addEventListener('abort', onAbort, { once: true });

    child.once('error', (error) => {
      spec.signal.removeEventListener('abort', onAbort);
      clearTimeout(killTimer);
      clearTimeout(drainTimer);
      reject(new Error(`cannot start ${child.spawnfile}: ${error.message}`));
    });
    child.once('exit', (exitCode, exitSignal) => {
      exited = true;
      exit = { exitCode, exitSignal };
      // After an abort the grace period still runs for the rest of the group; otherwise nobody is
      // owed any: what is left was started in the background and forgotten.
      if (!aborted) killGroup();
      else if (groupKilled) drainSoon();
    });
    child.once('close', () => {
      spec.signal.removeEventListener('abort', onAbort);
      clearTimeout(drainTimer);
      // A pending SIGKILL stays armed: a process that closed its output may still be in its grace
      // period, and must not outlive it. It no longer holds the task up.
      killTimer?.unref();
      stdout.end();
      stderr.end();
      resolve({ ...exit, aborted });
    });
  });
}
