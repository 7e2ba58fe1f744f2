import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createRetentionBackend } from '../../../src/db/retention-store.js';
import { purgeExpired } from '../../../src/engine/retention.js';
import { testDialects } from '../../support/databases.js';
import { startTestEngine, type TestEngine } from '../../support/engine.js';

const FLOW = `
id: keeps-a-file
namespace: test.retention
tasks:
  - id: write
    type: shell
    outputFiles: [out.txt]
    commands:
      - echo kept > out.txt
      - echo logged
`;

describe.each(testDialects())('retention on $name', (dialect) => {
  let engine: TestEngine;
  beforeAll(async () => {
    engine = await startTestEngine(dialect);
  });
  afterAll(async () => engine?.stop());

  const count = async (sql: string, params: unknown[] = []) =>
    (await engine.db.query<{ n: number }>(sql, params)).rows[0].n;

  test('ended executions past retention go with their logs and files; newer ones stay', async () => {
    const old = await engine.run(FLOW);
    const recent = await engine.run(FLOW);
    await engine.db.query(`UPDATE executions SET ended = now() - interval '40 days' WHERE id = $1`, [old.id]);
    const oldFile = (old.taskRunList[0].outputs?.outputFiles as Record<string, string>)['out.txt'];
    expect(await engine.storage.exists(oldFile)).toBe(true);

    const purged = await purgeExpired(createRetentionBackend(engine.db), engine.storage, {
      executionsMs: 30 * 24 * 3600 * 1000,
    });

    expect(purged.executions).toBe(1);
    expect(await count('SELECT count(*)::int AS n FROM executions WHERE id = $1', [old.id])).toBe(0);
    expect(await count('SELECT count(*)::int AS n FROM logs WHERE execution_id = $1', [old.id])).toBe(0);
    expect(await engine.storage.exists(oldFile)).toBe(false);
    expect(await count('SELECT count(*)::int AS n FROM executions WHERE id = $1', [recent.id])).toBe(1);
  });

  test('log lines past their own retention go even when the execution stays', async () => {
    const exec = await engine.run(FLOW);
    const before = await count('SELECT count(*)::int AS n FROM logs WHERE execution_id = $1', [exec.id]);
    expect(before).toBeGreaterThan(0);
    await engine.db.query(`UPDATE logs SET ts = now() - interval '10 days' WHERE execution_id = $1`, [
      exec.id,
    ]);
    const purged = await purgeExpired(createRetentionBackend(engine.db), engine.storage, {
      logsMs: 7 * 24 * 3600 * 1000,
    });
    expect(purged.logs).toBe(before);
    expect(await count('SELECT count(*)::int AS n FROM executions WHERE id = $1', [exec.id])).toBe(1);
  });

  test('a running execution is never purged, however old', async () => {
    const flow = await engine.deploy(FLOW);
    await engine.db.query(
      `INSERT INTO executions (id, namespace, flow_id, flow_revision, state, doc, created)
       VALUES ('still-running', 'test.retention', 'keeps-a-file', $1, 'RUNNING', '{}', now() - interval '1 year')`,
      [flow.revision],
    );
    await purgeExpired(createRetentionBackend(engine.db), engine.storage, { executionsMs: 1 });
    expect(await count(`SELECT count(*)::int AS n FROM executions WHERE id = 'still-running'`)).toBe(1);
  });
});
