// One large file (SIZE bytes, default 1 GiB) written and read back through each internal storage
// backend, each in a process of its own so that its peak memory is its own: the local file system
// (the baseline), PostgreSQL on the server (SLUICE_BENCH_DATABASE_URL, default the local one; a
// fresh database, dropped afterwards), PostgreSQL on PGlite (embedded, on disk) and S3 on s3rver
// (a test server on loopback, in a third process). Prints MB/s each way, peak RSS, and the ratios
// to the local file system. Uses dist/: `npm run bench -- storage` builds first.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const SIZE = Number(process.env.SIZE ?? 2 ** 30);
const PIECE = 256 * 1024;
const SERVER_URL = process.env.SLUICE_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const MB = 1e6;

/** SIZE bytes in pieces of 256 KiB, cut from one random MiB: content costs no CPU, and no backend
 * compresses, so repeats are not cheaper to store. */
function source() {
  const block = randomBytes(4 * PIECE);
  let sent = 0;
  return Readable.from(
    (function* () {
      for (let i = 0; sent < SIZE; i = (i + 1) % 4) {
        const piece = block.subarray(i * PIECE, i * PIECE + Math.min(PIECE, SIZE - sent));
        sent += piece.length;
        yield piece;
      }
    })(),
    { objectMode: false },
  );
}

async function openBackend(name, dir) {
  const dist = (file) => import(path.join(root, 'dist', file));
  if (name === 'local') {
    const { LocalStorage } = await dist('storage/local-storage.js');
    return { storage: new LocalStorage(dir), close: async () => undefined };
  }
  if (name === 'postgres' || name === 'pglite') {
    const { openDatabase } = await dist('db/open.js');
    const { PostgresStorage } = await dist('storage/postgres-storage.js');
    const db =
      name === 'postgres'
        ? await openDatabase({ url: process.env.BENCH_DATABASE_URL })
        : await openDatabase({ dataDir: path.join(dir, 'db') });
    return { storage: new PostgresStorage(db), close: () => db.close() };
  }
  const { openS3Storage } = await dist('storage/s3-storage.js');
  const storage = await openS3Storage({
    bucket: 'bench',
    endpoint: process.env.BENCH_S3_ENDPOINT,
    accessKey: 'S3RVER',
    secretKey: 'S3RVER',
    forcePathStyle: true,
  });
  return { storage, close: async () => undefined };
}

/** In the child: one write and one read of the file; prints a JSON line of numbers. */
async function measure(name) {
  const dir = mkdtempSync(path.join(tmpdir(), `sluice-storage-bench-${name}-`));
  try {
    const { storage, close } = await openBackend(name, dir);
    let t0 = performance.now();
    const uri = await storage.put('bench/large.bin', source());
    const writeMs = performance.now() - t0;
    t0 = performance.now();
    let read = 0;
    for await (const piece of await storage.get(uri)) read += piece.length;
    const readMs = performance.now() - t0;
    if (read !== SIZE) throw new Error(`${name}: read ${read} bytes of ${SIZE}`);
    await storage.deletePrefix('sluice:///bench');
    await close();
    const peakRssMb = (process.resourceUsage().maxRSS * 1024) / MB;
    process.stdout.write(`${JSON.stringify({ name, writeMs, readMs, peakRssMb })}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function runChild(name, env) {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), name], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`${name} exited ${r.status}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

/** A fresh database on the server for the postgres run, dropped afterwards. */
async function withServerDatabase(fn) {
  const { default: pg } = await import('pg');
  const name = `sluice_storage_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: SERVER_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  try {
    const url = new URL(SERVER_URL);
    url.pathname = `/${name}`;
    return await fn(url.toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

/** s3rver in a process of its own (its memory is not the backend's), on a free loopback port. */
async function withS3Server(fn) {
  const dir = mkdtempSync(path.join(tmpdir(), 'sluice-storage-bench-s3-'));
  const main = path.join(root, 'test', 'integration', 'storage', 's3rver-process.mjs');
  const child = spawn(process.execPath, [main, dir, 'bench'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise((resolve, reject) => {
      child.stdout.once('data', (line) => resolve(JSON.parse(String(line)).port));
      child.once('exit', (code) => reject(new Error(`s3rver exited ${code}`)));
    });
    return await fn(`http://127.0.0.1:${port}`);
  } finally {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const results = [runChild('local', {})];
  results.push(await withServerDatabase((url) => runChild('postgres', { BENCH_DATABASE_URL: url })));
  results.push(runChild('pglite', {}));
  results.push(await withS3Server((endpoint) => runChild('s3', { BENCH_S3_ENDPOINT: endpoint })));
  const [local] = results;
  const mbps = (ms) => SIZE / MB / (ms / 1000);
  process.stdout.write(
    `${(SIZE / 2 ** 20).toFixed(0)} MiB written then read through each backend; ratios are to local\n`,
  );
  process.stdout.write('backend   write MB/s (ratio)   read MB/s (ratio)   peak RSS MB\n');
  for (const r of results) {
    const write = `${mbps(r.writeMs).toFixed(1)} (${(local.writeMs / r.writeMs).toFixed(2)})`;
    const read = `${mbps(r.readMs).toFixed(1)} (${(local.readMs / r.readMs).toFixed(2)})`;
    process.stdout.write(
      `${r.name.padEnd(10)}${write.padEnd(21)}${read.padEnd(20)}${r.peakRssMb.toFixed(0)}\n`,
    );
  }
}

const child = process.argv[2];
if (child) await measure(child);
else await main();
