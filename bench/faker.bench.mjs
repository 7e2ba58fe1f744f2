// Records per second of `sluice connector source-faker read` (three streams, `count` records each)
// written to /dev/null, a new process each time, side by side with the physical limit: a bare
// `node -e` writing the same bytes (the faker's own output, saved once) to /dev/null.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const RUNS = Number(process.env.RUNS ?? 5);
const COUNT = Number(process.env.COUNT ?? 200_000);
const RECORDS = 3 * COUNT;

const dir = mkdtempSync(path.join(tmpdir(), 'sluice-faker-bench-'));
const config = path.join(dir, 'config.json');
const catalog = path.join(dir, 'catalog.json');
const output = path.join(dir, 'output.jsonl');
writeFileSync(config, JSON.stringify({ count: COUNT, seed: 42, records_per_slice: 10_000 }));

function run(args, stdoutFile) {
  const fd = openSync(stdoutFile, 'w');
  try {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, {
      cwd: root,
      stdio: ['ignore', fd, 'pipe'],
      encoding: 'utf8',
    });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    return ms;
  } finally {
    closeSync(fd);
  }
}

const median = (samples) => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)];

try {
  const discover = spawnSync(
    process.execPath,
    ['bin/sluice.js', 'connector', 'source-faker', 'discover', '--config', config],
    { cwd: root, encoding: 'utf8' },
  );
  const streams = JSON.parse(discover.stdout).catalog.streams;
  writeFileSync(
    catalog,
    JSON.stringify({
      streams: streams.map((stream) => ({
        stream,
        sync_mode: 'full_refresh',
        destination_sync_mode: 'append',
      })),
    }),
  );
  const read = [
    'bin/sluice.js',
    'connector',
    'source-faker',
    'read',
    '--config',
    config,
    '--catalog',
    catalog,
  ];
  run(read, output); // the bytes the baseline writes
  const bytes = statSync(output).size;
  const baseline = [
    '-e',
    `const fs = require('node:fs'); const b = fs.readFileSync(${JSON.stringify(output)});` +
      'for (let i = 0; i < b.length; i += 262144) fs.writeSync(1, b.subarray(i, i + 262144));',
  ];

  const faker = [];
  const node = [];
  for (let i = 0; i < RUNS; i++) {
    faker.push(run(read, '/dev/null'));
    node.push(run(baseline, '/dev/null'));
  }
  const a = median(faker);
  const b = median(node);
  const rate = (RECORDS / a) * 1000;
  console.log(
    `source-faker read, ${RECORDS.toLocaleString('en')} records (${(bytes / 1e6).toFixed(0)} MB) to /dev/null: ` +
      `p50 ${a.toFixed(0)} ms = ${Math.round(rate).toLocaleString('en')} records/s, ${((bytes / a) * 1e-3).toFixed(0)} MB/s over ${RUNS} runs`,
  );
  console.log(
    `node -e writing the same bytes (baseline):  p50 ${b.toFixed(0)} ms = ${((bytes / b) * 1e-3).toFixed(0)} MB/s`,
  );
  console.log(
    `ratio to the baseline: ${(a / b).toFixed(1)}x; target ≥ 200,000 records/s: ${rate >= 200_000 ? 'met' : 'NOT met'}`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
