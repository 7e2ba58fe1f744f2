import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { REPO_ROOT, ensureCliBuilt } from '../../support/cli.js';
import { until } from '../../support/until.js';

// The watcher that kills a launcher's connector groups when the launcher dies (src/tasks/sync/
// reaper.ts), in a real launcher process: a Node process that starts two detached "connectors"
// (sleep), has its watcher killed in between (so a new one must be started and told the first group
// too), then dies of SIGKILL.

const REAPER = path.join(REPO_ROOT, 'dist', 'tasks', 'sync', 'reaper.js');
const started: number[] = [];

/** Running: exists and is not a zombie waiting for init. */
const alive = (pid: number): boolean => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return false;
  }
};

/** The watchers (sh processes) that a process started. */
const watchersOf = (parent: number): number[] =>
  readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => {
      try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        return ppid === parent && cmdline.includes('groups=');
      } catch {
        return false;
      }
    });

const LAUNCHER = `
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
const { connectorReaper } = await import(process.argv[1]);
const connector = () => {
  const child = spawn('sleep', ['600'], { detached: true, stdio: 'ignore' });
  connectorReaper.watch(child.pid);
  child.unref();
  console.log(child.pid);
};
connector();
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'another') connector();
}
`;

describe('the connector watcher', () => {
  beforeAll(() => ensureCliBuilt(), 120_000);
  afterAll(() => {
    for (const pid of started) if (alive(pid)) process.kill(pid, 'SIGKILL');
  });

  test('started again after it was killed, still kills every group when its launcher dies', async () => {
    const launcher = spawn(process.execPath, ['--input-type=module', '-e', LAUNCHER, REAPER], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let out = '';
    launcher.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const pids = () => out.split('\n').filter(Boolean).map(Number);
    await until('the first connector', () => pids().length === 1);
    const [first] = await until('its watcher', () => {
      const found = watchersOf(launcher.pid!);
      return found.length === 1 ? found : undefined;
    });
    process.kill(first, 'SIGKILL');
    await until('the watcher to be gone', () => !alive(first));
    // a new watcher that already knows the first connector's group
    await until('a new watcher', () => watchersOf(launcher.pid!).some((pid) => pid !== first && alive(pid)));
    launcher.stdin.write('another\n');
    await until('the second connector', () => pids().length === 2);
    started.push(...pids());
    expect(pids().every(alive)).toBe(true);
    launcher.kill('SIGKILL');
    await until('both connectors to end', () => pids().every((pid) => !alive(pid)), 5_000);
  });
});
