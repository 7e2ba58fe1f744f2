import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Execution } from '../../../src/engine/execution.js';
import { buildServer } from '../../../src/server/app.js';
import { testDialects } from '../../support/databases.js';
import { startTestEngine, TEST_CIPHER, type TestEngine } from '../../support/engine.js';

// The HTTP API in process (fastify inject) over a database an executor and a worker are running on, so
// that executions really run. Each route with its success and error statuses.

const HELLO_EXAMPLE = new URL('../../../examples/hello.yaml', import.meta.url);

const GREETER = `id: greeter
namespace: tests.api
inputs:
  - id: name
    type: STRING
  - id: times
    type: INT
    defaults: 1
tasks:
  - id: greet
    type: return
    format: "Hello, {{ inputs.name }} x{{ inputs.times }}"
  - id: say
    type: log
    message: "{{ outputs.greet.value }}"
outputs:
  - id: greeting
    type: STRING
    value: "{{ outputs.greet.value }}"
`;

const SLEEPER = `id: sleeper
namespace: tests.api
tasks:
  - id: nap
    type: sleep
    duration: PT60S
  - id: after
    type: log
    message: not reached
`;

const PAUSER = `id: pauser
namespace: tests.api
tasks:
  - id: wait_for_me
    type: io.kestra.plugin.core.flow.Pause
  - id: after
    type: log
    message: resumed
`;

// the line and column of every mistake are part of the answer
const BROKEN = `id: broken
namespace: tests.api
tasks:
  - id: first
    type: no.such.Task
  - id: first
    type: log
    message: "{{ }}"
`;

/** Polls GET /api/v1/executions/:id until the document satisfies `until` (10 s at most). */
async function poll(
  app: FastifyInstance,
  id: string,
  until: (execution: Execution) => boolean,
  what: string,
): Promise<Execution> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const execution = (
      await app.inject({ method: 'GET', url: `/api/v1/executions/${id}` })
    ).json<Execution>();
    if (until(execution)) return execution;
    if (Date.now() > deadline) {
      throw new Error(`execution ${id} never became ${what}: ${JSON.stringify(execution.state)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const taskState = (execution: Execution, taskId: string) =>
  execution.taskRunList.find((tr) => tr.taskId === taskId)?.state.current;

const TERMINAL = ['SUCCESS', 'WARNING', 'FAILED', 'KILLED', 'CANCELLED', 'SKIPPED', 'RETRIED'];
const ended = (execution: Execution) => TERMINAL.includes(execution.state.current);

describe.each(testDialects())('HTTP API on $name', (dialect) => {
  let engine: TestEngine;
  let app: FastifyInstance;

  const postFlow = (yaml: string, contentType = 'application/x-yaml') =>
    app.inject({
      method: 'POST',
      url: '/api/v1/flows',
      headers: { 'content-type': contentType },
      payload: yaml,
    });
  const execute = (flowId: string, inputs?: Record<string, unknown>, query = '') =>
    app.inject({
      method: 'POST',
      url: `/api/v1/executions/tests.api/${flowId}${query}`,
      ...(inputs === undefined ? {} : { payload: inputs }),
    });
  const started = async (flowId: string): Promise<Execution> => {
    const response = await execute(flowId, {});
    if (response.statusCode !== 200) throw new Error(`starting ${flowId}: ${response.body}`);
    return response.json<Execution>();
  };
  const executionsOf = async (flowId: string) => {
    const { rows } = await engine.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM executions WHERE namespace = $1 AND flow_id = $2',
      ['tests.api', flowId],
    );
    return rows[0].n;
  };

  beforeAll(async () => {
    engine = await startTestEngine(dialect);
    app = buildServer({ db: engine.db, cipher: TEST_CIPHER });
    await app.ready();
    for (const yaml of [GREETER, SLEEPER, PAUSER]) await engine.deploy(yaml);
  });

  afterAll(async () => {
    await app?.close();
    await engine?.stop();
  });

  describe('GET /', () => {
    test('answers the web UI page (or, before a UI build, a page naming the API) instead of 404', async () => {
      const response = await app.inject({ method: 'GET', url: '/' });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/text\/html/);
      expect(response.body).toMatch(/<div id="root"|\/api\/v1\/flows/);
    });
  });

  describe('GET /health', () => {
    test('lists the components alive by their heartbeats', async () => {
      await engine.db.query(
        `INSERT INTO service_instances (id, role, hostname, pid) VALUES ('worker-test', 'worker', 'here', 1)`,
      );
      try {
        const response = await app.inject({ method: 'GET', url: '/health' });
        expect(response.json().components).toEqual([
          { id: 'worker-test', role: 'worker', hostname: 'here', heartbeat: expect.any(String) },
        ]);
      } finally {
        await engine.db.query(`DELETE FROM service_instances WHERE id = 'worker-test'`);
      }
    });

    test('200 with the server and the database UP', async () => {
      const response = await app.inject({ method: 'GET', url: '/health' });
      expect([response.statusCode, response.json()]).toEqual([
        200,
        { status: 'UP', database: 'UP', components: [] },
      ]);
    });
  });

  describe('POST /api/v1/flows', () => {
    test('a valid YAML flow is saved as revision 1 and comes back with its source', async () => {
      const source = await readFile(HELLO_EXAMPLE, 'utf8');
      const response = await postFlow(source);
      expect([response.statusCode, response.json()]).toEqual([
        200,
        { id: 'hello', namespace: 'examples', revision: 1, source },
      ]);
    });

    test('the same source again through PUT keeps its revision; a changed source makes the next one', async () => {
      const v1 = 'id: revised\nnamespace: tests.api\ntasks:\n  - id: a\n    type: log\n    message: one\n';
      const v2 = v1.replace('one', 'two');
      const put = (yaml: string) =>
        app.inject({
          method: 'PUT',
          url: '/api/v1/flows/tests.api/revised',
          headers: { 'content-type': 'application/x-yaml' },
          payload: yaml,
        });
      const revisions = [(await postFlow(v1)).json<{ revision: number }>().revision];
      for (const yaml of [v1, v2]) revisions.push((await put(yaml)).json<{ revision: number }>().revision);
      expect(revisions).toEqual([1, 1, 2]);
    });

    test("creating a flow that exists is refused with 409 and Kestra's message, and saves nothing", async () => {
      const yaml = 'id: taken\nnamespace: tests.api\ntasks:\n  - id: a\n    type: log\n    message: one\n';
      await postFlow(yaml);
      const again = await postFlow(yaml.replace('one', 'two'));
      const revisions = await app.inject({ method: 'GET', url: '/api/v1/flows/tests.api/taken/revisions' });
      expect([again.statusCode, again.json(), revisions.json<unknown[]>().length]).toEqual([
        409,
        {
          message: 'Invalid entity: flow.id: Flow id already exists',
          details: [{ path: 'flow.id', message: 'flow tests.api.taken already exists' }],
        },
        1,
      ]);
    });

    test.each(['application/yaml', 'text/yaml'])('%s is accepted as YAML too', async (type) => {
      const yaml = `id: typed-${type.replace('/', '-')}\nnamespace: tests.api\ntasks:\n  - id: a\n    type: log\n    message: hi\n`;
      expect((await postFlow(yaml, type)).statusCode).toBe(200);
    });

    test('a JSON body is read as the flow (JSON is YAML), its mistakes with their lines', async () => {
      const flow = {
        id: 'as-json',
        namespace: 'tests.api',
        tasks: [{ id: 'a', type: 'log', message: 'hi' }],
      };
      const saved = await postFlow(JSON.stringify(flow), 'application/json');
      const broken = await postFlow(
        '{\n  "id": "j",\n  "namespace": "tests.api",\n  "tasks": [{"id": "a", "type": "nope"}]\n}',
        'application/json',
      );
      expect([saved.statusCode, saved.json().id, broken.statusCode, broken.json().details[0].line]).toEqual([
        200,
        'as-json',
        422,
        4,
      ]);
    });

    test.each(['text/plain', 'application/x-www-form-urlencoded'])(
      'a %s body (a type any web page may send, or curl --data-binary without -H) is refused with 415 naming the flow types',
      async (type) => {
        const response = await postFlow('id: x', type);
        expect([response.statusCode, response.json()]).toEqual([
          415,
          {
            message: 'send the flow as YAML (Content-Type: application/x-yaml) or JSON (application/json)',
            details: [],
          },
        ]);
      },
    );

    test('an invalid flow: 422 with every mistake, each with its line and column', async () => {
      const response = await postFlow(BROKEN);
      expect(response.statusCode).toBe(422);
      expect(response.json()).toEqual({
        message: 'invalid flow',
        details: [
          {
            line: 5,
            column: 11,
            message: "unknown task type 'no.such.Task'",
            text: "flow.yaml:5:11: unknown task type 'no.such.Task'",
          },
          {
            line: 6,
            column: 9,
            message: "duplicate task id 'first' (first defined at line 4)",
            text: "flow.yaml:6:9: duplicate task id 'first' (first defined at line 4)",
          },
          {
            line: 8,
            column: 15,
            message: 'invalid expression: empty expression in `{{ }}`',
            text: 'flow.yaml:8:15: invalid expression: empty expression in `{{ }}`',
          },
        ],
      });
    });

    test('invalid YAML syntax: 422 with the line and column of the mistake', async () => {
      const response = await postFlow('id: x\nnamespace: tests.api\ntasks:\n  - id: a\n    message: a: b\n');
      expect([response.statusCode, response.json().details]).toEqual([
        422,
        [expect.objectContaining({ line: 5, column: 14, message: expect.stringMatching(/^invalid YAML: /) })],
      ]);
    });

    test('an invalid flow is not saved', async () => {
      await postFlow(BROKEN);
      const { rows } = await engine.db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM flows WHERE namespace = 'tests.api' AND id = 'broken'",
      );
      expect(rows[0].n).toBe(0);
    });
  });

  describe('POST /api/v1/executions/:namespace/:flowId', () => {
    test('without wait: 200 with the new execution, CREATED, which then runs to SUCCESS', async () => {
      const response = await execute('greeter', { name: 'api' });
      const created = response.json<Execution>();
      expect([response.statusCode, created.state.current, created.flowId]).toEqual([
        200,
        'CREATED',
        'greeter',
      ]);
      const done = await poll(app, created.id, ended, 'terminal');
      expect(done.state.current).toBe('SUCCESS');
    });

    test('?wait=true answers with the ended execution, its typed inputs and outputs', async () => {
      const response = await execute('greeter', { name: 'api', times: '3' }, '?wait=true');
      const execution = response.json<Execution>();
      expect([response.statusCode, execution.state.current, execution.inputs, execution.outputs]).toEqual([
        200,
        'SUCCESS',
        { name: 'api', times: 3 },
        { greeting: 'Hello, api x3' },
      ]);
    });

    test('no body at all means no inputs: defaults apply', async () => {
      const response = await app.inject({
        method: 'POST',
        url: '/api/v1/executions/examples/hello?wait=true',
      });
      expect(response.json<Execution>().outputs).toEqual({ greeting: 'Hello, world!' });
    });

    test('a body that is not JSON: 400 in the API error shape', async () => {
      const response = await app.inject({
        method: 'POST',
        url: '/api/v1/executions/tests.api/greeter',
        headers: { 'content-type': 'application/json' },
        payload: '{"name": ',
      });
      expect([response.statusCode, response.json()]).toEqual([
        400,
        { message: expect.stringContaining('not valid JSON'), details: [] },
      ]);
    });

    test('an unknown flow: 404 naming it', async () => {
      const response = await execute('no-such-flow', {});
      expect([response.statusCode, response.json().message]).toEqual([
        404,
        'flow tests.api.no-such-flow not found',
      ]);
    });

    test('a missing required input: 422 with the input named', async () => {
      const response = await execute('greeter', {});
      expect([response.statusCode, response.json()]).toEqual([
        422,
        { message: 'invalid inputs', details: [{ message: 'Missing required input: name' }] },
      ]);
    });

    test('a wrongly typed input: 422 saying what was expected', async () => {
      const response = await execute('greeter', { name: 'api', times: 'many' });
      expect([response.statusCode, response.json().details]).toEqual([
        422,
        [{ message: "Invalid value for input 'times': expected INT, got 'many'" }],
      ]);
    });

    test('invalid inputs create no execution', async () => {
      const before = await executionsOf('greeter');
      await execute('greeter', {});
      await execute('greeter', { name: 'api', times: 'many' });
      expect(await executionsOf('greeter')).toBe(before);
    });
  });

  describe('unknown routes', () => {
    test('404 in the API error shape', async () => {
      const response = await app.inject({ method: 'GET', url: '/api/v1/nothing' });
      expect([response.statusCode, response.json()]).toEqual([
        404,
        { message: 'no route GET /api/v1/nothing', details: [] },
      ]);
    });
  });

  describe('GET /api/v1/executions/:id', () => {
    test('200 with the execution document', async () => {
      const created = await started('pauser');
      const response = await app.inject({ method: 'GET', url: `/api/v1/executions/${created.id}` });
      expect([response.statusCode, response.json<Execution>().id]).toEqual([200, created.id]);
      await app.inject({ method: 'DELETE', url: `/api/v1/executions/${created.id}/kill` });
    });

    test('an unknown id: 404 naming it', async () => {
      const response = await app.inject({ method: 'GET', url: '/api/v1/executions/nope' });
      expect([response.statusCode, response.json().message]).toEqual([404, 'execution nope not found']);
    });
  });

  describe('GET /api/v1/logs/:executionId', () => {
    test('the log lines of an execution, with task id and level', async () => {
      const execution = (await execute('greeter', { name: 'logs' }, '?wait=true')).json<Execution>();
      const response = await app.inject({ method: 'GET', url: `/api/v1/logs/${execution.id}` });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            executionId: execution.id,
            taskId: 'say',
            level: 'INFO',
            message: 'Hello, logs x1',
          }),
        ]),
      );
    });

    test('an execution without logs (or unknown): 200 and an empty list', async () => {
      const response = await app.inject({ method: 'GET', url: '/api/v1/logs/nope' });
      expect([response.statusCode, response.json()]).toEqual([200, []]);
    });
  });

  describe('POST /api/v1/executions/:id/restart and /replay', () => {
    test('restart of a killed execution: 202, and its killed task runs again as attempt 2', async () => {
      const created = await started('sleeper');
      await poll(app, created.id, (e) => taskState(e, 'nap') === 'RUNNING', 'running its Sleep');
      await app.inject({ method: 'DELETE', url: `/api/v1/executions/${created.id}/kill` });
      await poll(app, created.id, ended, 'killed');
      const response = await app.inject({ method: 'POST', url: `/api/v1/executions/${created.id}/restart` });
      expect([response.statusCode, response.json()]).toEqual([202, { id: created.id, accepted: 'restart' }]);
      const again = await poll(
        app,
        created.id,
        (e) => e.taskRunList.find((tr) => tr.taskId === 'nap')?.attempts.length === 2,
        'its Sleep restarted',
      );
      expect(again.state.histories.map((h) => h.state)).toContain('RESTARTED');
      await app.inject({ method: 'DELETE', url: `/api/v1/executions/${created.id}/kill` });
      await poll(app, created.id, ended, 'killed again');
    });

    test('restart of a successful execution: 409; of an unknown one: 404', async () => {
      const execution = (await execute('greeter', { name: 'x' }, '?wait=true')).json<Execution>();
      const conflict = await app.inject({
        method: 'POST',
        url: `/api/v1/executions/${execution.id}/restart`,
      });
      const missing = await app.inject({ method: 'POST', url: '/api/v1/executions/nope/restart' });
      expect([conflict.statusCode, missing.statusCode]).toEqual([409, 404]);
    });

    test('replay: 200 with a new execution whose originalId is the replayed one', async () => {
      const execution = (await execute('greeter', { name: 'x' }, '?wait=true')).json<Execution>();
      const response = await app.inject({ method: 'POST', url: `/api/v1/executions/${execution.id}/replay` });
      expect(response.statusCode).toBe(200);
      const replay = response.json<Execution>();
      expect([replay.id === execution.id, replay.originalId]).toEqual([false, execution.id]);
      const done = await poll(app, replay.id, ended, 'terminal');
      expect(done.state.current).toBe('SUCCESS');
    });

    test('replay from a task run that is not in the execution: 404', async () => {
      const execution = (await execute('greeter', { name: 'x' }, '?wait=true')).json<Execution>();
      const response = await app.inject({
        method: 'POST',
        url: `/api/v1/executions/${execution.id}/replay?taskRunId=nope`,
      });
      expect(response.statusCode).toBe(404);
    });
  });

  describe('DELETE /api/v1/executions/:id/kill', () => {
    test('a running Sleep: 202, then the execution and the task run end KILLED', async () => {
      const created = await started('sleeper');
      await poll(app, created.id, (e) => taskState(e, 'nap') === 'RUNNING', 'running its Sleep');
      const response = await app.inject({ method: 'DELETE', url: `/api/v1/executions/${created.id}/kill` });
      expect([response.statusCode, response.json()]).toEqual([202, { id: created.id, accepted: 'kill' }]);
      const done = await poll(app, created.id, ended, 'terminal');
      expect([done.state.current, taskState(done, 'nap'), taskState(done, 'after')]).toEqual([
        'KILLED',
        'KILLED',
        undefined,
      ]);
    });

    test('an ended execution: 409 saying it has already ended', async () => {
      const execution = (await execute('greeter', { name: 'x' }, '?wait=true')).json<Execution>();
      const response = await app.inject({ method: 'DELETE', url: `/api/v1/executions/${execution.id}/kill` });
      expect([response.statusCode, response.json().message]).toEqual([
        409,
        `execution ${execution.id} has already ended (SUCCESS)`,
      ]);
    });

    test('an unknown id: 404', async () => {
      const response = await app.inject({ method: 'DELETE', url: '/api/v1/executions/nope/kill' });
      expect(response.statusCode).toBe(404);
    });
  });

  describe('POST /api/v1/executions/:id/resume', () => {
    test('a paused execution: 202, then the Pause ends SUCCESS and the flow goes on to SUCCESS', async () => {
      const created = await started('pauser');
      await poll(app, created.id, (e) => e.state.current === 'PAUSED', 'PAUSED');
      const response = await app.inject({
        method: 'POST',
        url: `/api/v1/executions/${created.id}/resume`,
        payload: {},
      });
      expect([response.statusCode, response.json()]).toEqual([202, { id: created.id, accepted: 'resume' }]);
      const done = await poll(app, created.id, ended, 'terminal');
      expect([done.state.current, taskState(done, 'wait_for_me'), taskState(done, 'after')]).toEqual([
        'SUCCESS',
        'SUCCESS',
        'SUCCESS',
      ]);
    });

    test('the resume body reaches the Pause task as outputs.onResume', async () => {
      const created = await started('pauser');
      await poll(app, created.id, (e) => e.state.current === 'PAUSED', 'PAUSED');
      await app.inject({
        method: 'POST',
        url: `/api/v1/executions/${created.id}/resume`,
        payload: { approved: true },
      });
      const done = await poll(app, created.id, ended, 'terminal');
      const pause = done.taskRunList.find((tr) => tr.taskId === 'wait_for_me');
      expect(pause?.outputs).toEqual({ onResume: { approved: true } });
    });

    test('an execution that is running but not paused: 409 saying it is not paused', async () => {
      const created = await started('sleeper');
      await poll(app, created.id, (e) => taskState(e, 'nap') === 'RUNNING', 'running its Sleep');
      const response = await app.inject({
        method: 'POST',
        url: `/api/v1/executions/${created.id}/resume`,
        payload: {},
      });
      await app.inject({ method: 'DELETE', url: `/api/v1/executions/${created.id}/kill` });
      expect([response.statusCode, response.json().message]).toEqual([
        409,
        `execution ${created.id} is not paused (RUNNING)`,
      ]);
    });

    test('an ended execution: 409', async () => {
      const execution = (await execute('greeter', { name: 'x' }, '?wait=true')).json<Execution>();
      const response = await app.inject({
        method: 'POST',
        url: `/api/v1/executions/${execution.id}/resume`,
        payload: {},
      });
      expect(response.statusCode).toBe(409);
    });

    test('an unknown id: 404', async () => {
      const response = await app.inject({
        method: 'POST',
        url: '/api/v1/executions/nope/resume',
        payload: {},
      });
      expect(response.statusCode).toBe(404);
    });
  });
});
