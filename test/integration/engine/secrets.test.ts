import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SecretCipher } from '../../../src/secrets/cipher.js';
import { createSecretStore } from '../../../src/secrets/secret-store.js';
import { testDialects } from '../../support/databases.js';
import { runOf, startTestEngine, type TestEngine } from '../../support/engine.js';

const cipher = SecretCipher.fromKey('test-key');

describe.each(testDialects())('secret() and the secret store on $name', (dialect) => {
  let engine: TestEngine;
  beforeAll(async () => {
    engine = await startTestEngine(dialect, { secrets: (db) => createSecretStore(db, cipher) });
    const store = createSecretStore(engine.db, cipher);
    await store.set('company', 'API_TOKEN', 'parent-token');
    await store.set('company.team', 'DB_PASSWORD', 'team-password');
    await store.set('company', 'DB_PASSWORD', 'shadowed');
  });
  afterAll(async () => engine?.stop());

  test('the store keeps values encrypted in the table', async () => {
    const { rows } = await engine.db.query<{ value: string }>('SELECT value FROM secrets');
    expect(rows.map((r) => r.value).join()).not.toMatch(/token|password|shadowed/);
  });

  test('a task reads its namespace secret and inherits its parent namespace secrets', async () => {
    const exec = await engine.run(`
id: uses-secrets
namespace: company.team
tasks:
  - id: r
    type: return
    format: "{{ secret('DB_PASSWORD') == 'team-password' }}/{{ secret('API_TOKEN') == 'parent-token' }}"
`);
    // compared, not returned: a secret in an output is masked (redaction.test.ts)
    expect(runOf(exec, 'r').outputs).toEqual({ value: 'true/true' });
  });

  test('the executor resolves secrets in conditions too', async () => {
    const exec = await engine.run(`
id: secret-condition
namespace: company.team
tasks:
  - id: only_with_password
    type: return
    format: ran
    runIf: "{{ secret('DB_PASSWORD') == 'team-password' }}"
`);
    expect(runOf(exec, 'only_with_password').state.current).toBe('SUCCESS');
  });

  test('an unknown secret fails the task and names the key, not a value', async () => {
    const exec = await engine.run(`
id: missing-secret
namespace: company.team
tasks:
  - id: r
    type: return
    format: "{{ secret('NOPE') }}"
`);
    expect(exec.state.current).toBe('FAILED');
    expect(runOf(exec, 'r').error).toMatch(/NOPE/);
  });

  test('SLUICE_SECRET_<NAME> environment variables are read when the store has no such key', async () => {
    process.env.SLUICE_SECRET_FROM_ENV = 'env-value';
    try {
      const exec = await engine.run(`
id: env-secret
namespace: other
tasks:
  - id: r
    type: return
    format: "{{ secret('FROM_ENV') == 'env-value' }}"
`);
      expect(runOf(exec, 'r').outputs).toEqual({ value: 'true' });
    } finally {
      delete process.env.SLUICE_SECRET_FROM_ENV;
    }
  });
});
