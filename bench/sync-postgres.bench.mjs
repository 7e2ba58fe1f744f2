// A full-refresh sync of ROWS rows (id bigint primary key, ts timestamptz, name text, amount
// numeric(12,2), payload jsonb) from one PostgreSQL database to another, measured as a user runs it:
// the CLI, `sluice flow run flow.json`, in a new process with a fresh SLUICE_DATA_DIR (so no state
// of an earlier run is there: spec, check, discover and the embedded database's start all count),
// wall time from spawn to exit. Side by side with the physical limit on this machine, `psql -c
// "\copy (select …) to stdout" | psql -c "\copy … from stdin"` into a table of the same columns,
// alternated PAIRS times (default 3) so that both see the same load; the ratio is the pipe's time
// over the sync's. With EXTRA=1, then the same table appended (records instead of rows in bulk), and
// faker → PostgreSQL for the same number of records. Peak resident memory is the largest sum of the
// RSS of the sluice process and all its descendants, sampled every 100 ms; beside it the same sum of
// PSS, which counts a page two processes share once. Needs psql and PostgreSQL at PGHOST (127.0.0.1).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const ROWS = Number(process.env.ROWS ?? 1_000_000);
const PAIRS = Number(process.env.PAIRS ?? 3);
const EXTRA = process.env.EXTRA === '1';
const HOST = process.env.PGHOST ?? '127.0.0.1';
const USER = process.env.PGUSER ?? 'postgres';
const SOURCE_DB = 'sluice_bench_sync_src';
const TARGET_DB = 'sluice_bench_sync_dst';
const env = { ...process.env, PGHOST: HOST, PGUSER: USER };

function psql(db, sql) {
  const r = spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-At', '-d', db, '-c', sql], {
    env,
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0) throw new Error(`psql ${db}: ${r.stderr}`);
  return r.stdout.trim();
}

/** Runs a shell command or a process; returns its wall time, the peak RSS of its process tree, and
 * the CPU time (user + system) and peak RSS of each kind of process in it. */
async function measure(command, args, { json = false } = {}) {
  // each run starts with no dirty buffers of the run before it to write out: the pipe, then the sync,
  // wrote ≈ 250 MB of WAL each, and a checkpoint falling inside one run moved it by seconds
  psql('postgres', 'CHECKPOINT');
  // a data directory of its own, as a first run has
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sluice-bench-data-'));
  const t0 = process.hrtime.bigint();
  const child = spawn(command, args, {
    cwd: root,
    env: { ...env, SLUICE_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (d) => (stderr += d));
  child.stdout.on('data', (d) => (stdout += d));
  let peak = 0;
  let peakPss = 0;
  // by pid: the last CPU ticks seen (a process's last 100 ms before it ends are missed) and its role
  const seen = new Map();
  const peakByRole = new Map();
  const sample = () => {
    const tree = processTree(child.pid);
    const ours = tree.filter((p) => !p.role.startsWith('postgres '));
    peak = Math.max(
      peak,
      ours.reduce((sum, p) => sum + p.rssKb, 0),
    );
    peakPss = Math.max(
      peakPss,
      ours.reduce((sum, p) => sum + pssKb(p.pid), 0),
    );
    const rssByRole = new Map();
    for (const p of tree) {
      // a process that has ended but not been waited for yet has no command line left
      p.role = seen.get(p.pid)?.role ?? p.role;
      seen.set(p.pid, p);
      rssByRole.set(p.role, (rssByRole.get(p.role) ?? 0) + p.rssKb);
    }
    for (const [role, kb] of rssByRole) peakByRole.set(role, Math.max(peakByRole.get(role) ?? 0, kb));
  };
  const sampler = setInterval(sample, 100);
  const code = await new Promise((resolve) => child.on('close', resolve));
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  clearInterval(sampler);
  rmSync(dataDir, { recursive: true, force: true });
  if (code !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${code}: ${(stderr + stdout).slice(-2000)}`);
  }
  const cpuByRole = new Map();
  for (const p of seen.values()) cpuByRole.set(p.role, (cpuByRole.get(p.role) ?? 0) + p.cpuS);
  const roles = [...cpuByRole.keys()].map((role) => ({
    role,
    cpuS: cpuByRole.get(role),
    peakMb: (peakByRole.get(role) ?? 0) / 1024,
  }));
  return {
    ms,
    taskMs: json ? syncTaskMs(JSON.parse(stdout)) : undefined,
    peakMb: peak / 1024,
    peakPssMb: peakPss / 1024,
    roles,
  };
}

/** The sync task run's own time, RUNNING to its end, from the execution `flow run --json` prints: spec,
 * check, discover, the read → write and the swap, without starting `flow run` and its embedded
 * database. */
function syncTaskMs(execution) {
  const { histories } = execution.taskRunList.find((r) => r.taskId === 'sync').state;
  const running = histories.find((h) => h.state === 'RUNNING');
  return Date.parse(histories.at(-1).date) - Date.parse(running.date);
}

const TICKS_PER_SECOND = 100;

function pssKb(pid) {
  try {
    return Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** pid and all its descendants, and the PostgreSQL backends serving the bench's databases, each with
 * its resident kB, CPU seconds so far and role. */
function processTree(pid) {
  const children = new Map();
  const info = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // fields after the parenthesised command name: state is 3rd, utime 14th, stime 15th
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(/PPid:\s+(\d+)/.exec(status)?.[1]);
      info.set(Number(entry), {
        pid: Number(entry),
        rssKb: Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0),
        cpuS: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND,
        role: role(readFileSync(`/proc/${entry}/cmdline`, 'utf8')),
      });
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // the process ended while we looked
    }
  }
  const tree = [...info.values()].filter((p) => p.role.startsWith('postgres '));
  const stack = [pid];
  while (stack.length > 0) {
    const p = stack.pop();
    if (info.has(p)) tree.push(info.get(p));
    stack.push(...(children.get(p) ?? []));
  }
  return tree;
}

function role(cmdline) {
  const backend = /^postgres: (?:[^:]+: )?\S+ (sluice_bench_sync_(?:src|dst))/.exec(cmdline);
  if (backend) return `postgres ${backend[1] === SOURCE_DB ? 'source' : 'target'}`;
  const argv = cmdline.split('\0');
  const connector = argv.find((a) => /^(source|destination)-/.test(a));
  if (connector) return connector;
  if (argv.includes('flow')) return 'engine';
  // psql starts as a perl wrapper on Debian
  return argv.some((a) => path.basename(a) === 'psql') ? 'psql' : path.basename(argv[0] ?? '?');
}

function syncFlow(dir, id, source, streams) {
  const destination = {
    host: HOST,
    port: 5432,
    database: TARGET_DB,
    username: USER,
    password: '',
    schema: id,
  };
  const file = path.join(dir, `${id}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      id,
      namespace: 'bench',
      tasks: [
        {
          id: 'sync',
          type: 'sync',
          source,
          destination: { connector: 'postgres', config: destination },
          ...(streams ? { streams } : {}),
        },
      ],
    }),
  );
  return file;
}

const dir = mkdtempSync(path.join(tmpdir(), 'sluice-sync-bench-'));
try {
  for (const db of [SOURCE_DB, TARGET_DB]) {
    psql('postgres', `DROP DATABASE IF EXISTS ${db}`);
    psql('postgres', `CREATE DATABASE ${db}`);
  }
  const columns = 'id bigint PRIMARY KEY, ts timestamptz, name text, amount numeric(12,2), payload jsonb';
  psql(
    SOURCE_DB,
    `CREATE TABLE t (${columns});
     INSERT INTO t SELECT i, timestamptz '2024-01-01' + i * interval '1 second', 'name ' || i,
       (i * 1.25)::numeric(12,2), jsonb_build_object('i', i, 'tag', 'x' || (i % 100))
     FROM generate_series(1, ${ROWS}) i;`,
  );
  psql(SOURCE_DB, 'VACUUM ANALYZE t');
  const bytes = Number(psql(SOURCE_DB, `SELECT sum(pg_column_size(t.*)) FROM t`));
  const mb = bytes / 1e6;
  const pgSource = {
    connector: 'postgres',
    config: {
      host: HOST,
      port: 5432,
      database: SOURCE_DB,
      username: USER,
      password: '',
      schemas: ['public'],
    },
  };
  const flow = syncFlow(dir, 'postgres_to_postgres', pgSource);

  const rate = (ms) => Math.round(ROWS / (ms / 1000)).toLocaleString('en-US');
  const line = (name, r) =>
    `${name.padEnd(40)} ${(r.ms / 1000).toFixed(1).padStart(6)} s  ${rate(r.ms).padStart(9)} rows/s  ${(mb / (r.ms / 1000)).toFixed(1).padStart(6)} MB/s  peak ${Math.round(r.peakMb)} MB (PSS ${Math.round(r.peakPssMb)} MB)`;
  const cpu = (r) =>
    `  CPU s (peak MB) by process: ${r.roles.map((p) => `${p.role} ${p.cpuS.toFixed(1)} (${Math.round(p.peakMb)})`).join(', ')}`;
  process.stdout.write(`${ROWS.toLocaleString('en-US')} rows, ${mb.toFixed(0)} MB in the source table\n`);

  const ratios = [];
  // on a machine other work keeps busy, wall time follows CPU time: the pipe's CPU (both psql, both
  // backends) over the sync's (the whole sluice tree, both backends) is the steadier measure
  const cpuRatios = [];
  const peaks = [];
  for (let pair = 1; pair <= PAIRS; pair++) {
    psql(TARGET_DB, `DROP TABLE IF EXISTS copied; CREATE TABLE copied (${columns})`);
    const copy = await measure('bash', [
      '-c',
      `psql -X -d ${SOURCE_DB} -c "\\copy (select * from t) to stdout" | psql -X -d ${TARGET_DB} -c "\\copy copied from stdin"`,
    ]);
    const sync = await measure(process.execPath, ['bin/sluice.js', 'flow', 'run', '--json', flow], {
      json: true,
    });
    const synced = Number(psql(TARGET_DB, 'SELECT count(*) FROM postgres_to_postgres.t'));
    if (synced !== ROWS) throw new Error(`the sync wrote ${synced} rows, not ${ROWS}`);
    ratios.push(copy.ms / sync.ms);
    const cpuOf = (r) => r.roles.reduce((sum, p) => sum + p.cpuS, 0);
    cpuRatios.push(cpuOf(copy) / cpuOf(sync));
    peaks.push(sync.peakMb);
    process.stdout.write(`\n# pair ${pair}\n`);
    process.stdout.write(`${line('psql \\copy | psql \\copy', copy)}\n${cpu(copy)}\n`);
    process.stdout.write(`${line('sluice flow run postgres → postgres', sync)}\n`);
    process.stdout.write(
      `ratio pipe / sync, end to end: ${(copy.ms / sync.ms).toFixed(2)}× (target ≥ 0.6×); ` +
        `the sync task alone ${(sync.taskMs / 1000).toFixed(1)} s, ${(copy.ms / sync.taskMs).toFixed(2)}×\n`,
    );
    process.stdout.write(`${cpu(sync)}\n`);
  }
  const sorted = [...ratios].sort((a, b) => a - b);
  process.stdout.write(
    `\nend to end over ${PAIRS} pairs: ratio min ${sorted[0].toFixed(2)}×, median ` +
      `${sorted[Math.floor(sorted.length / 2)].toFixed(2)}×, max ${sorted.at(-1).toFixed(2)}×; ` +
      `peak memory of the process tree ${Math.round(Math.max(...peaks))} MB (target < 300 MB)\n` +
      `CPU time, pipe / sync: ${cpuRatios.map((r) => `${r.toFixed(2)}×`).join(', ')}\n`,
  );

  if (EXTRA) {
    // an append goes as records (rows in bulk are for an overwrite's fresh table): the path of every
    // incremental sync, both connectors still in process
    const append = await measure(process.execPath, [
      'bin/sluice.js',
      'flow',
      'run',
      syncFlow(dir, 'postgres_append', pgSource, [{ name: 't', syncMode: 'full_refresh_append' }]),
    ]);
    const appended = Number(psql(TARGET_DB, 'SELECT count(*) FROM postgres_append.t'));
    if (appended !== ROWS) throw new Error(`the append wrote ${appended} rows, not ${ROWS}`);
    const faker = await measure(process.execPath, [
      'bin/sluice.js',
      'flow',
      'run',
      // users only: ROWS records, as the rate below counts them
      syncFlow(dir, 'faker_to_postgres', { connector: 'faker', config: { count: ROWS, seed: 1 } }, [
        { name: 'users' },
      ]),
    ]);
    process.stdout.write(`${line('sluice sync postgres → postgres, append', append)} (records, not rows)\n`);
    process.stdout.write(`${cpu(append)}\n`);
    process.stdout.write(
      `${line('sluice sync faker → postgres', faker)} (users stream; MB/s of the pg table size)\n`,
    );
    process.stdout.write(`${cpu(faker)}\n`);
  }
} finally {
  for (const db of [SOURCE_DB, TARGET_DB]) psql('postgres', `DROP DATABASE IF EXISTS ${db}`);
  rmSync(dir, { recursive: true, force: true });
}
