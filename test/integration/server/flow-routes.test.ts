import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testDialects } from '../../support/databases.js';
import { startTestServer, type TestServer } from '../../support/server.js';

const yaml = (id: string, message = 'hi', extra = '') => `id: ${id}
namespace: company.team
description: says ${message}
${extra}tasks:
  - id: say
    type: log
    message: ${message}
`;

describe.each(testDialects())('flow routes on $name', (dialect) => {
  let app: FastifyInstance;
  let server: TestServer;
  const send = (method: 'POST' | 'PUT', url: string, body: string) =>
    app.inject({ method, url, headers: { 'content-type': 'application/x-yaml' }, payload: body });

  beforeAll(async () => {
    server = await startTestServer(dialect);
    ({ app } = server);
  });
  afterAll(async () => server?.stop());

  test('PUT saves a new revision and GET returns the newest one', async () => {
    await send('POST', '/api/v1/flows', yaml('versioned', 'one'));
    const put = await send('PUT', '/api/v1/flows/company.team/versioned', yaml('versioned', 'two'));
    expect(put.json().revision).toBe(2);
    const got = await app.inject({ method: 'GET', url: '/api/v1/flows/company.team/versioned' });
    expect([got.json().revision, got.json().description]).toEqual([2, 'says two']);
  });

  test('GET …/revisions lists every revision with its source', async () => {
    await send('POST', '/api/v1/flows', yaml('history', 'a'));
    await send('PUT', '/api/v1/flows/company.team/history', yaml('history', 'b'));
    const response = await app.inject({ method: 'GET', url: '/api/v1/flows/company.team/history/revisions' });
    expect(response.json().map((r: { revision: number; source: string }) => [r.revision, r.source])).toEqual([
      [1, yaml('history', 'a')],
      [2, yaml('history', 'b')],
    ]);
  });

  test('PUT to a path that does not match the YAML: 422; to an unknown flow: 404', async () => {
    await send('POST', '/api/v1/flows', yaml('mismatch'));
    const wrong = await send('PUT', '/api/v1/flows/company.team/other-name', yaml('mismatch'));
    const unknown = await send('PUT', '/api/v1/flows/company.team/never-saved', yaml('never-saved'));
    expect([wrong.statusCode, unknown.statusCode]).toEqual([422, 404]);
  });

  test('DELETE removes the flow from GET and search, and a later save starts again', async () => {
    await send('POST', '/api/v1/flows', yaml('doomed'));
    const deleted = await app.inject({ method: 'DELETE', url: '/api/v1/flows/company.team/doomed' });
    const got = await app.inject({ method: 'GET', url: '/api/v1/flows/company.team/doomed' });
    const again = await app.inject({ method: 'DELETE', url: '/api/v1/flows/company.team/doomed' });
    expect([deleted.statusCode, got.statusCode, again.statusCode]).toEqual([204, 404, 404]);
    const saved = await send('POST', '/api/v1/flows', yaml('doomed'));
    expect(saved.statusCode).toBe(200);
  });

  test('POST /validate answers valid or the errors with their lines, and saves nothing', async () => {
    const ok = await send('POST', '/api/v1/flows/validate', yaml('not-saved'));
    const bad = await send('POST', '/api/v1/flows/validate', 'id: x\nnamespace: company.team\ntasks: []\n');
    expect(ok.json()).toMatchObject({ valid: true, id: 'not-saved', errors: [] });
    expect(bad.json().valid).toBe(false);
    expect(bad.json().errors[0]).toMatchObject({ line: 3 });
    const got = await app.inject({ method: 'GET', url: '/api/v1/flows/company.team/not-saved' });
    expect(got.statusCode).toBe(404);
  });

  test('search filters by namespace (with children) and by text, with a total and paging', async () => {
    await send('POST', '/api/v1/flows', yaml('alpha-report'));
    await send('POST', '/api/v1/flows', yaml('beta-report'));
    await send('POST', '/api/v1/flows', yaml('elsewhere').replace('company.team', 'other'));
    const byText = await app.inject({
      method: 'GET',
      url: '/api/v1/flows/search?q=report&namespace=company',
    });
    expect(byText.json().results.map((f: { id: string }) => f.id)).toEqual(['alpha-report', 'beta-report']);
    const paged = await app.inject({ method: 'GET', url: '/api/v1/flows/search?q=report&size=1&page=2' });
    expect([paged.json().total, paged.json().results[0].id]).toEqual([2, 'beta-report']);
  });

  test('distinct-namespaces lists the namespaces of live flows', async () => {
    await send('POST', '/api/v1/flows', yaml('ns-probe').replace('company.team', 'zeta.probe'));
    const response = await app.inject({ method: 'GET', url: '/api/v1/flows/distinct-namespaces' });
    expect(response.json()).toContain('zeta.probe');
  });

  test('disable writes disabled into the YAML as a new revision, and a disabled flow cannot be executed', async () => {
    await send('POST', '/api/v1/flows', yaml('switchable'));
    const off = await app.inject({
      method: 'POST',
      url: '/api/v1/flows/disable/by-ids',
      payload: [{ namespace: 'company.team', id: 'switchable' }],
    });
    expect(off.json().flows[0].source).toContain('disabled: true');
    const run = await app.inject({
      method: 'POST',
      url: '/api/v1/executions/company.team/switchable',
      payload: {},
    });
    expect(run.statusCode).toBe(409);
    await app.inject({
      method: 'POST',
      url: '/api/v1/flows/enable/by-ids',
      payload: [{ namespace: 'company.team', id: 'switchable' }],
    });
    const again = await app.inject({
      method: 'POST',
      url: '/api/v1/executions/company.team/switchable',
      payload: {},
    });
    expect(again.statusCode).toBe(200);
  });
});
