import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createSchedulerBackend } from '../../../src/db/scheduler-store.js';
import { Scheduler } from '../../../src/engine/scheduler.js';
import { testDialects } from '../../support/databases.js';
import type { TestEngine } from '../../support/engine.js';
import { startTestServer, type TestServer } from '../../support/server.js';

const DAY = 24 * 3600 * 1000;
const BASE = '/api/v1/triggers/test.triggers/nightly/daily';

describe.each(testDialects())('trigger routes on $name', (dialect) => {
  let engine: TestEngine;
  let app: FastifyInstance;
  let server: TestServer;
  let scheduler: Scheduler;
  const executions = async () =>
    (
      await engine.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM executions WHERE flow_id = 'nightly'`,
      )
    ).rows[0].n;

  beforeAll(async () => {
    server = await startTestServer(dialect);
    ({ engine, app } = server);
    scheduler = new Scheduler(createSchedulerBackend(engine.db));
    await engine.deploy(`
id: nightly
namespace: test.triggers
tasks:
  - id: r
    type: return
    format: x
triggers:
  - id: daily
    type: schedule
    cron: "0 0 * * *"
`);
    await engine.deploy(`
id: hourly
namespace: test.triggers
inputs:
  - id: region
    type: STRING
    defaults: home
tasks:
  - id: r
    type: return
    format: "{{ inputs.region }}"
triggers:
  - id: every-hour
    type: schedule
    cron: "0 * * * *"
  - id: hook
    type: webhook
    key: a-long-random-key-4f9c2e81b7d3
`);
    await scheduler.tick();
  });
  afterAll(async () => server?.stop());

  test('search lists a trigger with its next fire date', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/api/v1/triggers/search?namespace=test.triggers&flowId=nightly',
    });
    const [row] = response.json().results;
    expect(row).toMatchObject({ flowId: 'nightly', triggerId: 'daily', disabled: false });
    expect(Date.parse(row.nextExecutionDate)).toBeGreaterThan(Date.now());
  });

  test('a disabled trigger does not fire; enabled again it does', async () => {
    await app.inject({ method: 'POST', url: `${BASE}/disable` });
    const before = await executions();
    await scheduler.tick(new Date(Date.now() + 2 * DAY));
    expect(await executions()).toBe(before);
    const enabled = await app.inject({ method: 'POST', url: `${BASE}/enable` });
    expect(enabled.json().disabled).toBe(false);
    await scheduler.tick(new Date(Date.now() + 2 * DAY));
    expect(await executions()).toBeGreaterThan(before);
  });

  test('backfill fires every occurrence from its start', async () => {
    const start = new Date(Math.floor(Date.now() / DAY) * DAY - 3 * DAY);
    const response = await app.inject({ method: 'POST', url: `${BASE}/unlock` });
    expect(response.statusCode).toBe(200);
    const backfill = await app.inject({
      method: 'POST',
      url: `${BASE}/backfill`,
      payload: { start: start.toISOString() },
    });
    expect(Date.parse(backfill.json().nextExecutionDate)).toBe(start.getTime());
    const before = await executions();
    await scheduler.tick();
    expect((await executions()) - before).toBe(4);
  });

  test('unlock releases a trigger held by its running execution', async () => {
    await engine.db.query(
      `UPDATE triggers SET state = '{"executionId": "held"}' WHERE flow_id = 'nightly' AND trigger_id = 'daily'`,
    );
    const response = await app.inject({ method: 'POST', url: `${BASE}/unlock` });
    expect(response.json().executionId).toBeNull();
  });

  test('an unknown trigger: 404; a backfill without start: 400', async () => {
    const unknown = await app.inject({
      method: 'POST',
      url: '/api/v1/triggers/test.triggers/nightly/nope/disable',
    });
    const noStart = await app.inject({ method: 'POST', url: `${BASE}/backfill`, payload: {} });
    expect([unknown.statusCode, noStart.statusCode]).toEqual([404, 400]);
  });

  test('search lists every trigger of a flow with its type; only Schedule triggers are scheduled', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/triggers/search?flowId=hourly' });
    const rows = response.json().results as Array<{ triggerId: string; type: string; scheduled: boolean }>;
    expect(rows.map((r) => [r.triggerId, r.scheduled])).toEqual([
      ['every-hour', true],
      ['hook', false],
    ]);
  });

  test('a backfill with an end, inputs and labels fires up to its end, then the schedule resumes', async () => {
    const HOUR = 3600 * 1000;
    const url = '/api/v1/triggers/test.triggers/hourly/every-hour';
    const resume = (await app.inject({ method: 'GET', url: '/api/v1/triggers/search?flowId=hourly' })).json()
      .results[0].nextExecutionDate;
    const start = new Date(Math.floor(Date.now() / HOUR) * HOUR - 10 * HOUR);
    const end = new Date(start.getTime() + 2 * HOUR);
    const asked = await app.inject({
      method: 'POST',
      url: `${url}/backfill`,
      payload: {
        start: start.toISOString(),
        end: end.toISOString(),
        inputs: { region: 'north' },
        labels: { reason: 'replay' },
      },
    });
    expect(asked.json().backfill).toMatchObject({ total: 3, fired: 0, done: false });
    const started = async () =>
      (
        await engine.db.query<{ doc: { inputs: { region: string }; labels: object[] } }>(
          `SELECT doc FROM executions WHERE flow_id = 'hourly' ORDER BY created`,
        )
      ).rows.map((r) => r.doc);
    const before = (await started()).length;
    await scheduler.tick();
    const fired = (await started()).slice(before);
    expect(fired.map((doc) => doc.inputs.region)).toEqual(['north', 'north', 'north']);
    expect(fired[0].labels).toContainEqual({ key: 'reason', value: 'replay' });
    const after = (await app.inject({ method: 'GET', url: '/api/v1/triggers/search?flowId=hourly' })).json()
      .results[0];
    expect(after.backfill).toMatchObject({ total: 3, fired: 3, done: true });
    expect(after.nextExecutionDate).toBe(resume);
  });

  test('a backfill whose end comes before its start is refused, the field named', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/triggers/test.triggers/hourly/every-hour/backfill',
      payload: { start: '2026-01-02T00:00:00Z', end: '2026-01-01T00:00:00Z' },
    });
    expect([response.statusCode, response.json().details[0].path]).toEqual([400, 'body.end']);
  });
});
