import { Worker } from 'node:worker_threads';

// A process whose event loop never turns again cannot answer SIGTERM, nor anything else: the
// embedded database can end up looping inside WebAssembly when its disk fills under it (see
// src/db/pglite.ts). Only another thread can see that, so a small one watches the main thread's
// heartbeat and, after `limitMs` of silence, says why on stderr and kills the process: a supervisor
// restarts it, which is better than a process that holds its port and its lock for ever.

/** The watcher's own code: CommonJS, evaluated in the worker thread. */
const WATCHER = `
const { workerData } = require('node:worker_threads');
const { statfsSync, writeSync } = require('node:fs');
const beat = new BigInt64Array(workerData.shared);
const sleep = new Int32Array(new SharedArrayBuffer(4));
for (;;) {
  Atomics.wait(sleep, 0, 0, 1000);
  const silent = Date.now() - Number(Atomics.load(beat, 0));
  if (silent < workerData.limitMs) continue;
  let space = '';
  try {
    const s = statfsSync(workerData.dataDir);
    space = ', ' + (s.bavail * s.bsize / 1048576).toFixed(1) + ' MiB free in ' + workerData.dataDir;
  } catch {}
  writeSync(2, 'sluice: the process has not answered for ' + Math.round(silent / 1000) +
    ' s (the embedded database may be stuck on a full disk' + space + '): exiting\\n');
  process.kill(workerData.pid, 'SIGKILL');
}
`;

/** Starts watching; returns the function that stops it (before an orderly exit). */
export function startWatchdog(limitMs: number, dataDir: string): () => void {
  const shared = new SharedArrayBuffer(8);
  const beat = new BigInt64Array(shared);
  const tick = () => Atomics.store(beat, 0, BigInt(Date.now()));
  tick();
  const timer = setInterval(tick, 1000);
  timer.unref();
  const watcher = new Worker(WATCHER, {
    eval: true,
    // CommonJS whatever the process was started with (--input-type=module would make it a module)
    execArgv: [],
    workerData: { shared, limitMs, dataDir, pid: process.pid },
  });
  watcher.unref();
  // a watchdog that failed must not take the process down with it
  watcher.on('error', (error) => process.stderr.write(`sluice: the watchdog stopped: ${error.message}\n`));
  return () => {
    clearInterval(timer);
    void watcher.terminate();
  };
}
