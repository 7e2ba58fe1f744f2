// Starts a connector process for one Airbyte command. Its config holds secrets in clear, so it never
// outlives the connector: our own connectors read it from an inherited descriptor (`--config
// /dev/fd/3`, nothing on disk); any other connector takes a file path, as Airbyte's do, so its config,
// catalog and state go to files (0600) in a private directory (0700) of the system temp dir, removed
// when the process has ended whatever the ending, and swept at the next start of any worker on this
// machine if the process that made it died first (the directory's name holds its pid). Its stdout is
// decoded into messages, and its exit becomes a typed failure.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Writable } from 'node:stream';
import {
  type DecodedMessage,
  decodeMessages,
  splitLines,
  TruncatedMessageError,
} from '../../protocol/codec.js';
import type { AirbyteErrorTraceMessage, FailureType } from '../../protocol/messages.js';
import { connectorReaper } from './reaper.js';

export type ConnectorVerb = 'spec' | 'check' | 'discover' | 'read' | 'write' | 'committed-state';

export interface ConnectorLaunch {
  /** the connector's argv; the verb and its file arguments are appended */
  command: readonly string[];
  verb: ConnectorVerb;
  config?: unknown;
  catalog?: unknown;
  /** the next read's input, as protocol/state.ts computes it; undefined = no --state */
  state?: unknown;
  /** the connector's whole environment; default: only the variables in INHERITED_ENV */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  signal?: AbortSignal;
  /** how long SIGTERM has before SIGKILL; default 10 s */
  killGraceMs?: number;
  maxLineBytes?: number;
  /** each stderr line, as it comes */
  onStderr?: (line: string) => void;
  /** the connector reads `--config /dev/fd/3` from the descriptor itself (the cdk's do; a path to
   * it cannot be opened, being a socket): its config is written to no file */
  configFd?: boolean;
}

export interface ConnectorFailure {
  failureType: FailureType;
  message: string;
  /** null when the process ended by a signal */
  exitCode: number | null;
  /** the connector's TRACE error, when it sent one */
  trace?: AirbyteErrorTraceMessage;
}

export interface ConnectorExit {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  cancelled: boolean;
  /** undefined when the command succeeded */
  failure?: ConnectorFailure;
}

export interface LaunchedConnector {
  /** stdout, decoded; read it to the end, or the connector blocks once the pipe is full */
  messages: AsyncIterable<DecodedMessage>;
  /** the connector's stdin for `write`; undefined for the other verbs */
  stdin?: Writable;
  /** resolves (never rejects) once the process has ended, stdout was read and the files are gone */
  exit: Promise<ConnectorExit>;
}

const STDERR_TAIL_LINES = 20;
const DEFAULT_KILL_GRACE_MS = 10_000;

/** A connector is someone else's code: it gets what a program needs to run, never the platform's own
 * settings (SLUICE_DATABASE_URL, cloud credentials, secrets). */
export const INHERITED_ENV = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'SYSTEMROOT'] as const;

function connectorEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of INHERITED_ENV) if (process.env[name] !== undefined) env[name] = process.env[name];
  return env;
}

const DIR_PREFIX = 'sluice-connector-';
/** the descriptor a connector given configFd reads its config from */
const CONFIG_FD = 3;

export async function launchConnector(launch: ConnectorLaunch): Promise<LaunchedConnector> {
  const dir = await mkdtemp(path.join(tmpdir(), `${DIR_PREFIX}${process.pid}-`));
  let child: ChildProcess;
  const viaFd = launch.configFd === true && launch.config !== undefined;
  try {
    const files = await writeInputs(dir, viaFd ? { ...launch, config: undefined } : launch);
    const config = viaFd ? ['--config', `/dev/fd/${CONFIG_FD}`] : [];
    child = spawn(launch.command[0], [...launch.command.slice(1), launch.verb, ...config, ...files], {
      cwd: launch.cwd,
      env: launch.env ?? connectorEnv(),
      stdio: [
        launch.verb === 'write' ? 'pipe' : 'ignore',
        'pipe',
        'pipe',
        ...(viaFd ? ['pipe' as const] : []),
      ],
      // its own process group, so cancellation reaches whatever the connector started
      detached: true,
    });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const channel = viaFd ? (child.stdio[CONFIG_FD] as Writable | null) : null;
  if (channel) {
    // a connector that exits without reading it resets the channel: that is its own failure to report
    channel.on('error', () => undefined);
    channel.end(JSON.stringify(launch.config));
  }
  // no pid: the spawn failed, and its 'error' event says so in supervise
  if (child.pid !== undefined) connectorReaper.watch(child.pid);
  return supervise(child, dir, launch);
}

/** Runs a command whose output is small (spec, check, discover) and collects every message. */
export async function runConnector(
  launch: ConnectorLaunch,
): Promise<{ messages: DecodedMessage[]; exit: ConnectorExit }> {
  const launched = await launchConnector(launch);
  const messages: DecodedMessage[] = [];
  for await (const message of launched.messages) messages.push(message);
  return { messages, exit: await launched.exit };
}

async function writeInputs(dir: string, launch: ConnectorLaunch): Promise<string[]> {
  const args: string[] = [];
  for (const name of ['config', 'catalog', 'state'] as const) {
    if (launch[name] === undefined) continue;
    const file = path.join(dir, `${name}.json`);
    await writeFile(file, JSON.stringify(launch[name]), { mode: 0o600, flag: 'wx' });
    args.push(`--${name}`, file);
  }
  return args;
}

function supervise(child: ChildProcess, dir: string, launch: ConnectorLaunch): LaunchedConnector {
  const stderrTail: string[] = [];
  let lastError: AirbyteErrorTraceMessage | undefined;
  let streamError: Error | undefined;
  let cancelled = false;
  let killTimer: NodeJS.Timeout | undefined;

  const killGroup = (signal: NodeJS.Signals): void => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // the group is already gone
    }
  };
  const terminate = (): void => {
    if (killTimer) return;
    killGroup('SIGTERM');
    killTimer = setTimeout(() => killGroup('SIGKILL'), launch.killGraceMs ?? DEFAULT_KILL_GRACE_MS);
  };
  const onAbort = (): void => {
    cancelled = true;
    terminate();
  };
  if (launch.signal?.aborted) onAbort();
  else launch.signal?.addEventListener('abort', onAbort, { once: true });

  const stderrDone = (async () => {
    for await (const raw of splitLines(child.stderr!, { maxLineBytes: launch.maxLineBytes })) {
      const line = raw.toString('utf8');
      stderrTail.push(line);
      if (stderrTail.length > STDERR_TAIL_LINES) stderrTail.shift();
      launch.onStderr?.(line);
    }
  })().catch((error: unknown) => {
    // a line too long to hold is a broken connector, on either stream
    streamError ??= error as Error;
    terminate();
  });

  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('error', (error) => {
      streamError ??= error;
      resolve({ code: null, signal: null });
    });
    child.on('close', (code, signal) => resolve({ code, signal }));
  });

  // 'close' rather than the end of the consumer's loop: a consumer that never reads must not keep
  // `exit` waiting once the process is gone
  const stdoutDone = new Promise<void>((resolve) => child.stdout!.once('close', resolve));

  async function* messages(): AsyncGenerator<DecodedMessage> {
    try {
      // a source's records go on to the destination as the bytes they came as: their data is never
      // parsed here (a renamed stream's record is rebuilt around the same text)
      const options = { maxLineBytes: launch.maxLineBytes, lazyData: launch.verb === 'read' };
      for await (const decoded of decodeMessages(child.stdout!, options)) {
        const { message } = decoded;
        if (message.type === 'TRACE' && message.trace.type === 'ERROR' && message.trace.error) {
          lastError = message.trace.error;
        }
        yield decoded;
      }
    } catch (error) {
      streamError = error as Error;
      terminate();
    } finally {
      // a consumer that stops early leaves a connector nobody listens to: stop it
      if (child.exitCode === null && child.signalCode === null) terminate();
      child.stdout!.destroy();
    }
  }

  const exit = (async (): Promise<ConnectorExit> => {
    try {
      const { code, signal } = await closed;
      await Promise.all([stdoutDone, stderrDone]);
      return {
        exitCode: code,
        signal,
        cancelled,
        failure: cancelled ? undefined : failureOf(code, signal, lastError, streamError, stderrTail),
      };
    } finally {
      clearTimeout(killTimer);
      // what the connector started may outlive it: once stopping began, none of it stays
      if (killTimer) killGroup('SIGKILL');
      launch.signal?.removeEventListener('abort', onAbort);
      if (child.pid !== undefined) connectorReaper.release(child.pid);
      await rm(dir, { recursive: true, force: true });
    }
  })();

  return {
    messages: messages(),
    stdin: child.stdin ?? undefined,
    exit,
  };
}

/**
 * Removes the connector directories left in the temp dir by processes that died before they could
 * (a worker killed with SIGKILL): the configuration files in them hold secrets in clear. Only those of
 * processes no longer running: another worker on this machine may be using its own. Called when a
 * worker starts.
 */
export async function sweepConnectorFiles(dir = tmpdir()): Promise<string[]> {
  const swept: string[] = [];
  for (const name of await readdir(dir).catch(() => [])) {
    const pid = new RegExp(`^${DIR_PREFIX}(\\d+)-`).exec(name)?.[1];
    if (pid === undefined || Number(pid) === process.pid || running(Number(pid))) continue;
    await rm(path.join(dir, name), { recursive: true, force: true });
    swept.push(name);
  }
  return swept;
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** How a connector's command ended, as a failure (undefined when it succeeded). */
export function failureOf(
  code: number | null,
  signal: NodeJS.Signals | null,
  trace: AirbyteErrorTraceMessage | undefined,
  streamError: Error | undefined,
  stderrTail: readonly string[],
): ConnectorFailure | undefined {
  // a process that failed on its own also leaves its last line cut: its own failure says more
  const cutByFailure = streamError instanceof TruncatedMessageError && (trace !== undefined || code !== 0);
  if (streamError && !cutByFailure) {
    return { failureType: 'system_error', message: streamError.message, exitCode: code };
  }
  // a TRACE error fails the command even when the process exits 0, as it does on Airbyte's platform
  if (trace) {
    return {
      failureType: trace.failure_type ?? 'system_error',
      message: trace.message,
      exitCode: code,
      trace,
    };
  }
  if (code === 0) return undefined;
  const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
  const tail = stderrTail.length > 0 ? `; last stderr lines:\n${stderrTail.join('\n')}` : '';
  return { failureType: 'system_error', message: `the connector ${how}${tail}`, exitCode: code };
}
