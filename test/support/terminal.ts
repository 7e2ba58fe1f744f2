// Runs `sluice` on a pseudo-terminal (util-linux `script`), so that it behaves as it does for a person
// at a terminal, and records when each piece of its output arrived.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './cli.js';

export interface TerminalRun {
  code: number | null;
  /** the output as the terminal got it, escape sequences included */
  output: string;
  /** each chunk of output with the milliseconds since the start at which it arrived */
  chunks: { at: number; text: string }[];
  /** milliseconds from the start to the exit */
  endedAt: number;
}

function quoted(arg: string): string {
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

export interface TerminalOptions {
  timeoutMs?: number;
  /** ends the run (SIGTERM to the command) once the output, escape sequences removed, matches */
  stopWhen?: RegExp;
  env?: Record<string, string>;
}

/** Runs `sluice ...args` on a terminal to its end, or until `stopWhen` matched. */
export async function runOnTerminal(args: string[], options: TerminalOptions = {}): Promise<TerminalRun> {
  const { timeoutMs = 60_000, stopWhen } = options;
  const dataDir = await mkdtemp(path.join(tmpdir(), 'sluice-tty-test-'));
  const command = [process.execPath, path.join(REPO_ROOT, 'bin', 'sluice.js'), ...args].map(quoted).join(' ');
  const env: NodeJS.ProcessEnv = { ...process.env, SLUICE_DATA_DIR: dataDir, TERM: 'xterm', ...options.env };
  delete env.SLUICE_DATABASE_URL;
  const started = Date.now();
  const child = spawn('script', ['-qfec', command, '/dev/null'], { cwd: REPO_ROOT, env });
  child.stdin.end();
  const chunks: TerminalRun['chunks'] = [];
  let stopping = false;
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    chunks.push({ at: Date.now() - started, text });
    if (stopWhen && !stopping && stopWhen.test(plain(chunks.map((c) => c.text).join('')))) {
      stopping = true;
      // `script` passes the signal on to the command it runs
      child.kill('SIGTERM');
    }
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    return { code, output: chunks.map((c) => c.text).join(''), chunks, endedAt: Date.now() - started };
  } finally {
    clearTimeout(timer);
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** The text without colours and cursor movements, and with terminal line ends. */
export function plain(text: string): string {
  return text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').replaceAll('\r\n', '\n');
}
