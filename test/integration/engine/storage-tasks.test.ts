import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testDialects } from '../../support/databases.js';
import { runOf, startTestEngine, type TestEngine } from '../../support/engine.js';

// Kestra's storage tasks in real flows: files written by LocalFiles into the engine's internal storage,
// then read, cut, joined, filtered and deleted by the tasks that follow.

/** An Ion file of four items (one written as JSON, which is Ion too), as a YAML block under a key. */
const ITEMS = [
  '|',
  '{id:1,name:"ada",lang:"en"}',
  '{id:2,name:"bob",lang:"fr"}',
  '{"id":3,"name":"ada","lang":"de"}',
  '{id:4,name:"cy",lang:"en"}',
].join('\n        ');

describe.each(testDialects())('storage tasks on $name', (dialect) => {
  let engine: TestEngine;
  const read = async (uri: unknown) => text(await engine.storage.get(String(uri)));
  beforeAll(async () => {
    engine = await startTestEngine(dialect);
  });
  afterAll(async () => engine?.stop());

  test('LocalFiles stores its inputs; Size, Concat and Reverse read them back', async () => {
    const exec = await engine.run(`
id: files-basic
namespace: test.storage
tasks:
  - id: make
    type: io.kestra.plugin.core.storage.LocalFiles
    inputs:
      a.txt: "one\\ntwo\\n"
      b.txt: "three"
      skipped.log: "not an output"
    outputs:
      - "*.txt"
  - id: size
    type: io.kestra.core.tasks.storages.Size
    uri: "{{ outputs.make.uris['a.txt'] }}"
  - id: concat
    type: io.kestra.plugin.core.storage.Concat
    files:
      - "{{ outputs.make.uris['a.txt'] }}"
      - "{{ outputs.make.uris['b.txt'] }}"
    separator: "|"
    extension: .txt
  - id: reverse
    type: io.kestra.plugin.core.storage.Reverse
    from: "{{ outputs.make.uris['a.txt'] }}"
    separator: ";"
`);
    expect(exec.state.current).toBe('SUCCESS');
    const uris = runOf(exec, 'make').outputs?.uris as Record<string, string>;
    expect(Object.keys(uris).sort()).toEqual(['a.txt', 'b.txt']);
    expect(runOf(exec, 'size').outputs).toEqual({ size: 8 });
    const concat = runOf(exec, 'concat').outputs?.uri as string;
    expect(concat).toMatch(/\.txt$/);
    expect(await read(concat)).toBe('one\ntwo\n|three|');
    const reversed = runOf(exec, 'reverse').outputs?.uri as string;
    expect(reversed).toMatch(/\.txt$/);
    expect(await read(reversed)).toBe('two;one;');
  });

  test('Concat takes its files as an expression rendering to a JSON list', async () => {
    const exec = await engine.run(`
id: files-concat-expr
namespace: test.storage
tasks:
  - id: make
    type: local-files
    inputs: { x.csv: "x\\n", y.csv: "y\\n" }
    outputs: ["*.csv"]
  - id: concat
    type: concat
    files: "{{ [outputs.make.uris['y.csv'], outputs.make.uris['x.csv']] | json }}"
`);
    expect(exec.state.current).toBe('SUCCESS');
    expect(await read(runOf(exec, 'concat').outputs?.uri)).toBe('y\nx\n');
  });

  test('Split cuts by rows, by partitions and by bytes, keeping the extension', async () => {
    const exec = await engine.run(`
id: files-split
namespace: test.storage
tasks:
  - id: make
    type: local-files
    inputs: { rows.csv: "r1\\nr2\\nr3\\nr4\\nr5\\n" }
    outputs: ["rows.csv"]
  - id: rows
    type: io.kestra.plugin.core.storage.Split
    from: "{{ outputs.make.uris['rows.csv'] }}"
    rows: 2
  - id: partitions
    type: io.kestra.plugin.core.storage.Split
    from: "{{ outputs.make.uris['rows.csv'] }}"
    partitions: 2
  - id: bytes
    type: io.kestra.core.tasks.storages.Split
    from: "{{ outputs.make.uris['rows.csv'] }}"
    bytes: "6"
    separator: ","
`);
    expect(exec.state.current).toBe('SUCCESS');
    const contents = async (id: string) => {
      const uris = runOf(exec, id).outputs?.uris as string[];
      expect(uris.every((u) => u.endsWith('.csv'))).toBe(true);
      return Promise.all(uris.map(read));
    };
    expect(await contents('rows')).toEqual(['r1\nr2\n', 'r3\nr4\n', 'r5\n']);
    expect(await contents('partitions')).toEqual(['r1\nr3\nr5\n', 'r2\nr4\n']);
    expect(await contents('bytes')).toEqual(['r1,r2,', 'r3,r4,', 'r5,']);
  });

  test('FilterItems keeps the items whose condition holds and counts those dropped', async () => {
    const exec = await engine.run(`
id: files-filter
namespace: test.storage
tasks:
  - id: make
    type: local-files
    inputs:
      items.ion: ${ITEMS}
    outputs: ["items.ion"]
  - id: english
    type: io.kestra.plugin.core.storage.FilterItems
    from: "{{ outputs.make.uris['items.ion'] }}"
    filterCondition: "{{ lang == 'en' }}"
  - id: not-ada
    type: io.kestra.core.tasks.storages.FilterItems
    from: "{{ outputs.make.uris['items.ion'] }}"
    filterCondition: "{{ name == 'ada' }}"
    filterType: EXCLUDE
`);
    expect(exec.state.current).toBe('SUCCESS');
    const english = runOf(exec, 'english').outputs!;
    expect(english).toMatchObject({ processedItemsTotal: 4, droppedItemsTotal: 2 });
    expect(await read(english.uri)).toBe('{id:1,name:"ada",lang:"en"}\n{id:4,name:"cy",lang:"en"}\n');
    const notAda = runOf(exec, 'not-ada').outputs!;
    expect(notAda).toMatchObject({ processedItemsTotal: 4, droppedItemsTotal: 2 });
    expect(await read(notAda.uri)).toBe('{id:2,name:"bob",lang:"fr"}\n{id:4,name:"cy",lang:"en"}\n');
  });

  test('FilterItems fails on an item its condition cannot be rendered for, unless told to keep or drop it', async () => {
    const exec = await engine.run(`
id: files-filter-errors
namespace: test.storage
tasks:
  - id: make
    type: local-files
    inputs: { items.ion: "{n:1}\\n{m:2}\\n" }
    outputs: ["items.ion"]
  - id: lenient
    type: filter-items
    from: "{{ outputs.make.uris['items.ion'] }}"
    filterCondition: "{{ n > 0 }}"
    errorOrNullBehavior: EXCLUDE
  - id: strict
    type: filter-items
    from: "{{ outputs.make.uris['items.ion'] }}"
    filterCondition: "{{ n > 0 }}"
`);
    expect(runOf(exec, 'lenient').state.current).toBe('SUCCESS');
    expect(runOf(exec, 'lenient').outputs).toMatchObject({ processedItemsTotal: 2, droppedItemsTotal: 1 });
    expect(runOf(exec, 'strict').state.current).toBe('FAILED');
    expect(exec.state.current).toBe('FAILED');
  });

  test('DeduplicateItems keeps the last item of each key, in the order of the file', async () => {
    const exec = await engine.run(`
id: files-dedup
namespace: test.storage
tasks:
  - id: make
    type: local-files
    inputs:
      items.ion: ${ITEMS}
    outputs: ["items.ion"]
  - id: dedup
    type: io.kestra.plugin.core.storage.DeduplicateItems
    from: "{{ outputs.make.uris['items.ion'] }}"
    expr: "{{ name }}"
`);
    expect(exec.state.current).toBe('SUCCESS');
    const out = runOf(exec, 'dedup').outputs!;
    expect(out).toMatchObject({ numKeys: 3, processedItemsTotal: 4, droppedItemsTotal: 1 });
    expect(await read(out.uri)).toBe(
      '{id:2,name:"bob",lang:"fr"}\n{"id":3,"name":"ada","lang":"de"}\n{id:4,name:"cy",lang:"en"}\n',
    );
  });

  test('Delete removes a file of the execution, says so, and errorOnMissing fails a second delete', async () => {
    const exec = await engine.run(`
id: files-delete
namespace: test.storage
tasks:
  - id: make
    type: local-files
    inputs: { gone.txt: "bye" }
    outputs: ["gone.txt"]
  - id: delete
    type: io.kestra.plugin.core.storage.Delete
    uri: "{{ outputs.make.uris['gone.txt'] }}"
  - id: again
    type: io.kestra.plugin.core.storage.Delete
    uri: "{{ outputs.make.uris['gone.txt'] }}"
  - id: strict
    type: io.kestra.plugin.core.storage.Delete
    uri: "{{ outputs.make.uris['gone.txt'] }}"
    errorOnMissing: true
`);
    const uri = (runOf(exec, 'make').outputs?.uris as Record<string, string>)['gone.txt'];
    expect(runOf(exec, 'delete').outputs).toEqual({ uri, deleted: true });
    expect(await engine.storage.exists(uri)).toBe(false);
    expect(runOf(exec, 'again').outputs).toEqual({ uri, deleted: false });
    expect(runOf(exec, 'strict').state.current).toBe('FAILED');
  });

  test("Delete refuses another execution's file and leaves it in place", async () => {
    const first = await engine.run(`
id: files-owner
namespace: test.storage
tasks:
  - id: make
    type: local-files
    inputs: { keep.txt: "mine" }
    outputs: ["keep.txt"]
`);
    const uri = (runOf(first, 'make').outputs?.uris as Record<string, string>)['keep.txt'];
    const exec = await engine.run(
      `
id: files-thief
namespace: test.storage
inputs:
  - id: target
    type: STRING
tasks:
  - id: delete
    type: delete-file
    uri: "{{ inputs.target }}"
`,
      { target: uri },
    );
    expect(runOf(exec, 'delete').state.current).toBe('FAILED');
    expect(await read(uri)).toBe('mine');
  });

  test('PurgeCurrentExecutionFiles deletes every file of the execution and counts them', async () => {
    const exec = await engine.run(`
id: files-purge
namespace: test.storage
tasks:
  - id: make
    type: local-files
    inputs: { a.txt: "a", b.txt: "b" }
    outputs: ["*.txt"]
  - id: purge
    type: io.kestra.core.tasks.storages.PurgeExecution
`);
    expect(exec.state.current).toBe('SUCCESS');
    const uris = Object.values(runOf(exec, 'make').outputs?.uris as Record<string, string>);
    expect(runOf(exec, 'purge').outputs).toMatchObject({ count: 2 });
    for (const uri of uris) expect(await engine.storage.exists(uri)).toBe(false);
  });
});
