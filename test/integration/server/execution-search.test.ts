import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Execution } from '../../../src/engine/execution.js';
import { testDialects } from '../../support/databases.js';
import type { TestEngine } from '../../support/engine.js';
import { startTestServer, type TestServer } from '../../support/server.js';

const flow = (namespace: string, id: string, fail = false, labels = '') => `id: ${id}
namespace: ${namespace}
${labels}tasks:
  - id: t
    ${fail ? 'type: fail' : 'type: return\n    format: x'}
`;

describe.each(testDialects())('GET /api/v1/executions/search on $name', (dialect) => {
  let engine: TestEngine;
  let app: FastifyInstance;
  let server: TestServer;
  const ran: Record<string, Execution> = {};
  const search = async (query: string) => {
    const response = await app.inject({ method: 'GET', url: `/api/v1/executions/search?${query}` });
    return response.json<{ results: Execution[]; total: number; totalCapped: boolean }>();
  };
  const ids = (r: { results: Execution[] }) => r.results.map((e) => e.id);

  beforeAll(async () => {
    server = await startTestServer(dialect);
    ({ engine, app } = server);
    ran.a = await engine.run(flow('shop.orders', 'ingest', false, 'labels:\n  team: data\n'));
    ran.b = await engine.run(flow('shop.orders', 'ingest', true, 'labels:\n  team: data\n'));
    ran.c = await engine.run(flow('shop.billing', 'invoice'));
    ran.d = await engine.run(flow('other', 'ingest'));
  });
  afterAll(async () => server?.stop());

  test('newest first, with a total', async () => {
    const all = await search('');
    expect(ids(all)).toEqual([ran.d.id, ran.c.id, ran.b.id, ran.a.id]);
    expect([all.total, all.totalCapped]).toEqual([4, false]);
  });

  test('a namespace filter includes its child namespaces', async () => {
    expect(ids(await search('namespace=shop'))).toEqual([ran.c.id, ran.b.id, ran.a.id]);
  });

  test('flowId and state filter together', async () => {
    expect(ids(await search('namespace=shop.orders&flowId=ingest&state=FAILED'))).toEqual([ran.b.id]);
  });

  test('several states are any of them', async () => {
    expect(ids(await search('state=FAILED&state=SUCCESS&namespace=shop.orders'))).toEqual([
      ran.b.id,
      ran.a.id,
    ]);
  });

  test('labels filter as key:value', async () => {
    expect(ids(await search('labels=team:data'))).toEqual([ran.b.id, ran.a.id]);
    expect(ids(await search('labels=team:other'))).toEqual([]);
  });

  test('a time range filters on creation', async () => {
    const after = new Date(Date.parse(ran.c.state.startDate) - 1).toISOString();
    expect(ids(await search(`startDate=${encodeURIComponent(after)}`))).toEqual([ran.d.id, ran.c.id]);
  });

  test('pages of a given size', async () => {
    const second = await search('size=2&page=2');
    expect([ids(second), second.total]).toEqual([[ran.b.id, ran.a.id], 4]);
  });

  test('q finds text in namespace.flowId, an execution id or a label value, in any case', async () => {
    expect(ids(await search('q=inv'))).toEqual([ran.c.id]);
    expect(ids(await search('q=BILLING.INV'))).toEqual([ran.c.id]);
    expect(ids(await search(`q=${ran.b.id.slice(0, 10)}`))).toEqual([ran.b.id]);
    expect(ids(await search('q=dat'))).toEqual([ran.b.id, ran.a.id]);
    expect(ids(await search('q=nothing-like-this'))).toEqual([]);
  });

  test("sort takes Kestra's field:direction, and several break ties in order", async () => {
    expect(ids(await search('sort=state.startDate:asc'))).toEqual([ran.a.id, ran.b.id, ran.c.id, ran.d.id]);
    expect(ids(await search('sort=namespace:asc&sort=state.current:asc'))).toEqual([
      ran.d.id,
      ran.c.id,
      ran.b.id,
      ran.a.id,
    ]);
    const bad = await app.inject({ method: 'GET', url: '/api/v1/executions/search?sort=doc:asc' });
    expect(bad.statusCode).toBe(400);
  });

  test('scope USER leaves out the connections’ executions, SYSTEM keeps only them', async () => {
    expect(ids(await search('scope=USER'))).toEqual([ran.d.id, ran.c.id, ran.b.id, ran.a.id]);
    expect(ids(await search('scope=SYSTEM'))).toEqual([]);
  });

  test('the flows list shows each flow’s newest execution and its labels', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/flows/search?namespace=shop.orders' });
    const [ingest] = response.json<{ results: Array<Record<string, unknown>> }>().results;
    expect([ingest.labels, ingest.lastExecution]).toEqual([
      { team: 'data' },
      { id: ran.b.id, state: 'FAILED', date: expect.any(String) },
    ]);
  });

  // last: it adds executions the tests above do not expect
  test('a namespace filter leaves out namespaces that only start with the same letters', async () => {
    const sibling = await engine.run(flow('shop-archive', 'ingest'));
    const longer = await engine.run(flow('shops', 'ingest'));
    const nested = await engine.run(flow('shop.orders.eu', 'ingest'));
    const found = ids(await search('namespace=shop'));
    expect([found.includes(sibling.id), found.includes(longer.id), found.includes(nested.id)]).toEqual([
      false,
      false,
      true,
    ]);
  });

  test('a malformed date or label is a 400', async () => {
    const badDate = await app.inject({ method: 'GET', url: '/api/v1/executions/search?startDate=yesterday' });
    const badLabel = await app.inject({ method: 'GET', url: '/api/v1/executions/search?labels=nokey' });
    expect([badDate.statusCode, badLabel.statusCode]).toEqual([400, 400]);
  });
});
