import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Execution } from '../../../src/engine/execution.js';
import { testDialects } from '../../support/databases.js';
import type { TestEngine } from '../../support/engine.js';
import { startTestServer, type TestServer } from '../../support/server.js';
import { until } from '../../support/until.js';

const flow = (id: string, task: string) => `id: ${id}
namespace: bulk
tasks:
  - id: t
    ${task}
`;
const FAIL = 'type: fail';
const LOG = 'type: log\n    message: hi';
const SLEEP = 'type: sleep\n    duration: PT30S';

describe.each(testDialects())('bulk actions on executions on $name', (dialect) => {
  let engine: TestEngine;
  let app: FastifyInstance;
  let server: TestServer;
  const get = async (id: string) =>
    (await app.inject({ method: 'GET', url: `/api/v1/executions/${id}` })).json<Execution>();
  const start = async (id: string, task: string) => {
    await engine.deploy(flow(id, task));
    return (await app.inject({ method: 'POST', url: `/api/v1/executions/bulk/${id}` })).json<Execution>();
  };
  const bulk = (method: 'POST' | 'DELETE', url: string, payload: unknown) =>
    app.inject({ method, url: `/api/v1/executions/${url}`, payload: payload as string[] });

  beforeAll(async () => {
    server = await startTestServer(dialect);
    ({ engine, app } = server);
  });
  afterAll(async () => server?.stop());

  test('restart by ids acts on none when one cannot restart, and names it', async () => {
    const failed = await engine.run(flow('broken', FAIL));
    const ok = await engine.run(flow('fine', LOG));
    const mixed = await bulk('POST', 'restart/by-ids', [failed.id, ok.id]);
    expect([mixed.statusCode, mixed.json().details]).toEqual([
      409,
      [{ path: ok.id, message: `${ok.id} is SUCCESS: only a FAILED or KILLED execution can be restarted` }],
    ]);
    expect((await get(failed.id)).state.current).toBe('FAILED');
    const restarted = await bulk('POST', 'restart/by-ids', [failed.id]);
    expect([restarted.statusCode, restarted.json()]).toEqual([200, { count: 1 }]);
    await until(
      'the restart to fail again',
      async () => (await get(failed.id)).taskRunList[0].attempts.length === 2,
    );
  });

  test('two restarts of one execution at once: one is accepted, the other refused', async () => {
    const failed = await engine.run(flow('broken-twice', FAIL));
    const answers = await Promise.all(
      [1, 2].map(() => app.inject({ method: 'POST', url: `/api/v1/executions/${failed.id}/restart` })),
    );
    expect(answers.map((a) => a.statusCode).sort()).toEqual([202, 409]);
  });

  test('kill by ids stops running executions; an ended one in the list refuses the whole request', async () => {
    const [a, b] = [await start('sleepy-a', SLEEP), await start('sleepy-b', SLEEP)];
    const ended = await engine.run(flow('done', LOG));
    expect((await bulk('DELETE', 'kill/by-ids', [a.id, ended.id])).statusCode).toBe(409);
    const killed = await bulk('DELETE', 'kill/by-ids', [a.id, b.id]);
    expect([killed.statusCode, killed.json()]).toEqual([200, { count: 2 }]);
    await until('both to be killed', async () =>
      (await Promise.all([get(a.id), get(b.id)])).every((e) => e.state.current === 'KILLED'),
    );
  });

  test('delete by ids removes ended executions with their logs; a running one is refused', async () => {
    const running = await start('sleepy-c', SLEEP);
    const ended = await engine.run(flow('to-delete', LOG));
    expect((await engine.logs(ended.id)).length).toBeGreaterThan(0);
    const refused = await bulk('DELETE', 'by-ids', [ended.id, running.id]);
    expect([refused.statusCode, refused.json().details[0].path]).toEqual([409, running.id]);
    expect((await bulk('DELETE', 'by-ids', [ended.id])).json()).toEqual({ count: 1 });
    const gone = await app.inject({ method: 'GET', url: `/api/v1/executions/${ended.id}` });
    expect([gone.statusCode, (await engine.logs(ended.id)).length]).toEqual([404, 0]);
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/executions/${ended.id}` })).statusCode).toBe(
      404,
    );
    await app.inject({ method: 'DELETE', url: `/api/v1/executions/${running.id}/kill` });
  });

  test('labels by ids add and replace labels of ended executions, and the label filter finds them', async () => {
    const one = await engine.run(flow('labelled', LOG));
    const two = await engine.run(flow('labelled', LOG));
    await bulk('POST', 'labels/by-ids', {
      executionsId: [one.id],
      executionLabels: [{ key: 'team', value: 'old' }],
    });
    const set = await bulk('POST', 'labels/by-ids', {
      executionsId: [one.id, two.id],
      executionLabels: [
        { key: 'team', value: 'data' },
        { key: 'review', value: 'yes' },
      ],
    });
    expect(set.json()).toEqual({ count: 2 });
    const own = (await get(one.id)).labels.filter((l) => !l.key.startsWith('system.'));
    expect(own).toEqual([
      { key: 'team', value: 'data' },
      { key: 'review', value: 'yes' },
    ]);
    const found = await app.inject({ method: 'GET', url: '/api/v1/executions/search?labels=team:data' });
    expect(
      found
        .json<{ results: Execution[] }>()
        .results.map((e) => e.id)
        .sort(),
    ).toEqual([one.id, two.id].sort());
  });
});
