import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { executionStoragePrefix } from '../../../src/storage/paths.js';
import { testDialects } from '../../support/databases.js';
import { runOf, startTestEngine, type TestEngine } from '../../support/engine.js';

// Files through internal storage inside a real flow: a script stores its outputFiles, a later script
// receives one of them through inputFiles, and what the flow stored can be read back by URI.

describe.each(testDialects())('internal storage in flows on $name', (dialect) => {
  let engine: TestEngine;
  beforeAll(async () => {
    engine = await startTestEngine(dialect);
  });
  afterAll(async () => engine?.stop());

  const producerFlow = `
id: files
namespace: test.storage.files
tasks:
  - id: produce
    type: shell
    outputFiles:
      - report.csv
      - "*.txt"
      - nested/**
    commands:
      - printf 'city,population\\noslo,709000\\nlisbon,545000\\n' > report.csv
      - echo "notes of {{ execution.id }}" > notes.txt
      - mkdir -p nested/deeper && echo inner > nested/deeper/inner.log
      - echo not listed > ignored.dat
  - id: consume
    type: shell
    inputFiles:
      data.csv: "{{ outputs.produce.outputFiles['report.csv'] }}"
    commands:
      - cat data.csv
      - 'echo "::{\\"outputs\\":{\\"rows\\":$(tail -n +2 data.csv | wc -l)}}::"'
`;

  test('outputFiles URIs are sluice:/// URIs under the execution prefix, one per matching file', async () => {
    const exec = await engine.run(producerFlow);
    expect(exec.state.current).toBe('SUCCESS');
    const files = runOf(exec, 'produce').outputs?.outputFiles as Record<string, string>;
    expect(Object.keys(files).sort()).toEqual(['nested/deeper/inner.log', 'notes.txt', 'report.csv']);
    const prefix = `sluice:///${executionStoragePrefix(exec.namespace, exec.flowId, exec.id)}/`;
    expect(prefix).toBe(`sluice:///test/storage/files/files/executions/${exec.id}/`);
    for (const uri of Object.values(files)) expect(uri.startsWith(prefix)).toBe(true);
  });

  test('a later shell task gets an output file through inputFiles and reads it', async () => {
    const exec = await engine.run(producerFlow);
    expect(exec.state.current).toBe('SUCCESS');
    expect(runOf(exec, 'consume').outputs?.vars).toEqual({ rows: 2 });
    const logged = (await engine.logs(exec.id)).filter((l) => l.taskId === 'consume').map((l) => l.message);
    expect(logged).toEqual(['city,population', 'oslo,709000', 'lisbon,545000']);
  });

  test('the stored file content reads back with storage.get(uri)', async () => {
    const exec = await engine.run(producerFlow);
    const files = runOf(exec, 'produce').outputs?.outputFiles as Record<string, string>;
    expect(await text(await engine.storage.get(files['report.csv']))).toBe(
      'city,population\noslo,709000\nlisbon,545000\n',
    );
    expect(await text(await engine.storage.get(files['notes.txt']))).toBe(`notes of ${exec.id}\n`);
    expect(await text(await engine.storage.get(files['nested/deeper/inner.log']))).toBe('inner\n');
  });

  test('two outputFiles that would be stored under one name fail the task instead of one replacing the other', async () => {
    const exec = await engine.run(`
id: clash
namespace: test.storage
tasks:
  - id: produce
    type: shell
    outputFiles:
      - "**/*.txt"
    commands:
      - mkdir -p a && echo nested > a/b.txt && echo flat > a_b.txt
`);
    expect(exec.state.current).toBe('FAILED');
    expect(runOf(exec, 'produce').error).toMatch(
      /^outputFiles: "a\/b\.txt" and "a_b\.txt" would be stored as the same file sluice:\/\/\/.*\/a_b\.txt; rename one of them$/,
    );
  });

  test("a task cannot read another execution's file, even by its exact URI", async () => {
    const producer = await engine.run(producerFlow);
    const uri = (runOf(producer, 'produce').outputs?.outputFiles as Record<string, string>)['report.csv'];
    const exec = await engine.run(`
id: snoop
namespace: test.storage.other
tasks:
  - id: read
    type: shell
    inputFiles:
      stolen.csv: "${uri}"
    commands:
      - cat stolen.csv
`);
    expect(runOf(exec, 'read').state.current).toBe('FAILED');
    expect(runOf(exec, 'read').error).toMatch(/belongs to another execution/);
  });

  test('a subflow reads a file its parent execution passes down', async () => {
    await engine.deploy(`
id: reader-child
namespace: test.storage.sub
inputs:
  - id: file
    type: STRING
tasks:
  - id: read
    type: shell
    inputFiles:
      in.txt: "{{ inputs.file }}"
    commands:
      - cat in.txt
`);
    const exec = await engine.run(`
id: writer-parent
namespace: test.storage.sub
tasks:
  - id: write
    type: shell
    outputFiles: [out.txt]
    commands:
      - echo from-parent > out.txt
  - id: call
    type: subflow
    namespace: test.storage.sub
    flowId: reader-child
    inputs:
      file: "{{ outputs.write.outputFiles['out.txt'] }}"
`);
    expect(exec.state.current).toBe('SUCCESS');
    const childId = runOf(exec, 'call').outputs?.executionId as string;
    const lines = (await engine.logs(childId)).map((l) => l.message);
    expect(lines).toContain('from-parent');
  });

  test('an inputFiles URI that climbs out of the storage root fails the task with a clear error', async () => {
    const exec = await engine.run(`
id: escape
namespace: test.storage
tasks:
  - id: steal
    type: shell
    inputFiles:
      passwd: "sluice:///../../etc/passwd"
    commands:
      - cat passwd
`);
    expect(exec.state.current).toBe('FAILED');
    expect(runOf(exec, 'steal').state.current).toBe('FAILED');
    expect(runOf(exec, 'steal').error).toBe(
      `invalid storage URI "sluice:///../../etc/passwd": '..' segments are not allowed`,
    );
    const logged = (await engine.logs(exec.id)).map((l) => l.message).join('\n');
    expect(logged).not.toMatch(/root:/);
  });
});
