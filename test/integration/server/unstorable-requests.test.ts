import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { newExecution } from '../../../src/engine/new-execution.js';
import { testDialects } from '../../support/databases.js';
import { startTestServer, type TestServer } from '../../support/server.js';

// Text PostgreSQL cannot hold (NUL, lone surrogates) coming with a request is refused with 400
// naming the field, and no execution is created: one such execution used to stop the executor of
// the whole installation, and make every label search answer 500.

const NS = 'test.unstorable';

const FLOW = `
id: echo
namespace: ${NS}
inputs:
  - id: name
    type: STRING
    defaults: nobody
tasks:
  - id: say
    type: log
    message: "{{ inputs.name }}"
triggers:
  - id: hook
    type: io.kestra.plugin.core.trigger.Webhook
    key: unstorable-hook-key
`;

interface Refusal {
  message: string;
  details: Array<{ path: string; message: string }>;
}

describe.each(testDialects())('requests with text PostgreSQL cannot hold, on $name', (dialect) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(dialect, { listen: true });
    await server.engine.deploy(FLOW);
  });
  afterAll(async () => server?.stop());

  const executions = async () => {
    const { rows } = await server.engine.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM executions WHERE namespace = $1',
      [NS],
    );
    return rows[0].n;
  };

  async function refused(response: Response, path: string | RegExp): Promise<Refusal> {
    const body = (await response.json()) as Refusal;
    expect(response.status, JSON.stringify(body)).toBe(400);
    expect(body.details[0].path).toMatch(path);
    expect(body.message).toMatch(/cannot be stored/);
    return body;
  }

  const post = (url: string, body: string, contentType = 'application/json') =>
    fetch(`${server.base}${url}`, { method: 'POST', headers: { 'content-type': contentType }, body });

  test('an input with a NUL, or a lone surrogate, is refused naming the field, and nothing is created', async () => {
    const before = await executions();
    const nul = await refused(
      await post(`/api/v1/executions/${NS}/echo`, '{"name":"a\\u0000b"}'),
      'body.name',
    );
    expect(nul.details[0].message).toMatch(/U\+0000/);
    const lone = await refused(
      await post(`/api/v1/executions/${NS}/echo`, '{"name":"\\ud800"}'),
      'body.name',
    );
    expect(lone.details[0].message).toMatch(/lone UTF-16 surrogate/);
    const form = new FormData();
    form.set('name', 'a\u0000b');
    await refused(
      await fetch(`${server.base}/api/v1/executions/${NS}/echo`, { method: 'POST', body: form }),
      'body.name',
    );
    expect(await executions()).toBe(before);
  });

  test('a label with a NUL is refused, and so is a label search for one', async () => {
    const before = await executions();
    await refused(await post(`/api/v1/executions/${NS}/echo?labels=team:a%00b`, '{}'), /^query\.labels/);
    await refused(await fetch(`${server.base}/api/v1/executions/search?labels=team:a%00b`), /^query\.labels/);
    expect(await executions()).toBe(before);
  });

  test('a webhook call with a NUL in its body or query is refused, and nothing is created', async () => {
    const before = await executions();
    const hook = `/api/v1/executions/webhook/${NS}/echo/unstorable-hook-key`;
    await refused(await post(hook, '{"x":"\\u0000"}'), 'body.x');
    await refused(await post(`${hook}?q=%00`, '{}'), 'query.q');
    await refused(await post(hook, 'plain \u0000 text', 'text/plain'), 'body');
    expect(await executions()).toBe(before);
  });

  test('executions stored before these characters were replaced are mended on upgrade, and label search finds them', async () => {
    const flow = await server.engine.deploy(FLOW);
    const old = newExecution(flow, { name: 'a\u0000b \ud800' }, { labels: { team: 'ops' } });
    const migration = (name: string) =>
      readFile(new URL(`../../../migrations/${name}`, import.meta.url), 'utf8');
    const db = server.engine.db;
    // the schema before 0014, whose columns generated from the document no such row could be stored in
    await db.exec(`ALTER TABLE executions DROP COLUMN labels, DROP COLUMN search_text;
      DROP INDEX executions_state_created, executions_ended, executions_duration;`);
    // as such rows were written before: JSON.stringify's escapes, kept by the json column
    await db.query(
      `INSERT INTO executions (id, namespace, flow_id, flow_revision, state, doc, ended)
       VALUES ($1, $2, $3, $4, 'FAILED', $5, now())`,
      [old.id, old.namespace, old.flowId, old.flowRevision, JSON.stringify(old)],
    );
    // an upgrade runs 0007, which mends such rows, before 0014, which could not read them
    await expect(db.exec(await migration('0014_execution_search.sql'))).rejects.toThrow(/Unicode/);
    await db.exec(await migration('0007_poison.sql'));
    await db.exec(await migration('0014_execution_search.sql'));
    const answer = await fetch(`${server.base}/api/v1/executions/search?namespace=${NS}&labels=team:ops`);
    expect(answer.status).toBe(200);
    const { results } = (await answer.json()) as { results: Array<{ id: string; inputs: unknown }> };
    expect(results.map((r) => [r.id, r.inputs])).toEqual([[old.id, { name: 'a\u2400b \ufffd' }]]);
  });
});
