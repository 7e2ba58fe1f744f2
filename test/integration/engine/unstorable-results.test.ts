import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testDialects } from '../../support/databases.js';
import { runOf, startTestEngine, type TestEngine } from '../../support/engine.js';

// What a task run produces is kept even when PostgreSQL cannot hold it as it is (NUL, lone
// surrogates: replaced visibly), and what cannot be kept at all (a result over the size limit, an
// outputs line over the line limit) fails the task run with the reason instead of retrying for
// ever or vanishing into log lines.

const RESULT_LIMIT = 100_000;

describe.each(testDialects())('task results PostgreSQL cannot hold as they are, on $name', (dialect) => {
  let engine: TestEngine;
  beforeAll(async () => {
    // one thread: a result that never got written would hold the only slot
    engine = await startTestEngine(dialect, { limits: { maxDocumentChars: RESULT_LIMIT }, workerThreads: 1 });
  });
  afterAll(async () => engine?.stop());

  test('a NUL in a shell task output keeps every log line of the batch, the NUL shown as ␀', async () => {
    const exec = await engine.run(`
id: nul-lines
namespace: test.unstorable
tasks:
  - id: sh
    type: io.kestra.plugin.scripts.shell.Commands
    commands:
      - echo start
      - printf 'nul here:\\000:end\\n'
      - echo after
`);
    expect(exec.state.current).toBe('SUCCESS');
    const messages = (await engine.logs(exec.id)).map((l) => l.message);
    expect(messages).toEqual(expect.arrayContaining(['start', 'nul here:\u2400:end', 'after']));
  });

  test('a NUL and a lone surrogate in task outputs are kept replaced, and later tasks read them', async () => {
    const exec = await engine.run(`
id: nul-outputs
namespace: test.unstorable
tasks:
  - id: sh
    type: io.kestra.plugin.scripts.shell.Commands
    commands:
      - printf '::{"outputs":{"x":"a\\\\u0000b","y":"\\\\ud800"}}::\\n'
  - id: next
    type: log
    message: "x is {{ outputs.sh.vars.x }}"
`);
    expect(exec.state.current).toBe('SUCCESS');
    expect(runOf(exec, 'sh').outputs?.vars).toEqual({ x: 'a\u2400b', y: '\ufffd' });
    expect((await engine.logs(exec.id)).map((l) => l.message)).toContain('x is a\u2400b');
  });

  test('a result over the size limit ends the task run FAILED with the reason, and frees its slot', async () => {
    const big = await engine.run(`
id: big-result
namespace: test.unstorable
tasks:
  - id: sh
    type: io.kestra.plugin.scripts.shell.Commands
    commands:
      - printf '::{"outputs":{"big":"%0150000d"}}::\\n' 0
`);
    expect(big.state.current).toBe('FAILED');
    expect(runOf(big, 'sh').error).toMatch(
      new RegExp(`result of this task run could not be stored: .* over the limit of ${RESULT_LIMIT}`),
    );
    const { rows } = await engine.db.query('SELECT task_run_id FROM worker_job_running');
    expect(rows).toEqual([]);
    const next = await engine.run(`
id: after-big
namespace: test.unstorable
tasks:
  - id: hello
    type: log
    message: the only thread is free
`);
    expect(next.state.current).toBe('SUCCESS');
  });

  test('an outputs line over the line limit fails the task run instead of becoming log lines', async () => {
    const exec = await engine.run(`
id: long-outputs-line
namespace: test.unstorable
tasks:
  - id: sh
    type: io.kestra.plugin.scripts.shell.Commands
    commands:
      - printf '::{"outputs":{"big":"'; head -c 9000000 /dev/zero | tr '\\000' x; printf '"}}::\\n'
      - echo done
`);
    expect(exec.state.current).toBe('FAILED');
    expect(runOf(exec, 'sh').error).toMatch(
      /outputs line\(s\) \(::\{…\}::\) longer than \d+ characters could not be read/,
    );
    const messages = (await engine.logs(exec.id)).map((l) => l.message);
    expect(messages).toContain('done');
    expect(messages.some((m) => m.includes('xxxxxxxx'))).toBe(false);
  });
});
