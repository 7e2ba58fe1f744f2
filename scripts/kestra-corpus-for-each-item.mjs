#!/usr/bin/env node
// Runs the ForEachItem flows of Kestra's own test corpus on an ephemeral embedded engine and checks what
// Kestra's Java tests assert (ForEachItemCaseTest, AllowFailureTest, AllowWarningTest), with the file
// those tests upload: 102 lines of 20 characters. Not a test of the project: it prints how many cases
// behave as in Kestra, for notes and reports.
//
//   npm run build && node scripts/kestra-corpus-for-each-item.mjs [CORPUS_DIR]
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => import(path.join(ROOT, 'dist', p));
const { openEphemeralDatabase } = await dist('db/open.js');
const { Instance } = await dist('app/instance.js');
const { LocalStorage } = await dist('storage/local-storage.js');
const { loadFlow } = await dist('flow/load.js');
const { saveFlow, getFlow } = await dist('db/flow-repository.js');
const { startExecutionFromForm, waitForExecutionEnd } = await dist('app/executions.js');

const corpus = path.resolve(process.argv[2] ?? path.join(ROOT, '../../shared/reference/kestra-test-flows'));
const valids = path.join(corpus, 'core/src/test/resources/flows/valids');

const db = await openEphemeralDatabase();
const storageDir = await mkdtemp(path.join(tmpdir(), 'sluice-corpus-'));
const storage = new LocalStorage(storageDir);
const instance = await new Instance({ db, storage, pollMs: 50, scheduler: false }).start();

const NAMES = /^(for-each-item|task-allow-(failure|warning)-executable-foreachitem)/;
for (const name of (await readdir(valids)).filter((n) => NAMES.test(n)).sort()) {
  const { flow } = loadFlow(await readFile(path.join(valids, name), 'utf8'), name);
  if (flow) await saveFlow(db, flow);
}

const content = (lines) => lines.map((i) => `${String(i).padStart(20)}\n`).join('');
const ITEMS = content(Array.from({ length: 102 }, (_, i) => i));

async function run(flowId, file, fields = {}) {
  const flow = await getFlow(db, 'io.kestra.tests', flowId);
  if (!flow) throw new Error(`flow ${flowId} did not validate`);
  async function* parts() {
    yield { kind: 'file', name: 'file', fileName: 'file.txt', content: Readable.from([file]) };
    for (const [name, value] of Object.entries(fields)) yield { kind: 'field', name, value };
  }
  const started = await startExecutionFromForm(db, storage, flow, parts());
  return waitForExecutionEnd(db, started.id, 50);
}

async function subflows(parent) {
  const { rows } = await db.query(`SELECT doc FROM executions WHERE doc->>'parentId' = $1`, [parent.id]);
  const ended = await Promise.all(rows.map((r) => waitForExecutionEnd(db, r.doc.id, 50)));
  return ended.sort((a, b) => a.trigger.variables.taskRunIteration - b.trigger.variables.taskRunIteration);
}

const results = [];
async function check(name, fn) {
  try {
    const problems = (await fn()).filter(Boolean);
    results.push([name, problems.join('; ')]);
  } catch (error) {
    results.push([name, String(error)]);
  }
}
const expect = (what, actual, expected) =>
  JSON.stringify(actual) === JSON.stringify(expected)
    ? undefined
    : `${what}: ${JSON.stringify(actual)} instead of ${JSON.stringify(expected)}`;
const items = (exec) => exec.taskRunList[2];

await check('ForEachItemCaseTest.forEachItem', async () => {
  const exec = await run('for-each-item', ITEMS, { batch: '4' });
  const children = await subflows(exec);
  const last = children.at(-1);
  return [
    expect('subflows', children.length, 26),
    expect('first iteration', children[0]?.trigger.variables.taskRunIteration, 0),
    expect('task runs', exec.taskRunList.length, 4),
    expect(
      'items attempts',
      items(exec).attempts.map((a) => a.state.current),
      ['SUCCESS'],
    ),
    expect('state', exec.state.current, 'SUCCESS'),
    expect('numberOfBatches', items(exec).outputs?.numberOfBatches, 26),
    expect('iterations', items(exec).outputs?.iterations, { CREATED: 0, RUNNING: 0, SUCCESS: 26 }),
    expect('last subflow', last?.state.current, 'SUCCESS'),
    /\/io\/kestra\/tests\/for-each-item\/executions\/.*\/tasks\/each_split\/.*\.txt$/.test(last?.inputs.items)
      ? undefined
      : `batch URI ${last?.inputs.items}`,
    expect('subflow task runs', last?.taskRunList.length, 1),
    expect('correlation id', last?.labels.find((l) => l.key === 'system.correlationId')?.value, exec.id),
  ];
});

await check('ForEachItemCaseTest.forEachItemEmptyItems', async () => {
  const exec = await run('for-each-item', '', { batch: '4' });
  return [
    expect('task runs', exec.taskRunList.length, 4),
    expect('state', exec.state.current, 'SUCCESS'),
    expect('items outputs', items(exec).outputs, null),
  ];
});

await check('ForEachItemCaseTest.forEachItemNoWait', async () => {
  const exec = await run('for-each-item-no-wait', ITEMS);
  const children = await subflows(exec);
  return [
    expect('task runs', exec.taskRunList.length, 4),
    expect(
      'items attempts',
      items(exec).attempts.map((a) => a.state.current),
      ['SUCCESS'],
    ),
    expect('state', exec.state.current, 'SUCCESS'),
    expect('numberOfBatches', items(exec).outputs?.numberOfBatches, 26),
    expect('iterations', items(exec).outputs?.iterations, { RUNNING: 0, SUCCESS: 26 }),
    expect('subflows', children.length, 26),
    expect('last subflow', children.at(-1)?.state.current, 'SUCCESS'),
  ];
});

await check('ForEachItemCaseTest.forEachItemFailed', async () => {
  const exec = await run('for-each-item-failed', ITEMS);
  const children = await subflows(exec);
  return [
    expect('subflows', children.length, 26),
    expect('task runs', exec.taskRunList.length, 3),
    expect(
      'items attempts',
      items(exec).attempts.map((a) => a.state.current),
      ['FAILED'],
    ),
    expect('state', exec.state.current, 'FAILED'),
    expect('numberOfBatches', items(exec).outputs?.numberOfBatches, 26),
    expect('iterations', items(exec).outputs?.iterations, { CREATED: 0, RUNNING: 0, FAILED: 26 }),
    expect('last subflow', children.at(-1)?.state.current, 'FAILED'),
    expect('subflow task runs', children.at(-1)?.taskRunList.length, 1),
  ];
});

await check('ForEachItemCaseTest.forEachItemWithSubflowOutputs', async () => {
  const exec = await run('for-each-item-outputs', ITEMS);
  const children = await subflows(exec);
  const merged = exec.taskRunList[3]?.outputs?.subflowOutputs;
  const text = merged ? (await (await storage.get(merged)).toArray()).join('') : '';
  return [
    expect('subflows', children.length, 26),
    expect('task runs', exec.taskRunList.length, 5),
    expect(
      'items attempts',
      items(exec).attempts.map((a) => a.state.current),
      ['SUCCESS'],
    ),
    expect('state', exec.state.current, 'SUCCESS'),
    expect('iterations', items(exec).outputs?.iterations, { CREATED: 0, RUNNING: 0, SUCCESS: 26 }),
    expect('merged lines', text.split('\n').filter(Boolean).length, 26),
  ];
});

await check('AllowFailureTest.executableTask_ForEachItem', async () => {
  const exec = await run('task-allow-failure-executable-foreachitem', ITEMS);
  return [expect('state', exec.state.current, 'WARNING'), expect('task runs', exec.taskRunList.length, 4)];
});

await check('AllowWarningTest.executableTask_ForEachItem', async () => {
  const exec = await run('task-allow-warning-executable-foreachitem', ITEMS);
  return [expect('state', exec.state.current, 'SUCCESS'), expect('task runs', exec.taskRunList.length, 4)];
});

await instance.stop();
await db.close();
await rm(storageDir, { recursive: true, force: true });

for (const [name, problem] of results)
  console.log(`${problem ? 'FAIL' : 'ok  '} ${name}${problem ? `: ${problem}` : ''}`);
console.log(
  `kestra ForEachItem cases: ${results.filter(([, p]) => !p).length} of ${results.length} as in Kestra`,
);
