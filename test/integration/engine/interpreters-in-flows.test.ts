import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testDialects } from '../../support/databases.js';
import { runOf, startTestEngine, type TestEngine } from '../../support/engine.js';

// Kestra's Python and Perl script tasks on the same process runner as shell and Node: real python3 and
// perl processes started by the worker of a real engine.

describe.each(testDialects())('Python and Perl script tasks on $name', (dialect) => {
  let engine: TestEngine;
  beforeAll(async () => {
    engine = await startTestEngine(dialect);
  });
  afterAll(async () => engine?.stop());

  test('a Python Script sends outputs and logs through the kestra module, and a later task reads them', async () => {
    const exec = await engine.run(`
id: py-outputs
namespace: test.python
inputs:
  - id: who
    type: STRING
    defaults: ada
tasks:
  - id: py
    type: io.kestra.plugin.scripts.python.Script
    warningOnStdErr: false
    script: |
      from kestra import Kestra
      log = Kestra.logger()
      log.warning("careful, {{ inputs.who }}")
      Kestra.outputs({"greeting": "hello {{ inputs.who }}", "squares": [i * i for i in range(4)]})
      Kestra.counter("rows", 3)
  - id: use
    type: return
    format: "{{ outputs.py.vars.greeting }} {{ outputs.py.vars.squares[3] }}"
`);
    expect(exec.state.current).toBe('SUCCESS');
    expect(runOf(exec, 'py').outputs).toEqual({
      vars: { greeting: 'hello ada', squares: [0, 1, 4, 9] },
      exitCode: 0,
      outputFiles: {},
    });
    expect(runOf(exec, 'use').outputs).toEqual({ value: 'hello ada 9' });
    const logs = await engine.logs(exec.id);
    expect(logs.filter((l) => l.taskId === 'py').map((l) => [l.level, l.message])).toEqual([
      ['WARN', 'careful, ada'],
    ]);
  });

  test('Python Commands run beforeCommands, read inputFiles from a subfolder and store outputFiles', async () => {
    const exec = await engine.run(`
id: py-files
namespace: test.python
tasks:
  - id: cmds
    type: io.kestra.plugin.scripts.python.Commands
    beforeCommands:
      - echo prepared > prepared.txt
    inputFiles:
      app/main.py: |
        import sys
        from kestra import Kestra
        prepared = open("prepared.txt").read().strip()
        with open("out/report.csv", "w") as f:
            f.write("n,square\\n" + "".join(f"{n},{n*n}\\n" for n in range(3)))
        Kestra.outputs({"prepared": prepared, "args": sys.argv[1:]})
    outputFiles:
      - out/*.csv
    commands:
      - mkdir -p out
      - python3 app/main.py one two
`);
    expect(exec.state.current).toBe('SUCCESS');
    const outputs = runOf(exec, 'cmds').outputs as { vars: unknown; outputFiles: Record<string, string> };
    expect(outputs.vars).toEqual({ prepared: 'prepared', args: ['one', 'two'] });
    expect(Object.keys(outputs.outputFiles)).toEqual(['out/report.csv']);
    expect(await text(await engine.storage.get(outputs.outputFiles['out/report.csv']))).toBe(
      'n,square\n0,0\n1,1\n2,4\n',
    );
  });

  test('a Python exception fails the task run after its retries, with the exit code', async () => {
    const exec = await engine.run(`
id: py-fails
namespace: test.python
tasks:
  - id: boom
    type: io.kestra.plugin.scripts.python.Script
    retry:
      type: constant
      interval: PT0.1S
      maxAttempt: 2
    script: raise SystemExit(3)
`);
    expect(exec.state.current).toBe('FAILED');
    const run = runOf(exec, 'boom');
    expect(run.state.current).toBe('FAILED');
    expect(run.attempts.map((a) => a.state.current)).toEqual(['FAILED', 'FAILED']);
    const logs = await engine.logs(exec.id);
    expect(logs.some((l) => l.taskId === 'boom' && /exit code 3/.test(l.message))).toBe(true);
  });

  test('Python stderr makes the task WARNING by default, as in Kestra', async () => {
    const exec = await engine.run(`
id: py-stderr
namespace: test.python
tasks:
  - id: noisy
    type: python
    script: |
      import sys
      print("to stderr", file=sys.stderr)
`);
    expect(runOf(exec, 'noisy').state.current).toBe('WARNING');
    expect(exec.state.current).toBe('WARNING');
  });

  test('a Perl Script and Perl Commands speak the same ::{}:: outputs protocol', async () => {
    const exec = await engine.run(`
id: perl-outputs
namespace: test.perl
tasks:
  - id: pl
    type: io.kestra.plugin.scripts.perl.Script
    script: |
      my @words = split / /, "{{ flow.id }} runs perl";
      print "::{\\"outputs\\":{\\"words\\":" . scalar(@words) . "}}::\\n";
  - id: plc
    type: io.kestra.plugin.scripts.perl.Commands
    commands:
      - perl -e 'print "::{\\"outputs\\":{\\"sum\\":" . (20 + 22) . "}}::\\n"'
`);
    expect(exec.state.current).toBe('SUCCESS');
    expect(runOf(exec, 'pl').outputs?.vars).toEqual({ words: 3 });
    expect(runOf(exec, 'plc').outputs?.vars).toEqual({ sum: 42 });
  });
});
