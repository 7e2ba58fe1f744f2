// The engine on PostgreSQL (issue 3, "Benchmark"): executions started at fixed rates, a 40-step
// sequential ForEach, task runs per second against graphile-worker on the same server, the
// statements and CPU one execution costs, and the resident memory of an idle `sluice server
// standalone`. Sluice runs in this process with the standalone defaults (executor concurrency 4,
// 16 worker threads, a pool of 10 connections); the "client" side (starting executions, one
// LISTEN for their ends) has a pool of its own, as an API caller would. A fresh database per run,
// dropped at the end. BUSY=n keeps n other processes spinning throughout (a shared machine).
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Logger, makeWorkerUtils, run as runGraphile } from 'graphile-worker';
import pg from 'pg';
import { startExecution } from '../dist/app/executions.js';
import { Instance } from '../dist/app/instance.js';
import { saveFlow } from '../dist/db/flow-repository.js';
import { migrate } from '../dist/db/migrate.js';
import { createPostgresDatabase } from '../dist/db/postgres.js';
import { loadFlow } from '../dist/flow/load.js';
import { LocalStorage } from '../dist/storage/local-storage.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const SERVER = process.env.BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432';
const RATES = (process.env.RATES ?? '500,1000,2000,5000,10000').split(',').map(Number);
const RATE_SECONDS = Number(process.env.RATE_SECONDS ?? 20);
const DRAIN_MS = 30_000; // a rate whose backlog does not clear in this time has collapsed
const LOOP_RUNS = 5;
const BURST = Number(process.env.BURST ?? 2000);
const STARTERS = 16; // start calls in flight at once in the burst (both sides)
const COUNTED = 500; // executions whose statements and CPU are counted
const WORKER_THREADS = 16;
const EXECUTOR_CONCURRENCY = 4;
// processes spinning on a core for the whole run, to see how the engine holds on a shared machine
const BUSY = Number(process.env.BUSY ?? 0);

const suffix = `${process.pid}_${Date.now()}`;
const sluiceDbName = `sluice_bench_${suffix}`;
const graphileDbName = `sluice_bench_gw_${suffix}`;
const urlOf = (name) => `${SERVER}/${name}`;

// every statement any pg client of this process sends (both pools, BEGIN and COMMIT included)
let statements = 0;
const clientQuery = pg.Client.prototype.query;
pg.Client.prototype.query = function (...args) {
  statements++;
  return clientQuery.apply(this, args);
};

/** CPU time (ms) the server's backends connected to one database have used, read from /proc (the
 * server runs on this machine); undefined when their processes cannot be seen. */
function backendCpuMs(database) {
  let ticks = 0;
  let seen = false;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(` ${database} `)) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
      seen = true;
    } catch {
      // the process ended meanwhile
    }
  }
  return seen ? ticks * 10 : undefined;
}

const ms = (v) => (Number.isFinite(v) ? `${v.toFixed(0)} ms` : 'not ended');
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const sleep = (t) => new Promise((resolve) => setTimeout(resolve, t));

async function admin(sql) {
  const client = new pg.Client({ connectionString: urlOf('postgres') });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function flowOf(yaml) {
  const { flow, errors } = loadFlow(yaml, 'bench.yaml');
  if (!flow) throw new Error(errors.map((e) => e.message ?? String(e)).join('\n'));
  return flow;
}

const twoTasks = flowOf(`
id: two-tasks
namespace: bench
tasks:
  - id: produce
    type: io.kestra.plugin.core.output.OutputValues
    values:
      greeting: hello
  - id: say
    type: io.kestra.plugin.core.log.Log
    message: "{{ outputs.produce.values.greeting }}"
`);
const values40 = JSON.stringify(Array.from({ length: 40 }, (_, i) => i + 1));
// a 40-step sequential ForEach whose one task per step is `step`
const loopOf = (id, step) =>
  flowOf(`
id: ${id}
namespace: bench
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: ${values40}
    concurrencyLimit: 1
    tasks:
      - id: step
${step}
`);
const loopOfReturns = loopOf(
  'loop-return',
  `        type: io.kestra.plugin.core.debug.Return
        format: "{{ taskrun.value }}"`,
);
const loopOfScripts = loopOf(
  'loop-node',
  `        type: io.kestra.plugin.scripts.node.Script
        script: console.log(1)`,
);
const oneReturn = flowOf(`
id: one-return
namespace: bench
tasks:
  - id: step
    type: io.kestra.plugin.core.debug.Return
    format: done
`);

await admin(`CREATE DATABASE ${sluiceDbName}`);
await admin(`CREATE DATABASE ${graphileDbName}`);
const storageDir = await mkdtemp(path.join(tmpdir(), 'sluice-bench-'));
const engineDb = createPostgresDatabase({ connectionString: urlOf(sluiceDbName) });
const clientDb = createPostgresDatabase({ connectionString: urlOf(sluiceDbName), maxConnections: STARTERS });
let instance;
let graphile;
const spinners = [];
try {
  for (let i = 0; i < BUSY; i++)
    spinners.push(spawn(process.execPath, ['-e', 'for (;;);'], { stdio: 'ignore' }));
  if (BUSY > 0) console.log(`(${BUSY} process(es) spinning on a core beside the bench throughout)\n`);
  await migrate(engineDb);
  const flows = {};
  for (const f of [twoTasks, loopOfReturns, loopOfScripts, oneReturn])
    flows[f.id] = await saveFlow(clientDb, f);
  instance = await new Instance({
    db: engineDb,
    storage: new LocalStorage(storageDir),
    executorConcurrency: EXECUTOR_CONCURRENCY,
    workerThreads: WORKER_THREADS,
    liveness: {},
  }).start();

  // one LISTEN for every execution's end; an end may (in theory) be seen before its start returns
  const waiting = new Map();
  const endedEarly = new Map();
  await clientDb.listen('sluice_execution_ended', (id) => {
    const now = performance.now();
    const resolve = waiting.get(id);
    if (resolve) {
      waiting.delete(id);
      resolve(now);
    } else endedEarly.set(id, now);
  });
  /** Starts one execution; resolves with { t0, end } (end: performance.now() at its end). */
  async function startOne(flow) {
    const t0 = performance.now();
    const execution = await startExecution(clientDb, flow, {});
    const early = endedEarly.get(execution.id);
    const ended =
      early !== undefined
        ? Promise.resolve(early)
        : new Promise((resolve) => waiting.set(execution.id, resolve));
    return { t0, id: execution.id, ended };
  }
  /** The value of p, or Infinity when it takes longer than t ms. */
  function withTimeout(p, t) {
    let timer;
    const late = new Promise((resolve) => (timer = setTimeout(resolve, t, Infinity)));
    return Promise.race([p, late]).finally(() => clearTimeout(timer));
  }
  async function states(ids) {
    const { rows } = await clientDb.query(
      `SELECT doc->'state'->>'current' AS state, count(*)::int AS n FROM executions WHERE id = ANY($1) GROUP BY 1`,
      [ids],
    );
    return Object.fromEntries(rows.map((r) => [r.state, r.n]));
  }

  // warm-up: code paths compiled, connections open
  await Promise.all(Array.from({ length: 20 }, () => startOne(flows['two-tasks']).then((s) => s.ended)));

  // 1. fixed rates, open loop
  console.log(
    `1. two-task flow (OutputValues → Log) at fixed rates, ${RATE_SECONDS} s each, open loop (start → end notification)`,
  );
  console.log('   rate/min   started   p50        p95        max        states');
  let held = 0;
  let collapsed = false;
  const rateResults = [];
  for (const rate of RATES) {
    if (collapsed) {
      console.log(`   ${String(rate).padStart(8)}   skipped (a lower rate already collapsed)`);
      continue;
    }
    const total = Math.round((rate / 60) * RATE_SECONDS);
    const runs = [];
    const begin = performance.now();
    let started = 0;
    while (started < total) {
      const due = Math.min(total, Math.floor(((performance.now() - begin) / 60_000) * rate) + 1);
      for (; started < due; started++) runs.push(startOne(flows['two-tasks']));
      await sleep(Math.max(1, begin + (started * 60_000) / rate - performance.now()));
    }
    const starts = await Promise.all(runs);
    const latencies = (
      await Promise.all(starts.map(async (s) => (await withTimeout(s.ended, DRAIN_MS)) - s.t0))
    ).sort((a, b) => a - b);
    const p50 = pct(latencies, 50);
    const p95 = pct(latencies, 95);
    const byState = await states(starts.map((s) => s.id));
    rateResults.push({ rate, p50, p95 });
    console.log(
      `   ${String(rate).padStart(8)}   ${String(total).padStart(7)}   ${ms(p50).padEnd(9)}  ${ms(p95).padEnd(9)}  ${ms(latencies.at(-1)).padEnd(9)}  ${JSON.stringify(byState)}`,
    );
    if (p95 < 1000) held = Math.max(held, rate);
    if (!Number.isFinite(latencies.at(-1))) collapsed = true;
    // let anything still queued drain before the next rate
    for (const s of starts) waiting.delete(s.id);
    endedEarly.clear();
  }
  const at10k = rateResults.find((r) => r.rate === 10_000);
  console.log(`   highest rate held with p95 < 1 s: ${held ? `${held}/min` : 'none'}`);
  console.log('   anchor: Kestra OSS ≈ 1,500/min at 0.3–0.9 s on 4 vCPU, collapses at 2,000/min');
  console.log(
    `   target ≥ 10,000/min with p50 < 100 ms: ${held >= 10_000 && at10k && at10k.p50 < 100 ? 'met' : 'NOT met'}`,
  );

  // 2. 40-step sequential ForEach
  async function timeLoop(flow) {
    const times = [];
    let state;
    for (let i = 0; i < LOOP_RUNS; i++) {
      const s = await startOne(flow);
      times.push((await withTimeout(s.ended, 60_000)) - s.t0);
      state = await states([s.id]);
    }
    return { p50: median(times), min: Math.min(...times), max: Math.max(...times), state };
  }
  console.log(`\n2. 40-step sequential ForEach (concurrencyLimit: 1), start → end, median of ${LOOP_RUNS}`);
  const ret = await timeLoop(flows['loop-return']);
  console.log(
    `   Return tasks:      ${ms(ret.p50)} (min ${ms(ret.min)}, max ${ms(ret.max)}) ${JSON.stringify(ret.state)}`,
  );
  console.log('   anchors: Kestra 6.0 s, Windmill 2.1–4.4 s, Hatchet 1.2 s');
  console.log(`   target < 500 ms: ${ret.p50 < 500 ? 'met' : 'NOT met'}`);
  const node = await timeLoop(flows['loop-node']);
  console.log(
    `   Node script tasks: ${ms(node.p50)} (min ${ms(node.min)}, max ${ms(node.max)}) ${JSON.stringify(node.state)}`,
  );
  const spawns = [];
  for (let i = 0; i < LOOP_RUNS; i++) {
    const t0 = performance.now();
    for (let j = 0; j < 40; j++) spawnSync(process.execPath, ['-e', 'console.log(1)']);
    spawns.push(performance.now() - t0);
  }
  console.log(`   baseline, 40 sequential \`node -e "console.log(1)"\` spawns: ${ms(median(spawns))}`);
  console.log('   anchors: Kestra 9.0 s, Windmill 2.1–3.0 s');
  console.log(`   target < 2000 ms: ${node.p50 < 2000 ? 'met' : 'NOT met'}`);

  // 3. task runs per second against graphile-worker, same PostgreSQL server, its own database
  console.log(
    `\n3. ${BURST} trivial units of work added at once (${STARTERS} add calls in flight), until all done`,
  );
  async function inParallel(n, fn) {
    let next = 0;
    await Promise.all(
      Array.from({ length: STARTERS }, async () => {
        while (next < n) await fn(next++);
      }),
    );
  }
  let sluiceRate = 0;
  {
    const ends = [];
    const t0 = performance.now();
    await inParallel(BURST, async () => ends.push((await startOne(flows['one-return'])).ended));
    const allStarted = performance.now();
    const last = Math.max(...(await Promise.all(ends.map((e) => withTimeout(e, 120_000)))));
    const seconds = (last - t0) / 1000;
    sluiceRate = BURST / seconds;
    console.log(
      `   sluice (Return task, one execution each; executor ×${EXECUTOR_CONCURRENCY}, worker ×${WORKER_THREADS}): ${sluiceRate.toFixed(0)} task runs/s (${seconds.toFixed(2)} s; all started after ${((allStarted - t0) / 1000).toFixed(2)} s)`,
    );
  }
  {
    const silent = new Logger(() => () => {});
    const connectionString = urlOf(graphileDbName);
    let done = 0;
    let allDone;
    const finished = new Promise((resolve) => (allDone = resolve));
    graphile = await runGraphile({
      connectionString,
      concurrency: WORKER_THREADS,
      maxPoolSize: 10,
      pollInterval: 1000,
      noHandleSignals: true,
      logger: silent,
      taskList: {
        noop: async () => {
          if (++done === BURST) allDone(performance.now());
        },
      },
    });
    const utils = await makeWorkerUtils({ connectionString, logger: silent });
    try {
      const t0 = performance.now();
      await inParallel(BURST, (i) => utils.addJob('noop', { i }));
      const allAdded = performance.now();
      const last = await withTimeout(finished, 120_000);
      const seconds = (last - t0) / 1000;
      const rate = BURST / seconds;
      console.log(
        `   graphile-worker 0.17.3 (no-op task, concurrency ${WORKER_THREADS}): ${rate.toFixed(0)} jobs/s (${seconds.toFixed(2)} s; all added after ${((allAdded - t0) / 1000).toFixed(2)} s)`,
      );
      console.log(`   ratio sluice / graphile-worker: ${(sluiceRate / rate).toFixed(2)}`);
    } finally {
      await utils.release();
    }
  }
  await graphile.stop();
  graphile = undefined;

  // 4. what one execution costs
  console.log(
    `\n4. ${COUNTED} two-task executions started at once: statements sent (counted client-side, start call included) and CPU, per execution`,
  );
  {
    const statements0 = statements;
    const backend0 = backendCpuMs(sluiceDbName);
    const node0 = process.cpuUsage();
    const starts = await Promise.all(Array.from({ length: COUNTED }, () => startOne(flows['two-tasks'])));
    await Promise.all(starts.map((s) => withTimeout(s.ended, 60_000)));
    const node = process.cpuUsage(node0);
    const backend = backendCpuMs(sluiceDbName);
    const perRun = (v) => (v / COUNTED).toFixed(1);
    console.log(`   statements: ${perRun(statements - statements0)}`);
    console.log(
      `   CPU: PostgreSQL backends ${backend0 === undefined ? 'not visible' : `${perRun(backend - backend0)} ms`}, this Node process ${perRun((node.user + node.system) / 1000)} ms`,
    );
  }
  await instance.stop();
  instance = undefined;

  // 5. idle resident memory of `sluice server standalone`
  console.log('\n5. idle `sluice server standalone` (5 s after /health answered), VmRSS');
  const rss = await idleRss(['bin/sluice.js', 'server', 'standalone'], true);
  const bare = await idleRss(['-e', 'setInterval(() => {}, 1000); console.log("ready")'], false);
  console.log(`   sluice server standalone: ${rss.toFixed(0)} MB`);
  console.log(`   bare node (baseline):     ${bare.toFixed(0)} MB; Kestra's JVM ≈ 1 GB`);
  console.log(`   target < 150 MB: ${rss < 150 ? 'met' : 'NOT met'}`);
} finally {
  for (const spinner of spinners) spinner.kill('SIGKILL');
  await graphile?.stop().catch(() => {});
  await instance?.stop().catch(() => {});
  await clientDb.close();
  await engineDb.close();
  await rm(storageDir, { recursive: true, force: true });
  await admin(`DROP DATABASE IF EXISTS ${sluiceDbName} WITH (FORCE)`);
  await admin(`DROP DATABASE IF EXISTS ${graphileDbName} WITH (FORCE)`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Spawns a process, waits until it is ready (/health for a server), 5 s more, reads VmRSS (MB). */
async function idleRss(args, server) {
  const port = await freePort();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'sluice-bench-server-'));
  const child = spawn(process.execPath, server ? [...args, '--port', String(port)] : args, {
    cwd: root,
    env: { ...process.env, SLUICE_DATABASE_URL: urlOf(sluiceDbName), SLUICE_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited: ${output}`);
      if (Date.now() > deadline) throw new Error(`${args.join(' ')} never became ready: ${output}`);
      const ready = server
        ? await fetch(`http://127.0.0.1:${port}/health`).then(
            (r) => r.ok,
            () => false,
          )
        : output.includes('ready');
      if (ready) break;
      await sleep(100);
    }
    await sleep(5000);
    const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
    return kb / 1024;
  } finally {
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(10_000)]);
    if (child.exitCode === null) child.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  }
}
