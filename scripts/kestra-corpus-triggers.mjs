#!/usr/bin/env node
// Runs the Flow-trigger cases of Kestra's own test flows on an ephemeral embedded engine and checks
// what Kestra's Java tests assert (FlowTriggerCaseTest, MultipleConditionTriggerCaseTest,
// FlowTriggerPreconditionsTest). Not a test of the project: it prints how many cases behave as in
// Kestra, for notes and reports.
//
//   npm run build && node scripts/kestra-corpus-triggers.mjs [CORPUS_DIR]
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => import(path.join(ROOT, 'dist', p));
const { openEphemeralDatabase } = await dist('db/open.js');
const { Instance } = await dist('app/instance.js');
const { LocalStorage } = await dist('storage/local-storage.js');
const { loadFlow } = await dist('flow/load.js');
const { saveFlow, getFlow } = await dist('db/flow-repository.js');
const { startExecution, waitForExecutionEnd } = await dist('app/executions.js');
const { Scheduler } = await dist('engine/scheduler.js');
const { createSchedulerBackend } = await dist('db/scheduler-store.js');

const corpus = path.resolve(process.argv[2] ?? path.join(ROOT, '../../shared/reference/kestra-test-flows'));
const valids = path.join(corpus, 'core/src/test/resources/flows/valids');

const db = await openEphemeralDatabase();
const storageDir = await mkdtemp(path.join(tmpdir(), 'sluice-corpus-'));
const instance = await new Instance({
  db,
  storage: new LocalStorage(storageDir),
  pollMs: 50,
  scheduler: false,
}).start();
const scheduler = new Scheduler(createSchedulerBackend(db));

// the flows of the trigger cases, as Kestra's tests load every flow of the folder
for (const name of (await readdir(valids)).filter((n) => /^(trigger-|flow-trigger-)/.test(n)).sort()) {
  const { flow } = loadFlow(await readFile(path.join(valids, name), 'utf8'), name);
  if (flow) await saveFlow(db, flow);
}

async function executionsOf(flowId) {
  const { rows } = await db.query('SELECT doc FROM executions WHERE flow_id = $1 ORDER BY created', [flowId]);
  return rows.map((r) => r.doc);
}

/** Runs a flow to its end, then lets the scheduler hear of it, and of what it started, until calm. */
async function run(namespace, flowId) {
  const flow = await getFlow(db, namespace, flowId);
  if (!flow) throw new Error(`flow ${namespace}.${flowId} did not validate`);
  const started = await startExecution(db, flow, {});
  const done = await waitForExecutionEnd(db, started.id, 50);
  for (let i = 0; i < 3; i++) {
    await scheduler.tick();
    const { rows } = await db.query(`SELECT id FROM executions WHERE ended IS NULL`);
    for (const { id } of rows) await waitForExecutionEnd(db, id, 50);
  }
  return done;
}

const results = [];
async function check(name, fn) {
  try {
    const problem = await fn();
    results.push([name, problem]);
  } catch (error) {
    results.push([name, String(error)]);
  }
}

await check('FlowTriggerCaseTest.trigger', async () => {
  const upstream = await run('io.kestra.tests.trigger', 'trigger-flow');
  const [listener] = await executionsOf('trigger-flow-listener');
  const [noInputs] = await executionsOf('trigger-flow-listener-no-inputs');
  const [byNamespace] = await executionsOf('trigger-flow-listener-namespace-condition');
  const invalid = await executionsOf('trigger-flow-listener-invalid');
  if (listener?.state.current !== 'SUCCESS') return 'trigger-flow-listener did not succeed';
  if (listener.taskRunList[0]?.outputs?.value !== `childs: from parents: ${upstream.id}`)
    return `trigger-flow-listener output ${JSON.stringify(listener.taskRunList[0]?.outputs)}`;
  if (noInputs?.trigger?.variables.executionId !== upstream.id)
    return 'trigger-flow-listener-no-inputs not started';
  if (byNamespace?.state.current !== 'SUCCESS')
    return 'trigger-flow-listener-namespace-condition not started';
  if (invalid.length > 0) return 'trigger-flow-listener-invalid started although its inputs cannot render';
  return undefined;
});

await check('FlowTriggerCaseTest.triggerWithPause', async () => {
  const upstream = await run('io.kestra.tests.trigger.pause', 'trigger-flow-with-pause');
  if (upstream.taskRunList.length !== 3 || upstream.state.current !== 'SUCCESS')
    return `trigger-flow-with-pause ended ${upstream.state.current} with ${upstream.taskRunList.length} task runs`;
  const fired = await executionsOf('trigger-flow-listener-with-pause');
  const statuses = fired.map((e) => e.outputs?.status).sort();
  return JSON.stringify(statuses) === JSON.stringify(['PAUSED', 'RUNNING', 'RUNNING', 'SUCCESS'])
    ? undefined
    : `listener statuses ${JSON.stringify(statuses)}`;
});

await check('MultipleConditionTriggerCaseTest.trigger', async () => {
  await run('io.kestra.tests.trigger', 'trigger-multiplecondition-flow-a');
  if ((await executionsOf('trigger-multiplecondition-listener')).length !== 0)
    return 'fired after flow-a alone';
  await run('io.kestra.tests.trigger', 'trigger-multiplecondition-flow-b');
  const fired = await executionsOf('trigger-multiplecondition-listener');
  return fired.length === 1 && fired[0].state.current === 'SUCCESS'
    ? undefined
    : `fired ${fired.length} times`;
});

await check('MultipleConditionTriggerCaseTest.failed', async () => {
  await run('io.kestra.tests.trigger', 'trigger-multiplecondition-flow-c');
  await run('io.kestra.tests.trigger', 'trigger-multiplecondition-flow-d');
  const fired = await executionsOf('trigger-multiplecondition-failed');
  return fired.length === 0 ? undefined : `fired ${fired.length} times although flow-c failed`;
});

await check('FlowTriggerPreconditionsTest (flow-a then flow-b)', async () => {
  await run('io.kestra.tests.trigger.preconditions', 'flow-trigger-preconditions-flow-a');
  if ((await executionsOf('flow-trigger-preconditions-flow-listen')).length !== 0)
    return 'fired after flow-a alone';
  await run('io.kestra.tests.trigger.preconditions', 'flow-trigger-preconditions-flow-b');
  const fired = await executionsOf('flow-trigger-preconditions-flow-listen');
  return fired.length === 1 ? undefined : `fired ${fired.length} times`;
});

await instance.stop();
await db.close();
await rm(storageDir, { recursive: true, force: true });

for (const [name, problem] of results)
  console.log(`${problem ? 'FAIL' : 'ok  '} ${name}${problem ? `: ${problem}` : ''}`);
console.log(
  `kestra flow-trigger cases: ${results.filter(([, p]) => !p).length} of ${results.length} as in Kestra`,
);
