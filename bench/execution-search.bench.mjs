// With EXECUTIONS rows in the executions table (100 namespaces, 10 flows each, 30 days), the first page
// of `GET /api/v1/executions/search?namespace=…` through the HTTP API (fastify, in process, real
// PostgreSQL), side by side with the floor: the bare `SELECT … ORDER BY created DESC LIMIT 25` of the
// same namespace through pg. p50 and p95 over SAMPLES requests, each for another namespace. Then each
// other way the executions page asks (text search, sorts, state, label, scope, a deep page), p50 and
// p95 over SAMPLES / 10 requests, against the target of 300 ms on the server.
// Needs PostgreSQL at PGHOST (127.0.0.1) and a build (npm run bench does it).
import pg from 'pg';
import { buildServer } from '../dist/server/app.js';
import { createPostgresDatabase } from '../dist/db/postgres.js';
import { migrate } from '../dist/db/migrate.js';
import { SecretCipher } from '../dist/secrets/cipher.js';

const EXECUTIONS = Number(process.env.EXECUTIONS ?? 1_000_000);
const SAMPLES = Number(process.env.SAMPLES ?? 100);
const HOST = process.env.PGHOST ?? '127.0.0.1';
const DATABASE = 'sluice_bench_search';
const base = `postgres://${process.env.PGUSER ?? 'postgres'}@${HOST}:5432`;

const admin = new pg.Client({ connectionString: `${base}/postgres` });
await admin.connect();
await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
await admin.query(`CREATE DATABASE ${DATABASE}`);
const db = createPostgresDatabase({ connectionString: `${base}/${DATABASE}` });
try {
  await migrate(db);
  const t0 = Date.now();
  // documents of the contract's shape, about 600 bytes each, created over the last 30 days
  await db.query(
    `INSERT INTO executions (id, namespace, flow_id, flow_revision, state, doc, created, updated, ended)
     SELECT 'e' || i, 'bench.ns' || (i % 100), 'flow' || (i % 10), 1, s, json_build_object(
              'id', 'e' || i, 'namespace', 'bench.ns' || (i % 100), 'flowId', 'flow' || (i % 10), 'flowRevision', 1,
              'state', json_build_object('current', s, 'histories', json_build_array(
                json_build_object('state', 'CREATED', 'date', c), json_build_object('state', s, 'date', c))),
              'inputs', json_build_object('n', i), 'outputs', '{}'::json,
              'labels', json_build_array(json_build_object('key', 'team', 'value', 'team' || (i % 50))),
              'taskRunList', json_build_array(json_build_object('id', 't' || i, 'taskId', 'hello',
                'parentTaskRunId', null, 'value', null,
                'state', json_build_object('current', s, 'histories', json_build_array(
                  json_build_object('state', 'CREATED', 'date', c), json_build_object('state', s, 'date', c))),
                'attempts', json_build_array(json_build_object('state', json_build_object('current', s,
                  'histories', json_build_array(json_build_object('state', s, 'date', c))))),
                'outputs', '{}'::json))),
            c, c, c
       FROM (SELECT i, CASE WHEN i % 20 = 0 THEN 'FAILED' ELSE 'SUCCESS' END AS s,
                    now() - (i * interval '30 days' / ${EXECUTIONS}) AS c
               FROM generate_series(1, ${EXECUTIONS}) i) g`,
  );
  // as autovacuum would have by now on a table this size: the visibility map lets counts skip the heap
  await db.query('VACUUM ANALYZE executions');
  process.stdout.write(
    `${EXECUTIONS.toLocaleString('en-US')} executions inserted in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`,
  );

  const app = buildServer({ db, cipher: SecretCipher.fromKey('bench') });
  await app.ready();
  const api = [];
  const floor = [];
  for (let i = 0; i < SAMPLES; i++) {
    const namespace = `bench.ns${i % 100}`;
    let t = process.hrtime.bigint();
    const res = await app.inject({
      method: 'GET',
      url: `/api/v1/executions/search?namespace=${namespace}&size=25`,
    });
    api.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (res.statusCode !== 200 || res.json().results.length !== 25)
      throw new Error(`search answered ${res.statusCode}: ${res.body.slice(0, 400)}`);
    t = process.hrtime.bigint();
    await db.query('SELECT doc FROM executions WHERE namespace = $1 ORDER BY created DESC LIMIT 25', [
      namespace,
    ]);
    floor.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  const cases = {
    'first page, no filter': 'size=25',
    'q: a flow id prefix': 'q=flow3&size=25',
    'q: text found nowhere': 'q=zzz-nowhere&size=25',
    'q: a label value': 'q=team17&size=25',
    'state=FAILED': 'state=FAILED&size=25',
    'labels=team:team7': 'labels=team:team7&size=25',
    'sort=state.endDate:asc': 'sort=state.endDate:asc&size=25',
    'sort=state.duration:desc': 'sort=state.duration:desc&size=25',
    'scope=USER': 'scope=USER&size=25',
    'page 40 of 25': 'page=40&size=25',
  };
  const timings = {};
  for (const [name, query] of Object.entries(cases)) {
    timings[name] = [];
    for (let i = 0; i < Math.max(5, SAMPLES / 10); i++) {
      const t = process.hrtime.bigint();
      const res = await app.inject({ method: 'GET', url: `/api/v1/executions/search?${query}` });
      timings[name].push(Number(process.hrtime.bigint() - t) / 1e6);
      if (res.statusCode !== 200)
        throw new Error(`${query} answered ${res.statusCode}: ${res.body.slice(0, 400)}`);
    }
  }
  await app.close();
  const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
  const line = (name, xs) =>
    `${name.padEnd(44)} p50 ${pct(xs, 0.5).toFixed(1).padStart(6)} ms   p95 ${pct(xs, 0.95).toFixed(1).padStart(6)} ms`;
  process.stdout.write(`${line('GET /api/v1/executions/search?namespace=…', api)}\n`);
  process.stdout.write(`${line('bare SELECT … LIMIT 25 (floor)', floor)}\n`);
  process.stdout.write(
    `ratio API / floor at p50: ${(pct(api, 0.5) / pct(floor, 0.5)).toFixed(1)}×; target p50 < 50 ms\n`,
  );
  for (const [name, xs] of Object.entries(timings)) {
    process.stdout.write(
      `${line(name, xs)}   ${(pct(xs, 0.5) / pct(floor, 0.5)).toFixed(0)}× floor; target < 300 ms\n`,
    );
  }
} finally {
  await db.close();
  await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  await admin.end();
}
