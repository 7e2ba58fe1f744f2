import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testDialects } from '../../support/databases.js';
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
});
