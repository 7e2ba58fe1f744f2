import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createRetentionBackend } from '../../../src/db/retention-store.js';
import { purgeExpired } from '../../../src/engine/retention.js';
import { testDialects } from '../../support/databases.js';
import { runOf, type TestEngine } from '../../support/engine.js';
import { startTestServer, type TestServer } from '../../support/server.js';

const KV = '/api/v1/namespaces/company.team/kv';

describe.each(testDialects())('the KV store on $name', (dialect) => {
  let server: TestServer;
  let app: FastifyInstance;
  let engine: TestEngine;
  const put = (key: string, body: string, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'PUT',
      url: `${KV}/${key}`,
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
  const get = (key: string, ns = 'company.team') =>
    app.inject({ method: 'GET', url: `/api/v1/namespaces/${ns}/kv/${key}` });

  beforeAll(async () => {
    server = await startTestServer(dialect);
    ({ app, engine } = server);
  });
  afterAll(async () => server?.stop());

  test('the API keeps the type of each value it is given', async () => {
    const cases: Array<[string, string, string, unknown]> = [
      ['s', '"hello"', 'STRING', 'hello'],
      ['n', '42.5', 'NUMBER', 42.5],
      ['b', 'true', 'BOOLEAN', true],
      ['j', '{"a":[1,2]}', 'JSON', { a: [1, 2] }],
      ['d', '2024-02-29', 'DATE', '2024-02-29'],
      ['dt', '2024-02-29T10:00:00+01:00', 'DATETIME', '2024-02-29T09:00:00.000Z'],
      ['dur', '"PT5M"', 'DURATION', 'PT5M'],
      ['bare', 'some text', 'STRING', 'some text'],
    ];
    for (const [key, body, type, value] of cases) {
      expect((await put(key, body)).statusCode, key).toBe(204);
      expect((await get(key)).json(), key).toEqual({ type, value });
    }
  });

  test('text/plain bodies are read like JSON ones', async () => {
    const response = await app.inject({
      method: 'PUT',
      url: `${KV}/plain`,
      headers: { 'content-type': 'text/plain' },
      body: '7',
    });
    expect(response.statusCode).toBe(204);
    expect((await get('plain')).json()).toEqual({ type: 'NUMBER', value: 7 });
  });

  test('a missing key is 404, a key of forbidden characters 400, broken JSON 400', async () => {
    expect((await get('nope')).statusCode).toBe(404);
    expect((await get('nope')).json().message).toBe(
      "No value found for key 'nope' in namespace 'company.team'",
    );
    expect((await put('.hidden', '1')).statusCode).toBe(400);
    expect((await put('k', '{"a":')).statusCode).toBe(400);
    expect((await put('k', '1', { ttl: 'soon' })).statusCode).toBe(400);
    expect((await app.inject({ method: 'GET', url: '/api/v1/namespaces/Bad..NS/kv' })).statusCode).toBe(400);
  });

  test('list shows keys with their dates and description, never their values', async () => {
    await put('listed', '"secretish"', { description: 'a note', ttl: 'PT1H' });
    const entries = (await app.inject({ method: 'GET', url: KV })).json();
    const listed = entries.find((e: { key: string }) => e.key === 'listed');
    expect(listed).toMatchObject({ key: 'listed', description: 'a note' });
    expect(Date.parse(listed.expirationDate) - Date.now()).toBeGreaterThan(3_500_000);
    expect(JSON.stringify(entries)).not.toContain('secretish');
  });

  test('delete answers whether the key existed; bulk delete answers the keys that did', async () => {
    await put('gone', '1');
    expect((await app.inject({ method: 'DELETE', url: `${KV}/gone` })).json()).toBe(true);
    expect((await app.inject({ method: 'DELETE', url: `${KV}/gone` })).json()).toBe(false);
    await put('x1', '1');
    const bulk = await app.inject({ method: 'DELETE', url: KV, payload: { keys: ['x1', 'x2'] } });
    expect(bulk.json()).toEqual({ keys: ['x1'] });
  });

  test('an expired key is gone at once for readers, and the cron purges its row', async () => {
    await put('short', '1', { ttl: 'PT0.05S' });
    await new Promise((r) => setTimeout(r, 100));
    expect((await get('short')).statusCode).toBe(404);
    const keys = (await app.inject({ method: 'GET', url: KV })).json().map((e: { key: string }) => e.key);
    expect(keys).not.toContain('short');
    const purged = await purgeExpired(createRetentionBackend(engine.db), undefined, {});
    expect(purged.keys).toBeGreaterThanOrEqual(1);
    const { rows } = await engine.db.query(`SELECT 1 FROM kv WHERE key = 'short'`);
    expect(rows).toHaveLength(0);
  });

  test('kv() reads typed values, from another namespace too, and errorOnMissing fails the task', async () => {
    await put('cfg', '{"field":"deep","n":3}');
    await app.inject({
      method: 'PUT',
      url: '/api/v1/namespaces/other/kv/greeting',
      headers: { 'content-type': 'application/json' },
      body: '"hi"',
    });
    const exec = await engine.run(`
id: reads-kv
namespace: company.team
tasks:
  - id: own
    type: return
    format: "{{ kv('cfg').field }}-{{ kv('cfg').n + 1 }}"
  - id: other
    type: return
    format: "{{ kv('greeting', 'other') }}"
  - id: missing
    type: return
    format: "{{ kv('missing') ?? 'none' }}"
  - id: strict
    type: return
    format: "{{ kv('missing', errorOnMissing=true) }}"
`);
    expect(runOf(exec, 'own').outputs).toEqual({ value: 'deep-4' });
    expect(runOf(exec, 'other').outputs).toEqual({ value: 'hi' });
    expect(runOf(exec, 'missing').outputs).toEqual({ value: 'none' });
    expect(runOf(exec, 'strict').state.current).toBe('FAILED');
    const logs = await engine.logs(exec.id);
    expect(logs.map((l) => l.message).join('\n')).toContain(
      "The key 'missing' does not exist in the namespace 'company.team'.",
    );
  });

  test('the kv tasks set, get, list and delete keys, typed by kvType', async () => {
    const exec = await engine.run(`
id: kv-tasks
namespace: company.tasks
tasks:
  - id: set_number
    type: io.kestra.plugin.core.kv.Set
    key: counter
    value: "{{ 40 + 2 }}"
  - id: set_date
    type: io.kestra.plugin.core.kv.Set
    key: day
    value: "2024-05-01"
    kvType: DATE
  - id: set_map
    type: io.kestra.plugin.core.kv.Set
    key: config
    value: { a: 1 }
  - id: keep
    type: io.kestra.plugin.core.kv.Set
    key: counter
    value: "0"
    overwrite: false
    allowFailure: true
  - id: get
    type: io.kestra.plugin.core.kv.Get
    key: counter
  - id: keys
    type: io.kestra.plugin.core.kv.GetKeys
    prefix: c
  - id: delete
    type: io.kestra.plugin.core.kv.Delete
    key: day
  - id: delete_again
    type: io.kestra.plugin.core.kv.Delete
    key: day
  - id: get_missing
    type: io.kestra.plugin.core.kv.Get
    key: day
    errorOnMissing: true
`);
    expect(runOf(exec, 'keep').state.current).toBe('WARNING');
    expect(runOf(exec, 'get').outputs).toEqual({ value: 42 });
    expect(runOf(exec, 'keys').outputs).toEqual({ keys: ['config', 'counter'] });
    expect(runOf(exec, 'delete').outputs).toEqual({ deleted: true });
    expect(runOf(exec, 'delete_again').outputs).toEqual({ deleted: false });
    expect(runOf(exec, 'get_missing').state.current).toBe('FAILED');
    expect((await get('config', 'company.tasks')).json()).toEqual({ type: 'JSON', value: { a: 1 } });
    expect((await get('counter', 'company.tasks')).json()).toEqual({ type: 'NUMBER', value: 42 });
  });

  test('a kv.Set ttl makes the key expire', async () => {
    await engine.run(`
id: kv-ttl
namespace: company.ttl
tasks:
  - id: set
    type: io.kestra.plugin.core.kv.Set
    key: brief
    value: here
    ttl: PT0.05S
`);
    await new Promise((r) => setTimeout(r, 100));
    expect((await get('brief', 'company.ttl')).statusCode).toBe(404);
  });

  test('state tasks keep a map per flow and loop value, merged by Set, as Kestra state.yaml expects', async () => {
    const flow = `
id: stateful
namespace: company.state
tasks:
  - id: state
    type: io.kestra.plugin.core.state.Get
    name: counter
  - id: set
    type: io.kestra.plugin.core.state.Set
    name: counter
    data:
      value: "{{ (outputs.state.data.value ?? 0) + 1 }}"
      first: "{{ outputs.state.data.first ?? execution.id }}"
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: ["a", "b"]
    tasks:
      - id: per_value
        type: io.kestra.plugin.core.state.Set
        name: loop
        data:
          v: "{{ taskrun.value }}"
`;
    const first = await engine.run(flow);
    const second = await engine.run(flow);
    expect(runOf(second, 'state').outputs).toEqual({ count: 2, data: { value: '1', first: first.id } });
    expect(runOf(second, 'set').outputs).toMatchObject({ count: 2, key: 'stateful_states_counter' });
    const keys = (await app.inject({ method: 'GET', url: '/api/v1/namespaces/company.state/kv' }))
      .json()
      .map((e: { key: string }) => e.key);
    // one key for the plain state, one per loop value
    expect(keys.filter((k: string) => k.startsWith('stateful_states_loop_'))).toHaveLength(2);
    const cleared = await engine.run(`
id: stateful
namespace: company.state
tasks:
  - id: delete
    type: io.kestra.plugin.core.state.Delete
    name: counter
  - id: get
    type: io.kestra.plugin.core.state.Get
    name: counter
    errorOnMissing: true
`);
    expect(runOf(cleared, 'delete').outputs).toEqual({ deleted: true });
    expect(runOf(cleared, 'get').state.current).toBe('FAILED');
  });
});
