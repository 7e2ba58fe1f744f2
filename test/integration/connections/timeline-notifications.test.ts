import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { recordConnectionEvent } from '../../../src/connections/timeline.js';
import { notifierFor } from '../../../src/notifications/dispatcher.js';
import { testDialects } from '../../support/databases.js';
import { TEST_CIPHER } from '../../support/engine.js';
import { injectJson, startTestServer, type TestServer } from '../../support/server.js';
import { until } from '../../support/until.js';

// A connection's timeline and the notifications its events and flows' ends set off, through the API:
// real jobs on the engine, an observer recording them, and a receiver on loopback taking the
// webhooks — Slack's JSON on one path, Sluice's plain JSON on others.

const FIXTURES = fileURLToPath(new URL('../../fixtures/connectors/', import.meta.url));
const dialect = testDialects().at(-1)!;

interface Received {
  path: string;
  body: Record<string, unknown>;
}

describe(`connection timeline and notifications on ${dialect.name}`, () => {
  let server: TestServer;
  let receiver: Server;
  let hook: string;
  let dir: string;
  let destinationId: string;
  const received: Received[] = [];
  const bodies: string[] = [];

  async function call(method: string, url: string, payload?: unknown) {
    const answer = await injectJson(server, method, url, payload);
    bodies.push(answer.text);
    return answer;
  }

  const at = (p: string) => received.filter((r) => r.path === p);

  async function connection(source: Record<string, unknown>, name = 'users'): Promise<string> {
    const created = await call('POST', '/api/v1/sources', {
      name,
      configuration: { sourceType: 'fixture', streams: [{ name: 'users', count: 12 }], ...source },
    });
    const c = await call('POST', '/api/v1/connections', {
      name,
      sourceId: created.body.sourceId,
      destinationId,
    });
    expect(c.status).toBe(200);
    return c.body.connectionId as string;
  }

  async function job(connectionId: string) {
    const created = await call('POST', '/api/v1/jobs', { connectionId, jobType: 'sync' });
    return until(
      'the job ended',
      async () => {
        const { body } = await call('GET', `/api/v1/jobs/${String(created.body.jobId)}`);
        return ['succeeded', 'failed', 'cancelled'].includes(body.status as string) ? body : undefined;
      },
      30_000,
    );
  }

  async function timeline(connectionId: string, eventTypes?: string[]) {
    const { status, body } = await call('POST', '/api/v1/connections/events/list', {
      connectionId,
      ...(eventTypes && { eventTypes }),
    });
    expect(status).toBe(200);
    return body.events as {
      id: string;
      eventType: string;
      createdAt: string;
      summary: Record<string, unknown>;
    }[];
  }

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sluice-timeline-'));
    receiver = createServer((req: IncomingMessage, res) => {
      let text = '';
      req.on('data', (chunk: Buffer) => (text += chunk.toString()));
      req.on('end', () => {
        // /hang never answers: a receiver that hangs must not hold anything up
        if (req.url === '/hang') return;
        received.push({ path: req.url ?? '', body: JSON.parse(text) as Record<string, unknown> });
        res.writeHead(req.url === '/broken' ? 500 : 200).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    server = await startTestServer(dialect, { engine: { observer: true } });
    // short backoff for the one test of bounded retries; first caller's options are kept
    notifierFor({ db: server.engine.db, cipher: TEST_CIPHER, delivery: { backoffMs: 50, timeoutMs: 1000 } });
    for (const [name, kind, file] of [
      ['fixture', 'source', 'source.mjs'],
      ['jsonl', 'destination', 'destination.mjs'],
    ]) {
      await call('POST', '/api/v1/connector_definitions', {
        name,
        kind,
        command: [process.execPath, path.join(FIXTURES, file)],
      });
    }
    destinationId = (
      await call('POST', '/api/v1/destinations', {
        name: 'file',
        configuration: { destinationType: 'jsonl', path: path.join(dir, 'dest.jsonl') },
      })
    ).body.destinationId as string;
  });
  afterAll(async () => {
    await server?.stop();
    receiver?.closeAllConnections();
    await new Promise((r) => receiver?.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  test('installation settings are stored with the webhook URLs encrypted and answered masked', async () => {
    const put = await call('PUT', '/api/v1/notifications/settings', {
      notificationSettings: {
        sendOnFailure: {
          notificationType: ['slack', 'webhook'],
          slackConfiguration: { webhook: `${hook}/slack/T000/B000/XXXX` },
          webhookConfiguration: { url: `${hook}/failure` },
        },
        sendOnSuccess: { notificationType: ['webhook'], webhookConfiguration: { url: `${hook}/success` } },
        sendOnSyncDisabled: {
          notificationType: ['webhook'],
          webhookConfiguration: { url: `${hook}/disabled` },
        },
        sendOnConnectionUpdate: {
          notificationType: ['webhook'],
          webhookConfiguration: { url: `${hook}/schema` },
        },
      },
    });
    expect(put.status).toBe(200);
    const failure = (put.body.notificationSettings as Record<string, Record<string, Record<string, string>>>)
      .sendOnFailure;
    expect(failure.slackConfiguration.webhook).toBe(`${hook}/**********`);
    const { rows } = await server.engine.db.query<{ text: string }>(
      'SELECT settings::text AS text FROM notification_settings',
    );
    expect(rows.some((r) => r.text.includes('/slack/T000') || r.text.includes('/failure'))).toBe(false);
  });

  test('a masked URL sent back keeps the stored one', async () => {
    const { body: before } = await call('GET', '/api/v1/notifications/settings');
    expect((await call('PUT', '/api/v1/notifications/settings', before)).status).toBe(200);
    const tried = await call('POST', '/api/v1/notifications/try', {
      notificationType: ['slack'],
      slackConfiguration: { webhook: `${hook}/**********` },
    });
    expect(tried.body).toMatchObject({ status: 'succeeded' });
    expect(at('/slack/T000/B000/XXXX').map((r) => r.body.text)).toEqual([
      'Sluice test notification: Notifications from this Sluice installation reach this channel.',
    ]);
  });

  test('a URL that is not http or https is refused', async () => {
    const { status } = await call('PUT', '/api/v1/notifications/settings', {
      notificationSettings: {
        sendOnFailure: { notificationType: ['webhook'], webhookConfiguration: { url: 'file:///etc/passwd' } },
      },
    });
    expect(status).toBe(422);
  });

  test('a sync that succeeds: started and succeeded on the timeline with its counts, and the success notified', async () => {
    const id = await connection({ stateEvery: 5 }, 'happy');
    const done = await job(id);
    expect(done.status).toBe('succeeded');
    const events = await until('both events', async () => {
      const e = await timeline(id);
      return e.length === 2 ? e : undefined;
    });
    expect(events.map((e) => e.eventType)).toEqual(['SYNC_SUCCEEDED', 'SYNC_STARTED']);
    expect(events[0].summary).toMatchObject({ jobId: done.jobId, recordsLoaded: 12, attemptsCount: 1 });
    const sent = await until('the success notified', () => at('/success')[0]);
    expect(sent.body).toMatchObject({
      event: 'sendOnSuccess',
      title: 'Sync succeeded: happy',
      connection: { id, name: 'happy' },
      facts: { jobId: done.jobId, recordsLoaded: 12 },
    });
  });

  test('a sync that fails: the reason on the timeline, Slack gets {text, blocks}, the webhook plain JSON', async () => {
    const id = await connection({ failAfter: 3, failureType: 'config_error' }, 'broken');
    const done = await job(id);
    expect(done.status).toBe('failed');
    const [failed] = await until('the failure recorded', async () => {
      const events = await timeline(id, ['SYNC_FAILED']);
      return events.length > 0 ? events : undefined;
    });
    expect(failed.summary).toMatchObject({
      failureType: 'config_error',
      failureReason: { failureType: 'config_error', failureOrigin: 'source' },
    });
    const slack = await until('Slack notified', () =>
      at('/slack/T000/B000/XXXX').find(
        (r) => r.body.text !== undefined && String(r.body.text).startsWith('Sync'),
      ),
    );
    expect(slack.body.text).toMatch(/^Sync failed: broken: source read failed \(config_error\)/);
    expect(slack.body.blocks).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'section' })]));
    const plain = await until('the webhook notified', () =>
      at('/failure').find((r) => r.body.event === 'sendOnFailure'),
    );
    expect(plain.body).toMatchObject({ connection: { id }, facts: { failureType: 'config_error' } });
  });

  test('disabling a connection and changing its settings are on the timeline; disabling is notified', async () => {
    const id = await connection({}, 'to-disable');
    expect(
      (await call('PATCH', `/api/v1/connections/${id}`, { status: 'inactive', name: 'renamed' })).status,
    ).toBe(200);
    const events = await timeline(id);
    expect(events.map((e) => e.eventType).sort()).toEqual([
      'CONNECTION_DISABLED',
      'CONNECTION_SETTINGS_UPDATE',
    ]);
    expect(events.find((e) => e.eventType === 'CONNECTION_SETTINGS_UPDATE')?.summary).toEqual({
      patches: { name: { from: 'to-disable', to: 'renamed' } },
    });
    const sent = await until('the disabling notified', () => at('/disabled')[0]);
    expect(sent.body).toMatchObject({ event: 'sendOnSyncDisabled', title: 'Connection disabled: renamed' });
  });

  test('schema changes recorded by recordConnectionEvent notify only connections that ask for it', async () => {
    const quiet = await connection({}, 'quiet');
    const put = await call('PUT', `/api/v1/connections/${quiet}/notifications`, {
      notifySchemaChanges: false,
    });
    expect(put.body).toMatchObject({ notifySchemaChanges: false });
    const loud = await connection({}, 'loud');
    const deps = { db: server.engine.db, cipher: TEST_CIPHER };
    for (const connectionId of [quiet, loud]) {
      await recordConnectionEvent(deps, {
        connectionId,
        eventType: 'SCHEMA_UPDATE',
        summary: { message: 'stream users: column email added', breaking: false },
      });
    }
    expect((await timeline(quiet, ['SCHEMA_UPDATE'])).length).toBe(1);
    const sent = await until('the schema change notified', () => at('/schema')[0]);
    expect(sent.body).toMatchObject({
      connection: { id: loud },
      message: 'stream users: column email added',
    });
    await notifierFor({ db: server.engine.db, cipher: TEST_CIPHER }).drained();
    expect(at('/schema').map((r) => (r.body.connection as { id: string }).id)).toEqual([loud]);
  });

  test("a connection's own item replaces the installation's for that event", async () => {
    const id = await connection({}, 'own');
    await call('PUT', `/api/v1/connections/${id}/notifications`, {
      notificationSettings: {
        sendOnSuccess: { notificationType: ['webhook'], webhookConfiguration: { url: `${hook}/own` } },
      },
    });
    await job(id);
    const sent = await until('the connection’s own webhook', () => at('/own')[0]);
    expect(sent.body).toMatchObject({ connection: { id } });
    await notifierFor({ db: server.engine.db, cipher: TEST_CIPHER }).drained();
    expect(at('/success').filter((r) => (r.body.connection as { id: string }).id === id)).toEqual([]);
  });

  test('a flow that fails is notified from its own settings, without a task for it', async () => {
    await server.engine.deploy(`
id: nightly
namespace: tests.notify
tasks:
  - id: broken
    type: fail
    errorMessage: the nightly load found no file
`);
    expect(
      (
        await call('PUT', '/api/v1/flows/tests.notify/nightly/notifications', {
          notificationSettings: {
            sendOnFlowFailure: {
              notificationType: ['webhook'],
              webhookConfiguration: { url: `${hook}/flow` },
            },
          },
        })
      ).status,
    ).toBe(200);
    const started = await server.app.inject({
      method: 'POST',
      url: '/api/v1/executions/tests.notify/nightly',
    });
    expect(started.statusCode).toBe(200);
    const sent = await until('the flow failure notified', () => at('/flow')[0], 20_000);
    expect(sent.body).toMatchObject({
      event: 'sendOnFlowFailure',
      flow: { namespace: 'tests.notify', id: 'nightly', state: 'FAILED' },
      message: expect.stringContaining('the nightly load found no file'),
    });
  });

  test('a receiver that hangs or fails holds up no sync, and a failing one is tried a bounded number of times', async () => {
    await call('PUT', '/api/v1/notifications/settings', {
      notificationSettings: {
        sendOnSuccess: {
          notificationType: ['slack', 'webhook'],
          slackConfiguration: { webhook: `${hook}/hang` },
          webhookConfiguration: { url: `${hook}/broken` },
        },
      },
    });
    const id = await connection({}, 'unheard');
    const started = Date.now();
    const done = await job(id);
    expect(done.status).toBe('succeeded');
    expect(Date.now() - started).toBeLessThan(10_000);
    await until('three tries of the failing receiver', () => at('/broken').length === 3);
    await notifierFor({ db: server.engine.db, cipher: TEST_CIPHER }).drained();
    expect(at('/broken')).toHaveLength(3);
  });

  test('no answer held a webhook URL in clear', () => {
    expect(bodies.filter((b) => b.includes('/slack/T000') || b.includes(`${hook}/failure`))).toEqual([]);
  });
});
