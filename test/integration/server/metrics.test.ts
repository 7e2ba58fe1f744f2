import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testDialects } from '../../support/databases.js';
import { createSyncStateStore } from '../../../src/db/sync-state-store.js';
import type { TestEngine } from '../../support/engine.js';
import { startTestServer, type TestServer } from '../../support/server.js';

describe.each(testDialects())('GET /metrics on $name', (dialect) => {
  let engine: TestEngine;
  let app: FastifyInstance;
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(dialect);
    ({ engine, app } = server);
  });
  afterAll(async () => server?.stop());

  test('Prometheus text with HTTP latency, active executions, queue depth and lag', async () => {
    await engine.db.query(
      `INSERT INTO executions (id, namespace, flow_id, flow_revision, state, doc) VALUES ('m1', 'ns', 'f', 1, 'PAUSED', '{}')`,
    );
    await engine.db.query(`INSERT INTO queue (consumer, key, payload) VALUES ('scheduler', 'x', '{}')`);
    await app.inject({ method: 'GET', url: '/health' });
    const response = await app.inject({ method: 'GET', url: '/metrics' });
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    const text = response.body;
    expect(text).toMatch(
      /sluice_http_request_duration_seconds_count\{method="GET",route="\/health",status="200"\} 1/,
    );
    expect(text).toMatch(/sluice_executions_active\{state="PAUSED"\} 1/);
    expect(text).toMatch(/sluice_queue_depth\{consumer="scheduler"\} 1/);
    expect(text).toMatch(/sluice_queue_lag_seconds\{consumer="scheduler"\} [\d.e-]+/);
    expect(text).toMatch(/sluice_process_resident_memory_bytes \d+/);
  });

  test('task runs of active executions by state, and what syncs committed', async () => {
    await engine.db.query(
      `INSERT INTO executions (id, namespace, flow_id, flow_revision, state, doc) VALUES ('m2', 'ns', 'f', 1, 'RUNNING',
         '{"taskRunList": [{"state": {"current": "RUNNING"}}, {"state": {"current": "SUCCESS"}}]}')`,
    );
    const progress = (taskRunId: string, records: number) => ({
      taskRunId,
      recordsCommitted: records,
      bytesCommitted: records * 100,
      streams: {},
    });
    const states = createSyncStateStore(engine.db);
    // two checkpoints of one run, then another run: 30 + 5
    await states.saveState('ns/f/sync', null, progress('run-1', 10));
    await states.saveState('ns/f/sync', null, progress('run-1', 30));
    await states.saveState('ns/f/sync', null, progress('run-2', 5));
    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(text).toMatch(/sluice_task_runs_active\{state="RUNNING"\} 1/);
    expect(text).toMatch(/sluice_sync_records_committed 35\n/);
    expect(text).toMatch(/sluice_sync_bytes_committed 3500\n/);
  });
});
