import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import {
  ABORTED_BEFORE_START,
  type GroupLeader,
  type ProcessResult,
  type ProcessWatch,
  watchProcess,
} from './process.js';

// Starting Node costs 45–100 ms on a small VM, most of what a short Node Script task takes. So Node
// processes are kept started ahead, each blocked until it is told which script to run as its main
// module, in which directory and with which environment, and the next one starts while the script
// runs. Told, it runs the script through Module.runMain, the call `node script.js` itself ends with,
// so the script is its main module (require.main, import.meta, CommonJS or ES module detection,
// uncaught errors and their exit codes) as if Node had been started for it.
//
// What still tells the two apart: the stack of an uncaught CommonJS error ends in this process's
// main file instead of node:internal/main/run_main_module; /proc/self/cmdline names that file and
// /proc/self/environ holds the environment the process started with (PATH, HOME, LANG: process.env,
// child processes and getenv() see the task's); process.ppid is the worker, not a shell;
// process.uptime() and performance.timeOrigin count from the early start; process.env lists the
// same variables in another order.

/** The main file of a started-ahead process. CommonJS: a main that is an ES module would leave the
 * module loader with state of its own before the script's. fd 3 is a socket to the worker: one byte out once started (the worker
 * then removes this file), then the request in, to its end. No request (the worker exited, or let
 * this process go) ends it. The script sees fd 3 closed, as under a shell. */
const MAIN = `'use strict';
const { closeSync, readSync, writeSync } = require('node:fs');
writeSync(3, '.');
const chunks = [];
const buffer = Buffer.alloc(65536);
for (let n; (n = readSync(3, buffer)) > 0; ) chunks.push(Buffer.from(buffer.subarray(0, n)));
closeSync(3);
if (chunks.length === 0) process.exit(0);
const { cwd, env, script } = JSON.parse(Buffer.concat(chunks).toString());
process.chdir(cwd);
for (const name of Object.keys(process.env)) delete process.env[name];
Object.assign(process.env, env, { PWD: process.cwd() });
process.argv[1] = require('node:path').resolve(script);
delete require.cache[__filename];
require('node:module').runMain();
`;

/** A process started ahead that nobody asks for within this time is let go (each holds ≈ 40 MB). */
const IDLE_MS = 60_000;

/** Variables Node, V8, ICU or the C library read when the process starts (module search paths,
 * options, locale, time zone, allocator, TLS), so they cannot be changed afterwards: a script
 * whose environment differs from a started-ahead process's in any of them gets a process of its own. */
const READ_AT_START = /^(NODE_|UV_|LC_|OPENSSL_|SSL_|LD_|MALLOC_|GLIBC_)|^(LANG|LANGUAGE|TZ|HOME)$/;

/** Variables /bin/sh (dash) sets or resets itself, and names it drops: a script run by it never saw
 * those as the task gave them, so such a task keeps running under the shell. */
const SHELL_OWNED = new Set(['PWD', 'OLDPWD', 'OPTIND', 'IFS', 'PPID']);
const SHELL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface NodeScriptSpec extends ProcessWatch {
  /** the script's path, relative to cwd, as it would be given to `node` */
  script: string;
  cwd: string;
  /** the complete environment of the script; PWD is set to cwd, as the shell does */
  env: Record<string, string>;
}

/** Whether a script with this environment runs the same without the shell that otherwise starts it. */
export function runsWithoutShell(env: Record<string, string>): boolean {
  return Object.keys(env).every((name) => SHELL_NAME.test(name) && !SHELL_OWNED.has(name));
}

interface Started {
  child: GroupLeader & { readonly stdout: Socket; readonly stderr: Socket };
  channel: Socket;
  env: Record<string, string>;
}

/** Processes kept started ahead. Two: a Node start (≈ 60 ms of CPU here) often takes longer than a
 * short script, and two starts overlap on two cores, so back-to-back scripts still find one ready. */
const AHEAD = 2;

type Kept = Started & { idle: NodeJS.Timeout };

/** in the order they were started: the first is the likeliest to be ready */
const ahead = new Set<Kept>();

/** Runs `node <script>` as runProcess would run it through /bin/sh, in a process started ahead when
 * one fits. As under the shell, a script ended by a signal exits with 128 + its number. */
export async function runNodeScript(
  spec: NodeScriptSpec,
  aheadEnv: Record<string, string>,
): Promise<ProcessResult> {
  if (spec.signal.aborted) return ABORTED_BEFORE_START;
  const started = takeAhead(spec.env) ?? start(spec.env);
  started.child.ref();
  for (const stream of [started.child.stdout, started.child.stderr, started.channel]) stream.ref();
  const running = watchProcess(started.child, spec);
  started.channel.end(JSON.stringify({ cwd: spec.cwd, env: spec.env, script: spec.script }));
  // the next ones start once this one has its request, so starting them never delays this script
  try {
    while (ahead.size < AHEAD) ahead.add(keepAhead(aheadEnv));
  } catch {
    // this script runs on regardless; a later one starts its own process, and fails with the reason
  }
  const result = await running;
  if (result.aborted || result.exitSignal === null) return result;
  return { exitCode: 128 + constants.signals[result.exitSignal], exitSignal: null, aborted: false };
}

/** The oldest process started ahead that is alive and was started with what the script needs at
 * start. */
function takeAhead(env: Record<string, string>): Started | undefined {
  for (const kept of ahead) {
    if (!sameAtStart(kept.env, env)) continue;
    ahead.delete(kept);
    clearTimeout(kept.idle);
    const { child, channel } = kept;
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null && !channel.destroyed)
      return kept;
  }
  return undefined;
}

function keepAhead(env: Record<string, string>): Kept {
  const started = start(env);
  const kept = {
    ...started,
    idle: setTimeout(() => {
      ahead.delete(kept);
      started.channel.destroy();
    }, IDLE_MS).unref(),
  };
  started.child.once('exit', () => ahead.delete(kept));
  // a process waiting to be asked must never keep the worker's own process alive
  started.child.unref();
  for (const stream of [started.child.stdout, started.child.stderr, started.channel]) stream.unref();
  return kept;
}

function start(env: Record<string, string>): Started {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-node-'));
  const main = join(dir, 'main.cjs');
  writeFileSync(main, MAIN);
  const removeMain = (): void => rmSync(dir, { recursive: true, force: true });
  const child = spawn(process.execPath, [main], {
    cwd: '/',
    env,
    // its own process group, as a shell started for a script would lead: kills reach all it starts
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  }) as Started['child'];
  const channel = child.stdio[3] as Socket;
  // only the request is ever written; a process that died has nothing to say about it
  channel.on('error', () => {});
  channel.once('data', removeMain);
  child.once('exit', removeMain);
  child.on('error', removeMain);
  return { child, channel, env };
}

function sameAtStart(a: Record<string, string>, b: Record<string, string>): boolean {
  const names = new Set([...Object.keys(a), ...Object.keys(b)].filter((n) => READ_AT_START.test(n)));
  return [...names].every((name) => a[name] === b[name]);
}
