// Wall time of `sluice flow run examples/hello.yaml`, cold process each time (the PGlite template is
// cached after the first run, as it is for a user), side by side with a bare `node -e 0` start.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const RUNS = Number(process.env.RUNS ?? 10);

function time(args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

function stats(samples) {
  const s = [...samples].sort((a, b) => a - b);
  return { p50: s[Math.floor(s.length / 2)], min: s[0], max: s[s.length - 1] };
}

time(['bin/sluice.js', 'flow', 'run', 'examples/hello.yaml']); // warm the template cache
const sluice = [];
const node = [];
for (let i = 0; i < RUNS; i++) {
  sluice.push(time(['bin/sluice.js', 'flow', 'run', 'examples/hello.yaml', '--json']));
  node.push(time(['-e', '0']));
}
const a = stats(sluice);
const b = stats(node);
console.log(
  `sluice flow run examples/hello.yaml: p50 ${a.p50.toFixed(0)} ms (min ${a.min.toFixed(0)}, max ${a.max.toFixed(0)}) over ${RUNS} runs`,
);
console.log(`node -e 0 (baseline):                p50 ${b.p50.toFixed(0)} ms`);
console.log(
  `ratio to a bare Node start: ${(a.p50 / b.p50).toFixed(1)}x; target < 1500 ms: ${a.p50 < 1500 ? 'met' : 'NOT met'}`,
);
