import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { beforeAll, expect, test } from 'vitest';
import { ensureCliBuilt, REPO_ROOT } from '../../support/cli.js';

// A process whose event loop is stuck for good (the embedded database looping in WebAssembly on a
// full disk) cannot answer SIGTERM: the watchdog thread ends it and says why.

beforeAll(() => ensureCliBuilt());

test('the watchdog ends a process whose event loop is stuck, saying why on stderr', async () => {
  const watchdog = path.join(REPO_ROOT, 'dist', 'cli', 'watchdog.js');
  const child = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const { startWatchdog } = await import(${JSON.stringify(watchdog)});
       startWatchdog(1500, ${JSON.stringify(REPO_ROOT)});
       process.on('SIGTERM', () => {});
       setTimeout(() => { for (;;); }, 100);`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const started = Date.now();
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  expect(signal).toBe('SIGKILL');
  expect(code).toBeNull();
  expect(Date.now() - started).toBeLessThan(10_000);
  expect(stderr).toMatch(/sluice: the process has not answered for \d+ s \(.*MiB free in .*\): exiting/);
});
