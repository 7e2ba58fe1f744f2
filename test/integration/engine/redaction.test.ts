import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Execution } from '../../../src/engine/execution.js';
import { SecretCipher } from '../../../src/secrets/cipher.js';
import { createSecretStore } from '../../../src/secrets/secret-store.js';
import { buildServer } from '../../../src/server/app.js';
import { testDialects } from '../../support/databases.js';
import { runOf, startTestEngine, TEST_CIPHER, type TestEngine } from '../../support/engine.js';

// A flow that does its best to leak a secret: it logs it, returns it, puts it in outputs and a URL,
// hands it to a shell that echoes it and emits it as an output, reuses another task's output, and
// fails with it in the message; the flow's outputs read it too. The clear text must appear in no API answer about the run, no log
// line and no stored row; the masked form must appear, or the test would prove nothing.

const SECRET = 'Tr0ub4dor-and-3-more';
const ENV_SECRET = 'from-the-environment-42';
const cipher = SecretCipher.fromKey('test-key');

const FLOW = `
id: leaky
namespace: test.redaction
tasks:
  - id: say
    type: log
    message:
      - "the password is {{ secret('DB_PASSWORD') }}"
      - "and the other one {{ secret('ENV_ONLY') }}"
  - id: give
    type: return
    format: "{{ secret('DB_PASSWORD') }}"
  - id: values
    type: output-values
    values:
      password: "{{ secret('DB_PASSWORD') }}"
      url: "postgres://app:{{ secret('DB_PASSWORD') }}@db/app"
  - id: script
    type: shell
    env:
      PW: "{{ secret('DB_PASSWORD') }}"
    commands:
      - echo "from the shell $PW"
      - echo '::{"outputs":{"pw":"'"$PW"'"}}::'
  - id: reuse
    type: return
    format: "{{ outputs.give.value }}"
  - id: boom
    type: fail
    errorMessage: "failing with {{ secret('DB_PASSWORD') }}"
outputs:
  - id: leaked
    type: STRING
    value: "{{ outputs.give.value }}"
  - id: direct
    type: STRING
    value: "{{ secret('DB_PASSWORD') }}"
`;

describe.each(testDialects())('secrets in a run on $name', (dialect) => {
  let engine: TestEngine;
  let app: FastifyInstance;
  let execution: Execution;
  const bodies = new Map<string, string>();

  beforeAll(async () => {
    process.env.SLUICE_SECRET_ENV_ONLY = ENV_SECRET;
    engine = await startTestEngine(dialect, { secrets: (db) => createSecretStore(db, cipher) });
    await createSecretStore(engine.db, cipher).set('test', 'DB_PASSWORD', SECRET);
    app = buildServer({ db: engine.db, cipher: TEST_CIPHER });
    await app.ready();
    execution = await engine.run(FLOW);
    for (const url of [
      `/api/v1/executions/${execution.id}`,
      '/api/v1/executions/search?namespace=test.redaction',
      `/api/v1/logs/${execution.id}`,
      `/api/v1/logs/${execution.id}/download`,
      '/api/v1/logs/search?namespace=test.redaction',
    ]) {
      const response = await app.inject({ method: 'GET', url });
      bodies.set(url, `${response.statusCode} ${response.body}`);
    }
  });
  afterAll(async () => {
    delete process.env.SLUICE_SECRET_ENV_ONLY;
    await app?.close();
    await engine?.stop();
  });

  test('the run went as planned: every task ran, the last failed on purpose', () => {
    const states = execution.taskRunList.map((t) => `${t.taskId}:${t.state.current}`);
    expect(states).toEqual([
      'say:SUCCESS',
      'give:SUCCESS',
      'values:SUCCESS',
      'script:SUCCESS',
      'reuse:SUCCESS',
      'boom:FAILED',
    ]);
  });

  test('no API answer about the run holds either secret, and each was a 200 that shows the mask', () => {
    const leaks = [...bodies].filter(([, body]) => body.includes(SECRET) || body.includes(ENV_SECRET));
    const shown = [...bodies].filter(([, body]) => body.startsWith('200 ') && body.includes('******'));
    expect([leaks.map(([url]) => url), shown.length]).toEqual([[], bodies.size]);
  });

  test('no log line of the run holds either secret', async () => {
    const logs = await engine.logs(execution.id);
    const messages = logs.map((l) => l.message);
    expect(messages.filter((m) => m.includes(SECRET) || m.includes(ENV_SECRET))).toEqual([]);
    expect(messages).toEqual(
      expect.arrayContaining([
        'the password is ******',
        'and the other one ******',
        'from the shell ******',
        'failing with ******',
      ]),
    );
  });

  test('outputs are stored masked, and a task reading another one’s output sees the mask', () => {
    expect([
      runOf(execution, 'give').outputs,
      runOf(execution, 'values').outputs,
      runOf(execution, 'script').outputs?.vars,
      runOf(execution, 'reuse').outputs,
    ]).toEqual([
      { value: '******' },
      { values: { password: '******', url: 'postgres://app:******@db/app' } },
      { pw: '******' },
      { value: '******' },
    ]);
  });

  test('flow outputs, which the executor renders, are stored masked too', () => {
    expect(execution.outputs).toEqual({ leaked: '******', direct: '******' });
  });

  test('no stored row (executions, logs, queue, secrets) holds the secret in clear', async () => {
    const { rows } = await engine.db.query<{ text: string }>(
      `SELECT doc::text AS text FROM executions
       UNION ALL SELECT message FROM logs
       UNION ALL SELECT payload::text FROM queue
       UNION ALL SELECT value FROM secrets`,
    );
    expect(rows.filter((r) => r.text.includes(SECRET) || r.text.includes(ENV_SECRET))).toEqual([]);
  });
});
