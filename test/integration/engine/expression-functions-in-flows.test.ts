import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createKvStore } from '../../../src/db/kv-store.js';
import { testDialects } from '../../support/databases.js';
import { runOf, runsOf, startTestEngine, type TestEngine } from '../../support/engine.js';

// The template functions that need the platform (internal storage for read() and fileSize(), the KV
// store for kv(), namespace files) and the data filters, in real flows on a worker, and read() and kv()
// in the templates the executor renders.

describe.each(testDialects())('template functions in flows on $name', (dialect) => {
  let engine: TestEngine;
  beforeAll(async () => {
    engine = await startTestEngine(dialect);
  });
  afterAll(async () => engine?.stop());

  const producer = `
id: notes
namespace: test.expr.files
tasks:
  - id: write
    type: shell
    outputFiles: [notes.txt]
    commands:
      - printf 'tide at {{ "{{" }} flow.id {{ "}}" }}' > notes.txt
  - id: check
    type: return
    format: "{{ read(outputs.write.outputFiles['notes.txt']) }}|{{ fileSize(outputs.write.outputFiles['notes.txt']) }}|{{ render(read(outputs.write.outputFiles['notes.txt'])) }}"
`;

  test("read() and fileSize() give a file of the execution's own storage to a later task", async () => {
    const exec = await engine.run(producer);
    expect(exec.state.current).toBe('SUCCESS');
    const check = runOf(exec, 'check');
    expect(check.attempts).toHaveLength(1);
    expect(check.outputs?.value).toBe('tide at {{ flow.id }}|21|tide at notes');
  });

  test("read() of another execution's file fails the task run with the reason", async () => {
    const first = await engine.run(producer);
    const uri = (runOf(first, 'write').outputs?.outputFiles as Record<string, string>)['notes.txt'];
    const exec = await engine.run(`
id: snoop
namespace: test.expr.other
tasks:
  - id: steal
    type: return
    format: "{{ read('${uri}') }}"
`);
    expect(exec.state.current).toBe('FAILED');
    expect(runOf(exec, 'steal').state.current).toBe('FAILED');
    expect(runOf(exec, 'steal').error).toMatch(/belongs to another execution/);
  });

  test('kv() of a missing key is null; read() of a missing namespace file fails naming it', async () => {
    const exec = await engine.run(`
id: stores
namespace: test.expr.kv
tasks:
  - id: key
    type: return
    format: "{{ kv('threshold') ?? 'absent' }}"
  - id: nsfile
    type: return
    format: "{{ read('queries/daily.sql') }}"
    allowFailure: true
`);
    expect(exec.state.current).toBe('WARNING');
    expect(runOf(exec, 'key').outputs).toEqual({ value: 'absent' });
    expect(runOf(exec, 'nsfile').error).toMatch(
      /no file or directory \/queries\/daily\.sql in namespace test\.expr\.kv/,
    );
  });

  test('read() works where the executor renders: flow outputs and ForEach values', async () => {
    const exec = await engine.run(`
id: outputs-read
namespace: test.expr.outputs
tasks:
  - id: write
    type: shell
    outputFiles: [a.txt, list.json]
    commands:
      - printf abc > a.txt
      - printf '["x","y"]' > list.json
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: "{{ read(outputs.write.outputFiles['list.json']) }}"
    tasks:
      - id: seen
        type: return
        format: "{{ taskrun.value }}"
outputs:
  - id: text
    type: STRING
    value: "{{ read(outputs.write.outputFiles['a.txt']) }} {{ fileSize(outputs.write.outputFiles['a.txt']) }}"
`);
    expect(exec.state.current).toBe('SUCCESS');
    expect(exec.outputs).toEqual({ text: 'abc 3' });
    expect(runsOf(exec, 'seen').map((r) => r.value)).toEqual(['x', 'y']);
  });

  test('kv() works in an If condition, read in the executor', async () => {
    await createKvStore(engine.db).put('test.expr.ifkv', 'go', { type: 'BOOLEAN', value: true });
    const exec = await engine.run(`
id: if-kv
namespace: test.expr.ifkv
tasks:
  - id: check
    type: io.kestra.plugin.core.flow.If
    condition: "{{ kv('go') }}"
    then:
      - id: yes
        type: return
        format: went
`);
    expect(exec.state.current).toBe('SUCCESS');
    expect(runOf(exec, 'yes').outputs).toEqual({ value: 'went' });
  });

  test("an executor-side read() of another execution's file is refused", async () => {
    const other = await engine.run(`
id: owner
namespace: test.expr.outputs
tasks:
  - id: write
    type: local-files
    inputs: { s.txt: secret }
    outputs: [s.txt]
`);
    const uri = (runOf(other, 'write').outputs?.uris as Record<string, string>)['s.txt'];
    const exec = await engine.run(`
id: thief
namespace: test.expr.outputs
tasks:
  - id: check
    type: io.kestra.plugin.core.flow.If
    condition: "{{ read('${uri}') == 'secret' }}"
    then:
      - id: never
        type: log
        message: never
`);
    expect(exec.state.current).toBe('FAILED');
    expect(runOf(exec, 'check').error).toMatch(/belongs to another execution/);
  });

  test('encrypt() then decrypt() with a key gives the text back; jq, yaml and toIon shape outputs', async () => {
    const key = Buffer.alloc(32, 3).toString('base64');
    const exec = await engine.run(`
id: data
namespace: test.expr.data
variables:
  crew: [{name: ada, role: pilot}, {name: lin, role: cook}, {name: bo, role: pilot}]
tasks:
  - id: seal
    type: return
    format: "{{ encrypt('${key}', 'harbour code 42') }}"
  - id: open
    type: return
    format: "{{ decrypt('${key}', outputs.seal.value) }}"
  - id: shape
    type: output-values
    values:
      pilots: "{{ vars.crew | jq('[.[] | select(.role == \\"pilot\\") | .name]') | first }}"
      yaml: "{{ vars.crew[0] | yaml }}"
      ion: "{{ vars.crew[1] | toIon }}"
      back: "{{ fromIon(vars.crew[1] | toIon).name }}"
`);
    expect(exec.state.current).toBe('SUCCESS');
    expect(runOf(exec, 'seal').outputs?.value).not.toContain('harbour');
    expect(runOf(exec, 'open').outputs?.value).toBe('harbour code 42');
    expect(runOf(exec, 'shape').outputs?.values).toEqual({
      pilots: '["ada","bo"]',
      yaml: 'name: ada\nrole: pilot\n',
      ion: '{name:"lin",role:"cook"}',
      back: 'lin',
    });
  });
});
