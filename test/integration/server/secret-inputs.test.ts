import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Execution } from '../../../src/engine/execution.js';
import { isSealed } from '../../../src/secrets/sealed-inputs.js';
import { testDialects } from '../../support/databases.js';
import { runOf, TEST_INPUT_SEAL } from '../../support/engine.js';
import { startTestServer, type TestServer } from '../../support/server.js';
import { until } from '../../support/until.js';

// Inputs of type SECRET, through a listening server, its database and real shell processes: the value
// is stored sealed, reaches the tasks that render it in clear, and shows as the mask everywhere else
// (logs, outputs, flow outputs, every API answer, the trigger it came from). Every answer is kept, to
// look for the clear text in all of them at the end.

const TOKEN = 'Tok-correct-horse-42';
const SHA = createHash('sha256').update(TOKEN).digest('hex');
const NS = 'test.secret_inputs';

/** A flow of this namespace that takes the SECRET input `token`; `rest` follows its inputs. */
const takingToken = (id: string, rest: string) => `
id: ${id}
namespace: ${NS}
inputs:
  - id: token
    type: SECRET
${rest}`;

const VAULT = takingToken(
  'vault',
  `    validator: "Tok-.*"
tasks:
  - id: shell
    type: shell
    env:
      TOKEN: "{{ inputs.token }}"
    commands:
      - echo "the shell got $TOKEN"
      - echo '::{"outputs":{"token":"'"$TOKEN"'","sha":"'"$(printf %s "$TOKEN" | sha256sum | cut -c1-64)"'"}}::'
  - id: say
    type: log
    message: "logged {{ inputs.token }}"
  - id: give
    type: return
    format: "{{ inputs.token }}"
  - id: branch
    type: if
    condition: "{{ (inputs.token | sha256) == '${SHA}' }}"
    then:
      - id: matched
        type: return
        format: the executor compared the clear value
  - id: child
    type: subflow
    namespace: ${NS}
    flowId: vault-child
    inputs:
      token: "{{ inputs.token }}"
    labels:
      via: "{{ inputs.token }}"
outputs:
  - id: echoed
    type: STRING
    value: "{{ inputs.token }}"
  - id: sha
    type: STRING
    value: "{{ outputs.shell.vars.sha }}"
`,
);

const CHILD = takingToken(
  'vault-child',
  `tasks:
  - id: hash
    type: return
    format: "{{ inputs.token | sha256 }}"
`,
);

const HOOKED = takingToken(
  'vault-hook',
  `tasks:
  - id: hash
    type: return
    format: "{{ inputs.token | sha256 }} from {{ trigger.body.token }}"
triggers:
  - id: hook
    type: io.kestra.plugin.core.trigger.Webhook
    key: vault-hook-key-0123456789
    inputs:
      token: "{{ trigger.body.token }}"
`,
);

const BROKEN = takingToken(
  'vault-broken',
  `tasks:
  - id: worker_side
    type: log
    message: "{{ inputs.token | number }}"
    allowFailure: true
  - id: executor_side
    type: if
    condition: "{{ inputs.token | number }}"
    then:
      - id: never
        type: log
        message: never
`,
);

const DOWNWARDS = takingToken(
  'vault-down',
  `tasks:
  - id: to_plain
    type: subflow
    namespace: ${NS}
    flowId: plain-child
    inputs:
      word: "{{ inputs.token }}"
    allowFailure: true
  - id: pick
    type: switch
    value: "{{ inputs.token }}"
    cases:
      nothing:
        - id: never
          type: log
          message: never
`,
);

const PLAIN_CHILD = `
id: plain-child
namespace: ${NS}
inputs:
  - id: word
    type: STRING
tasks:
  - id: say
    type: log
    message: "{{ inputs.word }}"
`;

const SECRET_DOWN = `
id: secret-down
namespace: ${NS}
tasks:
  - id: to_plain
    type: subflow
    namespace: ${NS}
    flowId: plain-child
    inputs:
      word: "postgres://app:{{ secret('DOWN_KEY') }}@db/app"
`;

const PAUSED = `
id: vault-pause
namespace: ${NS}
tasks:
  - id: wait
    type: pause
    onResume:
      - id: code
        type: SECRET
  - id: after
    type: log
    message: "resumed with {{ outputs.wait.onResume.code }}"
`;

describe.each(testDialects())('SECRET inputs through the server on $name', (dialect) => {
  let server: TestServer;
  const answers = new Map<string, string>();

  async function api(method: string, path: string, body?: unknown, init: RequestInit = {}) {
    const response = await fetch(`${server.base}${path}`, {
      method,
      ...(body !== undefined && {
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json' },
      }),
      ...init,
    });
    const text = await response.text();
    answers.set(`${method} ${path} #${answers.size}`, text);
    return { status: response.status, text, json: () => JSON.parse(text) as Execution };
  }

  const ended = (id: string) =>
    until(
      `execution ${id} ended`,
      async () => {
        const doc = (await api('GET', `/api/v1/executions/${id}`)).json();
        return ['SUCCESS', 'WARNING', 'FAILED', 'KILLED'].includes(doc.state.current) ? doc : undefined;
      },
      30_000,
    );

  const storedDoc = async (id: string) =>
    (await server.engine.db.query<{ doc: Execution }>('SELECT doc FROM executions WHERE id = $1', [id]))
      .rows[0].doc;

  let run: Execution;
  let started: Execution;

  beforeAll(async () => {
    server = await startTestServer(dialect, { listen: true });
    for (const yaml of [CHILD, VAULT, HOOKED, BROKEN, PLAIN_CHILD, DOWNWARDS, SECRET_DOWN, PAUSED]) {
      await server.engine.deploy(yaml);
    }
    const created = await api('POST', `/api/v1/executions/${NS}/vault`, { token: TOKEN });
    expect(created.status).toBe(200);
    started = created.json();
    run = await ended(started.id);
  }, 60_000);
  afterAll(async () => server?.stop());

  test('the run succeeded, every task with it', () => {
    expect([run.state.current, run.taskRunList.map((tr) => `${tr.taskId}:${tr.state.current}`)]).toEqual([
      'SUCCESS',
      ['shell:SUCCESS', 'say:SUCCESS', 'give:SUCCESS', 'branch:SUCCESS', 'matched:SUCCESS', 'child:SUCCESS'],
    ]);
  });

  test('the shell received the clear value: the hash it computed is that of the token', () => {
    expect([runOf(run, 'shell').outputs?.vars, run.outputs]).toEqual([
      { token: '******', sha: SHA },
      { echoed: '******', sha: SHA },
    ]);
  });

  test('the executor renders the clear value too (a condition on it holds), and a task returning it gives the mask', () => {
    expect([runOf(run, 'matched').outputs, runOf(run, 'give').outputs]).toEqual([
      { value: 'the executor compared the clear value' },
      { value: '******' },
    ]);
  });

  test('the execution is stored with the value sealed, and the seal opens to the token', async () => {
    const doc = await storedDoc(run.id);
    const token = doc.inputs.token as string;
    expect([isSealed(token), TEST_INPUT_SEAL.open(token)]).toEqual([true, TOKEN]);
  });

  test('every API answer about it shows the mask for the input: create, get', () => {
    expect([started.inputs, run.inputs]).toEqual([{ token: '******' }, { token: '******' }]);
  });

  test('a subflow receives it into its own SECRET input: sealed in its document, clear for its task', async () => {
    const childId = runOf(run, 'child').outputs?.executionId as string;
    const child = await ended(childId);
    const doc = await storedDoc(childId);
    expect([child.inputs, isSealed(doc.inputs.token), runOf(child, 'hash').outputs]).toEqual([
      { token: '******' },
      true,
      { value: SHA },
    ]);
  });

  test('a replay runs with the same sealed value, and its tasks still receive it in clear', async () => {
    const replayed = await api('POST', `/api/v1/executions/${run.id}/replay`);
    const done = await ended(replayed.json().id);
    const doc = await storedDoc(done.id);
    expect([done.state.current, TEST_INPUT_SEAL.open(doc.inputs.token as string), done.outputs]).toEqual([
      'SUCCESS',
      TOKEN,
      { echoed: '******', sha: SHA },
    ]);
  });

  test('a label the executor renders from it shows the mask', async () => {
    const child = await ended(runOf(run, 'child').outputs?.executionId as string);
    expect(child.labels).toEqual(expect.arrayContaining([{ key: 'via', value: '******' }]));
  });

  test('a subflow input not declared SECRET is refused the value, and a Switch on it fails without quoting it', async () => {
    const created = await api('POST', `/api/v1/executions/${NS}/vault-down`, { token: TOKEN });
    const done = await ended(created.json().id);
    const { rows } = await server.engine.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM executions WHERE flow_id = 'plain-child'",
    );
    expect([
      runOf(done, 'to_plain').state.current,
      runOf(done, 'to_plain').error,
      runOf(done, 'pick').error,
      rows[0].n,
    ]).toEqual([
      'WARNING',
      `Invalid inputs for subflow '${NS}.plain-child': Invalid value for input 'word': it holds a secret, which only a SECRET input takes`,
      "Switch value '******' matches no case and there are no defaults",
      0,
    ]);
  });

  test('a secret() value is refused by a subflow input not declared SECRET too', async () => {
    process.env.SLUICE_SECRET_DOWN_KEY = TOKEN;
    try {
      const created = await api('POST', `/api/v1/executions/${NS}/secret-down`, {});
      const done = await ended(created.json().id);
      expect([done.state.current, runOf(done, 'to_plain').error]).toEqual([
        'FAILED',
        `Invalid inputs for subflow '${NS}.plain-child': Invalid value for input 'word': it holds a secret, which only a SECRET input takes`,
      ]);
    } finally {
      delete process.env.SLUICE_SECRET_DOWN_KEY;
    }
  });

  test('task logs show the mask where the value was printed', async () => {
    const logs = await server.engine.logs(run.id);
    expect(logs.map((l) => l.message)).toEqual(
      expect.arrayContaining(['the shell got ******', 'logged ******']),
    );
  });

  test('the follow stream shows the mask', async () => {
    const stream = await api('GET', `/api/v1/executions/${run.id}/follow`);
    const last = stream.text
      .split('\n\n')
      .filter((chunk) => chunk.startsWith('event: execution'))
      .pop()!;
    expect((JSON.parse(last.slice(last.indexOf('data: ') + 6)) as Execution).inputs).toEqual({
      token: '******',
    });
  });

  test('a form (multipart, as the UI sends it) seals the value too', async () => {
    const form = new FormData();
    form.append('token', TOKEN);
    const created = await api('POST', `/api/v1/executions/${NS}/vault`, undefined, { body: form });
    const done = await ended(created.json().id);
    const doc = await storedDoc(done.id);
    expect([done.state.current, created.json().inputs, isSealed(doc.inputs.token)]).toEqual([
      'SUCCESS',
      { token: '******' },
      true,
    ]);
  });

  test('a value the validator refuses is answered 422 without quoting it', async () => {
    const refused = await api('POST', `/api/v1/executions/${NS}/vault`, { token: 'not-the-format-x9' });
    expect([refused.status, refused.text.includes('not-the-format-x9')]).toEqual([422, false]);
  });

  test('a webhook whose body fed the SECRET input keeps the mask, not the value, in its trigger variables', async () => {
    const hooked = await api(
      'POST',
      `/api/v1/executions/webhook/${NS}/vault-hook/vault-hook-key-0123456789`,
      {
        token: TOKEN,
      },
    );
    expect(hooked.status).toBe(200);
    const done = await ended(hooked.json().id);
    const doc = await storedDoc(done.id);
    expect([
      (doc.trigger?.variables.body as { token: string }).token,
      isSealed(doc.inputs.token),
      runOf(done, 'hash').outputs,
    ]).toEqual(['******', true, { value: `${SHA} from ******` }]);
  });

  test('a render that fails on the value, in a worker or in the executor, never quotes it', async () => {
    const created = await api('POST', `/api/v1/executions/${NS}/vault-broken`, { token: TOKEN });
    const done = await ended(created.json().id);
    const logs = await server.engine.logs(done.id);
    const errors = [runOf(done, 'worker_side').error, runOf(done, 'executor_side').error];
    expect([
      done.state.current,
      errors.every((e) => typeof e === 'string' && e.includes('number')),
      [...errors, ...logs.map((l) => l.message)].filter((m) => m?.includes(TOKEN)),
    ]).toEqual(['FAILED', true, []]);
  });

  test('a SECRET given on resume is kept masked in the Pause task’s outputs', async () => {
    const created = await api('POST', `/api/v1/executions/${NS}/vault-pause`, {});
    const id = created.json().id;
    await until('paused', async () => (await storedDoc(id)).state.current === 'PAUSED', 15_000);
    expect((await api('POST', `/api/v1/executions/${id}/resume`, { code: TOKEN })).status).toBe(202);
    const done = await ended(id);
    const logs = await server.engine.logs(id);
    expect([runOf(done, 'wait').outputs, logs.map((l) => l.message)]).toEqual([
      { onResume: { code: '******' } },
      expect.arrayContaining(['resumed with ******']),
    ]);
  });

  test('no stored row (executions, logs, queue) and no API answer holds the value in clear', async () => {
    for (const path of [
      `/api/v1/executions/search?namespace=${NS}`,
      `/api/v1/logs/${run.id}`,
      `/api/v1/logs/search?namespace=${NS}`,
      '/metrics',
    ]) {
      expect((await api('GET', path)).status).toBe(200);
    }
    const { rows } = await server.engine.db.query<{ text: string }>(
      `SELECT doc::text AS text FROM executions
       UNION ALL SELECT message FROM logs
       UNION ALL SELECT payload::text FROM queue`,
    );
    const leaks = [...answers].filter(([, body]) => body.includes(TOKEN)).map(([what]) => what);
    expect([rows.filter((r) => r.text.includes(TOKEN)), leaks]).toEqual([[], []]);
  });
});
