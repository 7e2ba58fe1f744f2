import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testDialects } from '../../support/databases.js';
import { startTestEngine, type TestEngine } from '../../support/engine.js';

// A worker writes a task run's last log lines with its result, in one statement.
describe.each(testDialects())('task logs on $name', (dialect) => {
  let engine: TestEngine;
  beforeAll(async () => {
    engine = await startTestEngine(dialect);
  });
  afterAll(async () => engine?.stop());

  test('a log line the database refuses (a NUL character) does not hold the task result back', async () => {
    const exec = await engine.run(`
id: nul-log
namespace: test.logs
tasks:
  - id: refused
    type: io.kestra.plugin.scripts.shell.Commands
    commands:
      - printf 'before\\000after\\n'
  - id: next
    type: io.kestra.plugin.core.log.Log
    message: still written
`);
    expect(exec.state.current).toBe('SUCCESS');
    const logs = await engine.logs(exec.id);
    expect(logs.map((l) => [l.taskId, l.message])).toContainEqual(['next', 'still written']);
  });
});
