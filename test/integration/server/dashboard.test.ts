import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Queryable } from '../../../src/db/database.js';
import type { Dashboard } from '../../../src/db/dashboard.js';
import { testDialects } from '../../support/databases.js';
import { startTestServer, type TestServer } from '../../support/server.js';

// The dashboard route's figures from executions written straight into the table with chosen dates,
// states and durations, on each dialect; and its answer time over 100,000 executions on PostgreSQL.

const HOUR = 3_600_000;
const END = new Date('2026-03-10T12:00:00Z');
const START = new Date(END.getTime() - 24 * HOUR);

interface Row {
  id: string;
  namespace: string;
  flowId: string;
  state: string;
  /** hours before END */
  at: number;
  /** milliseconds it ran; absent: still running */
  ms?: number;
  doc?: object;
}

const syncDoc = (records: number, bytes: number) => ({
  taskRunList: [{ taskId: 'sync', outputs: { recordsCommitted: records, bytesEmitted: bytes } }],
});

async function insert(db: Queryable, rows: Row[]): Promise<void> {
  for (const r of rows) {
    const created = new Date(END.getTime() - r.at * HOUR);
    await db.query(
      `INSERT INTO executions (id, namespace, flow_id, flow_revision, state, doc, created, updated, ended)
       VALUES ($1, $2, $3, 1, $4, $5, $6, $6, $7)`,
      [
        r.id,
        r.namespace,
        r.flowId,
        r.state,
        JSON.stringify(r.doc ?? {}),
        created.toISOString(),
        r.ms === undefined ? null : new Date(created.getTime() + r.ms).toISOString(),
      ],
    );
  }
}

const ROWS: Row[] = [
  { id: 'a1', namespace: 'dash.a', flowId: 'f1', state: 'SUCCESS', at: 10, ms: 1000 },
  { id: 'a2', namespace: 'dash.a', flowId: 'f1', state: 'SUCCESS', at: 9, ms: 2000 },
  { id: 'a3', namespace: 'dash.a', flowId: 'f1', state: 'SUCCESS', at: 9, ms: 3000 },
  { id: 'a4', namespace: 'dash.a', flowId: 'f1', state: 'FAILED', at: 2, ms: 500 },
  { id: 'a5', namespace: 'dash.a', flowId: 'f1', state: 'RUNNING', at: 1 },
  { id: 'b1', namespace: 'dash.b', flowId: 'f2', state: 'SUCCESS', at: 3, ms: 100 },
  // before the range: counted nowhere
  { id: 'old', namespace: 'dash.a', flowId: 'f1', state: 'FAILED', at: 30, ms: 100 },
  // conn1 succeeded, then failed last; conn2 failed, then succeeded
  {
    id: 'j1',
    namespace: 'sluice.connections',
    flowId: 'conn1',
    state: 'SUCCESS',
    at: 5,
    ms: 10,
    doc: syncDoc(100, 2000),
  },
  {
    id: 'j2',
    namespace: 'sluice.connections',
    flowId: 'conn1',
    state: 'FAILED',
    at: 4,
    ms: 10,
    doc: syncDoc(0, 0),
  },
  {
    id: 'j3',
    namespace: 'sluice.connections',
    flowId: 'conn2',
    state: 'FAILED',
    at: 5,
    ms: 10,
    doc: syncDoc(0, 0),
  },
  {
    id: 'j4',
    namespace: 'sluice.connections',
    flowId: 'conn2',
    state: 'SUCCESS',
    at: 4,
    ms: 10,
    doc: syncDoc(7, 50),
  },
];

const range = `startDate=${START.toISOString()}&endDate=${END.toISOString()}`;

describe.each(testDialects())('GET /api/v1/dashboard on $name', (dialect) => {
  let server: TestServer;
  let app: FastifyInstance;
  const get = async (query: string) => {
    const response = await app.inject({ method: 'GET', url: `/api/v1/dashboard?${query}` });
    return { status: response.statusCode, body: response.json<Dashboard>() };
  };

  beforeAll(async () => {
    server = await startTestServer(dialect);
    app = server.app;
    await insert(server.engine.db, ROWS);
  });
  afterAll(async () => server?.stop());

  test('executions by hour and state, the success ratio of the ended ones, hourly buckets for a day', async () => {
    const { body } = await get(range);
    expect(body.bucket).toBe('hour');
    expect(body.executions.total).toBe(6);
    expect(body.executions.successRatio).toBeCloseTo(4 / 5);
    expect(body.executions.timeline).toEqual([
      { date: '2026-03-10T02:00:00Z', counts: { SUCCESS: 1 } },
      { date: '2026-03-10T03:00:00Z', counts: { SUCCESS: 2 } },
      { date: '2026-03-10T09:00:00Z', counts: { SUCCESS: 1 } },
      { date: '2026-03-10T10:00:00Z', counts: { FAILED: 1 } },
      { date: '2026-03-10T11:00:00Z', counts: { RUNNING: 1 } },
    ]);
  });

  test('p50 and p95 durations by flow, busiest flow first', async () => {
    const { body } = await get(range);
    expect(body.executions.durations).toEqual([
      { namespace: 'dash.a', flowId: 'f1', count: 4, p50Ms: 1500, p95Ms: 2850 },
      { namespace: 'dash.b', flowId: 'f2', count: 1, p50Ms: 100, p95Ms: 100 },
    ]);
  });

  test('failures in the range and executions running now', async () => {
    const { body } = await get(range);
    expect(body.executions.failures.map((e) => e.id)).toEqual(['a4']);
    expect(body.executions.running.map((e) => [e.id, e.flowId, e.endDate])).toEqual([['a5', 'f1', null]]);
  });

  test('a namespace filter keeps its executions only', async () => {
    const { body } = await get(`${range}&namespace=dash.b`);
    expect([body.executions.total, body.executions.failures, body.executions.running]).toEqual([1, [], []]);
  });

  test('syncs: rows and bytes by hour, and the connections whose latest job failed', async () => {
    const { body } = await get(range);
    expect(body.syncs.timeline).toEqual([
      { date: '2026-03-10T07:00:00Z', rows: 100, bytes: 2000, jobs: 2 },
      { date: '2026-03-10T08:00:00Z', rows: 7, bytes: 50, jobs: 2 },
    ]);
    expect([body.syncs.rows, body.syncs.bytes]).toEqual([107, 2050]);
    expect(body.syncs.failing.map((c) => [c.connectionId, c.jobId, c.failures])).toEqual([
      ['conn1', 'j2', 1],
    ]);
  });

  test('a week is drawn by day', async () => {
    const { body } = await get(`endDate=${END.toISOString()}`);
    expect(body.bucket).toBe('day');
    expect(body.executions.timeline.map((t) => t.date)).toEqual([
      '2026-03-09T00:00:00Z',
      '2026-03-10T00:00:00Z',
    ]);
  });

  test('a reversed range is refused with the field named', async () => {
    const { status, body } = await get(`startDate=${END.toISOString()}&endDate=${START.toISOString()}`);
    expect(status).toBe(400);
    expect((body as unknown as { details: Array<{ path: string }> }).details[0].path).toBe('query.startDate');
  });
});

const postgres = testDialects().find((d) => d.name === 'postgres');

describe.skipIf(!postgres)(
  'the dashboard over 100,000 executions on PostgreSQL',
  { timeout: 120_000 },
  () => {
    let server: TestServer;

    beforeAll(async () => {
      server = await startTestServer(postgres!);
      const db = server.engine.db;
      // a document the size of a real one-task execution's, so that the table is as wide as in use
      const doc = JSON.stringify({ ...syncDoc(10, 1000), padding: 'x'.repeat(1500) });
      await db.query(
        `INSERT INTO executions (id, namespace, flow_id, flow_revision, state, doc, created, updated, ended)
       SELECT 'perf' || i, 'perf.ns' || (i % 5), 'flow' || (i % 40), 1,
              (ARRAY['SUCCESS','SUCCESS','SUCCESS','FAILED','WARNING','KILLED'])[1 + i % 6], $1::json,
              $2::timestamptz - (i * interval '6 seconds'), $2::timestamptz,
              $2::timestamptz - (i * interval '6 seconds') + ((i % 300) * interval '1 second')
         FROM generate_series(1, 100000) i`,
        [doc, END.toISOString()],
      );
      // 2,000 of those are connections' sync jobs, and 20 run now
      await db.query(
        `UPDATE executions SET namespace = 'sluice.connections', flow_id = 'conn' || (substr(id, 5)::int % 20)
        WHERE substr(id, 5)::int % 50 = 0`,
      );
      await db.query(
        `UPDATE executions SET state = 'RUNNING', ended = NULL WHERE substr(id, 5)::int % 5000 = 1`,
      );
      // what autovacuum does to a table that grew this much
      await db.query('VACUUM ANALYZE executions');
    });
    afterAll(async () => server?.stop());

    test('a week of 100,000 executions answers in under 300 ms on the server (median of 5)', async () => {
      const url = `/api/v1/dashboard?endDate=${END.toISOString()}`;
      const first = await server.app.inject({ method: 'GET', url });
      expect(first.json<Dashboard>().executions.total).toBe(98_000);
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        const started = performance.now();
        const response = await server.app.inject({ method: 'GET', url });
        times.push(performance.now() - started);
        expect(response.statusCode).toBe(200);
      }
      const median = times.sort((a, b) => a - b)[2];
      console.log(
        `dashboard over 100,000 executions: median ${median.toFixed(0)} ms (${times.map((t) => t.toFixed(0)).join(', ')})`,
      );
      expect(median).toBeLessThan(300);
    });
  },
);
