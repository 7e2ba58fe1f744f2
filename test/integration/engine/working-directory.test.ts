import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createNamespaceFileStore } from '../../../src/db/namespace-file-store.js';
import { testDialects } from '../../support/databases.js';
import { runOf, runsOf, startTestEngine, type TestEngine } from '../../support/engine.js';

// WorkingDirectory: its tasks run one after the other in one directory, so that files one makes are
// there for the next; inputFiles go in first, outputFiles come out as its output.

/** A shell command printing Kestra's output line {"outputs":{name: <stdout of expr>}}. */
const capture = (name: string, expr: string) =>
  `'printf "::{\\"outputs\\":{\\"${name}\\":\\"%s\\"}}::\\n" "$(${expr})"'`;

describe.each(testDialects())('WorkingDirectory on $name', (dialect) => {
  let engine: TestEngine;
  beforeAll(async () => {
    engine = await startTestEngine(dialect);
  });
  afterAll(async () => engine?.stop());

  test('a file one task writes is there for the next, past a task that never opens the directory', async () => {
    const exec = await engine.run(`
id: wd-share
namespace: test.wd
tasks:
  - id: wd
    type: io.kestra.plugin.core.flow.WorkingDirectory
    tasks:
      - id: write
        type: shell
        commands:
          - mkdir -p notes && printf 'from {{ task.id }}' > notes/a.txt
      - id: between
        type: log
        message: nothing on disk here
      - id: read
        type: shell
        commands:
          - ${capture('content', 'cat notes/a.txt')}
  - id: outside
    type: shell
    commands:
      - ${capture('seen', 'ls notes 2>/dev/null | wc -l | tr -d " "')}
`);
    expect(exec.state.current).toBe('SUCCESS');
    expect((runOf(exec, 'read').outputs?.vars as Record<string, unknown>).content).toBe('from write');
    // a task outside the WorkingDirectory gets a directory of its own
    expect((runOf(exec, 'outside').outputs?.vars as Record<string, unknown>).seen).toBe('0');
    expect(runOf(exec, 'read').parentTaskRunId).toBe(runOf(exec, 'wd').id);
  });

  test('inputFiles are rendered and written before the first task, outputFiles stored as its output', async () => {
    const exec = await engine.run(
      `
id: wd-files
namespace: test.wd
inputs:
  - id: who
    type: STRING
tasks:
  - id: wd
    type: io.kestra.core.tasks.flows.WorkingDirectory
    inputFiles:
      in/name.txt: "{{ inputs.who }}"
    outputFiles:
      - "*.out"
    tasks:
      - id: greet
        type: shell
        commands:
          - printf "hello %s" "$(cat in/name.txt)" > greeting.out
          - printf "ignored" > greeting.tmp
      - id: last
        type: log
        message: done
`,
      { who: 'ada' },
    );
    expect(exec.state.current).toBe('SUCCESS');
    const files = runOf(exec, 'wd').outputs?.outputFiles as Record<string, string>;
    expect(Object.keys(files)).toEqual(['greeting.out']);
    expect(await text(await engine.storage.get(files['greeting.out']))).toBe('hello ada');
  });

  test('a failing task stops the ones after it, fails the WorkingDirectory and runs its errors outside it', async () => {
    const exec = await engine.run(`
id: wd-fail
namespace: test.wd
tasks:
  - id: wd
    type: working-directory
    tasks:
      - id: boom
        type: shell
        commands:
          - touch left.txt
          - exit 4
      - id: never
        type: log
        message: never
    errors:
      - id: handler
        type: shell
        commands:
          - ${capture('seen', 'ls left.txt 2>/dev/null | wc -l | tr -d " "')}
`);
    expect(exec.state.current).toBe('FAILED');
    expect(runOf(exec, 'wd').state.current).toBe('FAILED');
    expect(runsOf(exec, 'never')).toHaveLength(0);
    expect((runOf(exec, 'handler').outputs?.vars as Record<string, unknown>).seen).toBe('0');
  });

  test('each iteration of a loop has a directory of its own', async () => {
    const exec = await engine.run(`
id: wd-loop
namespace: test.wd
tasks:
  - id: each
    type: for-each
    values: ["a", "b"]
    concurrencyLimit: 0
    tasks:
      - id: wd
        type: working-directory
        tasks:
          - id: add
            type: shell
            commands:
              - printf '{{ parent.taskrun.value }}' >> seen.txt
          - id: count
            type: shell
            commands:
              - ${capture('content', 'cat seen.txt')}
`);
    expect(exec.state.current).toBe('SUCCESS');
    const contents = runsOf(exec, 'count').map((r) => (r.outputs?.vars as Record<string, unknown>).content);
    expect(contents.sort()).toEqual(['a', 'b']);
  });

  test('a retried task starts again from the directory as the task before it left it', async () => {
    const exec = await engine.run(`
id: wd-retry
namespace: test.wd
tasks:
  - id: wd
    type: working-directory
    tasks:
      - id: seed
        type: shell
        commands:
          - printf 1 > count.txt
      - id: flaky
        type: shell
        retry:
          type: constant
          interval: PT0.05S
          maxAttempt: 2
        commands:
          - printf "$(cat count.txt)x" > count.txt
          - test "{{ taskrun.attemptsCount }}" = 1
      - id: read
        type: shell
        commands:
          - ${capture('content', 'cat count.txt')}
`);
    expect(exec.state.current).toBe('SUCCESS');
    expect(runOf(exec, 'flaky').attempts).toHaveLength(2);
    // the failed attempt's change is not kept: the second one started from "1"
    expect((runOf(exec, 'read').outputs?.vars as Record<string, unknown>).content).toBe('1x');
  });

  test('namespaceFiles copies the included namespace files in first, and inputFiles win over them', async () => {
    const files = createNamespaceFileStore(engine.db, engine.storage);
    await files.write('test.wd.nsfiles', '/scripts/a.txt', 'from the namespace');
    await files.write('test.wd.nsfiles', '/scripts/b.txt', 'replaced');
    await files.write('test.wd.nsfiles', '/scripts/skip.log', 'excluded');
    await files.write('test.wd.nsfiles', '/other.txt', 'not included');
    const exec = await engine.run(`
id: wd-namespace-files
namespace: test.wd.nsfiles
tasks:
  - id: wd
    type: working-directory
    namespaceFiles:
      enabled: true
      include: ["scripts/**"]
      exclude: ["**/*.log"]
    inputFiles:
      scripts/b.txt: from inputFiles
    tasks:
      - id: read
        type: shell
        commands:
          - ${capture('listing', 'find . -type f | sort | tr "\\n" " "')}
          - ${capture('a', 'cat scripts/a.txt')}
          - ${capture('b', 'cat scripts/b.txt')}
`);
    expect(exec.state.current).toBe('SUCCESS');
    const vars = runOf(exec, 'read').outputs?.vars as Record<string, unknown>;
    expect(vars.listing).toBe('./scripts/a.txt ./scripts/b.txt ');
    expect(vars.a).toBe('from the namespace');
    expect(vars.b).toBe('from inputFiles');
  });
});
