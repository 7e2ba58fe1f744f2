import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type CliResult, ensureCliBuilt, lines, runCli } from '../../support/cli.js';

// `sluice flow run FILE [--flows DIR] [--input K=V]… [--json]` (contract): one execution on an
// ephemeral embedded engine; --json prints the execution document (Kestra's shape) on stdout; exit 0
// for SUCCESS or WARNING, 1 for any other terminal state, 2 for invalid input.
//
// Every CLI run costs a few seconds (a fresh engine), so each distinct command runs once and the tests
// that look at different parts of its result share it. After the time guard, every command starts,
// three at a time (two cores: more only adds contention), and the tests wait for the one they read.

const RUN = 'test/fixtures/cli/run';
const SUBFLOWS = 'test/fixtures/cli/subflows';

interface StateDoc {
  current: string;
  histories: { state: string; date: string }[];
}
interface TaskRunDoc {
  id: string;
  taskId: string;
  parentTaskRunId: string | null;
  value: string | null;
  state: StateDoc;
  attempts: { state: { current: string } }[];
  outputs: Record<string, unknown> | null;
}
interface ExecutionDoc {
  id: string;
  namespace: string;
  flowId: string;
  flowRevision: number;
  state: StateDoc;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown> | null;
  labels: unknown[];
  taskRunList: TaskRunDoc[];
}

const MAX_RUNNING = 3;
let running = 0;
const waiting: (() => void)[] = [];

async function inSlot<T>(fn: () => Promise<T>): Promise<T> {
  while (running >= MAX_RUNNING) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await fn();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

const everyRun: (() => Promise<CliResult>)[] = [];

/** `sluice flow run ...args`, run the first time a test asks for it; later tests get the same result. */
function once(args: string[]): () => Promise<CliResult> {
  let result: Promise<CliResult> | undefined;
  const run = () => {
    result ??= inSlot(() => runCli(['flow', 'run', ...args], { timeoutMs: 45_000 }));
    return result;
  };
  everyRun.push(run);
  return run;
}

function documentOf(result: CliResult): ExecutionDoc {
  try {
    return JSON.parse(result.stdout) as ExecutionDoc;
  } catch {
    throw new Error(
      `stdout is not one JSON document (exit ${result.code}):\n${result.stdout}\nstderr:\n${result.stderr}`,
    );
  }
}

function runOf(doc: ExecutionDoc, taskId: string): TaskRunDoc {
  const runs = doc.taskRunList.filter((tr) => tr.taskId === taskId);
  if (runs.length !== 1) throw new Error(`expected one task run of ${taskId}, got ${runs.length}`);
  return runs[0];
}

const helloSummary = once(['examples/hello.yaml']);
const helloJson = once(['examples/hello.yaml', '--json']);
const parallelLoop = once(['examples/parallel-loop.yaml', '--json']);
const retryAndErrors = once(['examples/retry-and-errors.yaml', '--json']);
const shellOutputs = once(['examples/shell-outputs.yaml', '--json']);
const subflowParent = once(['examples/subflow-parent.yaml', '--flows', 'examples', '--json']);
const warning = once([`${RUN}/warning.yaml`, '--json']);
const failing = once([`${RUN}/failing.yaml`, '--json']);
const missingInput = once([`${RUN}/typed-inputs.yaml`, '--json']);
const wrongType = once([`${RUN}/typed-inputs.yaml`, '--input', 'count=abc', '--json']);
const typed = once([
  `${RUN}/typed-inputs.yaml`,
  '--input',
  'count=41',
  '--input',
  'flag=true',
  '--input',
  'payload={"a":[1,2],"b":null}',
  '--input',
  'ids=1, 2,3',
  '--json',
]);
const TOKEN = 'cli-token-Zz9-secret';
const secretJson = once([`${RUN}/secret-input.yaml`, '--input', `token=${TOKEN}`, '--json']);
const secretSummary = once([`${RUN}/secret-input.yaml`, '--input', `token=${TOKEN}`]);
const subflowWithDir = once([`${RUN}/subflow-caller.yaml`, '--flows', SUBFLOWS, '--json']);
const subflowWithoutDir = once([`${RUN}/subflow-caller.yaml`, '--json']);

beforeAll(() => ensureCliBuilt(), 120_000);

// Alone, before the concurrent tests, so that it measures one run and not a crowd of them.
describe('sluice flow run: time guard', () => {
  test('flow run examples/hello.yaml ends within 10 s (a guard against hangs, not a benchmark)', async () => {
    const started = performance.now();
    await helloSummary();
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  afterAll(() => {
    // the rejection of a run that fails reaches the tests that await it; this only starts them
    for (const run of everyRun) run().catch(() => {});
  });
});

describe.concurrent('sluice flow run --json: the execution document', { timeout: 60_000 }, () => {
  test('stdout is exactly one JSON document', async () => {
    const result = await helloJson();
    expect(() => JSON.parse(result.stdout)).not.toThrow();
  });

  test('carries id, namespace, flowId and flowRevision', async () => {
    const doc = documentOf(await helloJson());
    expect(doc.id).toMatch(/^\w{10,}$/);
    expect({ namespace: doc.namespace, flowId: doc.flowId, flowRevision: doc.flowRevision }).toEqual({
      namespace: 'examples',
      flowId: 'hello',
      flowRevision: 1,
    });
  });

  test('state has current and dated histories CREATED → RUNNING → SUCCESS', async () => {
    const { state } = documentOf(await helloJson());
    expect(state.current).toBe('SUCCESS');
    expect(state.histories.map((h) => h.state)).toEqual(['CREATED', 'RUNNING', 'SUCCESS']);
    for (const h of state.histories) expect(Number.isNaN(Date.parse(h.date))).toBe(false);
  });

  test('inputs hold the resolved values, defaults included', async () => {
    expect(documentOf(await helloJson()).inputs).toEqual({ name: 'world' });
  });

  test('outputs hold the flow outputs', async () => {
    expect(documentOf(await helloJson()).outputs).toEqual({ greeting: 'Hello, world!' });
  });

  test('labels is a list of {key, value}; a flow without labels still gets its correlation id', async () => {
    const doc = documentOf(await helloJson());
    expect(doc.labels).toEqual([{ key: 'system.correlationId', value: doc.id }]);
  });

  test('taskRunList has one run per task with id, state histories, attempts and outputs', async () => {
    const doc = documentOf(await helloJson());
    expect(doc.taskRunList.map((tr) => tr.taskId)).toEqual(['greet', 'say']);
    const greet = runOf(doc, 'greet');
    expect(greet).toMatchObject({
      taskId: 'greet',
      parentTaskRunId: null,
      value: null,
      state: { current: 'SUCCESS' },
      attempts: [{ state: { current: 'SUCCESS' } }],
      outputs: { value: 'Hello, world!' },
    });
    expect(greet.id).toMatch(/^\w{10,}$/);
    expect(greet.state.histories.map((h) => h.state)).toEqual(['CREATED', 'RUNNING', 'SUCCESS']);
  });

  test('task runs inside a ForEach carry the parent task run id and the iteration value', async () => {
    const doc = documentOf(await parallelLoop());
    const parent = runOf(doc, 'per_city');
    const children = doc.taskRunList.filter((tr) => tr.taskId === 'measure');
    expect(children.map((tr) => [tr.value, tr.parentTaskRunId, tr.outputs])).toEqual(
      expect.arrayContaining([
        ['oslo', parent.id, { value: '4' }],
        ['lisbon', parent.id, { value: '6' }],
        ['kyoto', parent.id, { value: '5' }],
        ['lima', parent.id, { value: '4' }],
      ]),
    );
  });
});

describe.concurrent('sluice flow run: exit codes', { timeout: 60_000 }, () => {
  test('SUCCESS exits 0', async () => {
    expect((await helloJson()).code).toBe(0);
  });

  test('a failure under allowFailure ends the execution WARNING', async () => {
    const doc = documentOf(await warning());
    expect(doc.state.current).toBe('WARNING');
  });

  test('WARNING exits 0', async () => {
    expect((await warning()).code).toBe(0);
  });

  test('a failing task ends the execution FAILED', async () => {
    const doc = documentOf(await failing());
    expect([doc.state.current, runOf(doc, 'boom').state.current]).toEqual(['FAILED', 'FAILED']);
  });

  test('FAILED exits 1', async () => {
    expect((await failing()).code).toBe(1);
  });

  test('a missing required input exits 2 and names the input on stderr', async () => {
    const result = await missingInput();
    expect(lines(result.stderr)).toEqual([`${RUN}/typed-inputs.yaml: Missing required input: count`]);
    expect(result.code).toBe(2);
  });

  test('a missing required input prints no execution document', async () => {
    expect((await missingInput()).stdout).toBe('');
  });

  test('a wrongly typed input exits 2 with what was expected and what was given', async () => {
    const result = await wrongType();
    expect(lines(result.stderr)).toEqual([
      `${RUN}/typed-inputs.yaml: Invalid value for input 'count': expected INT, got 'abc'`,
    ]);
    expect(result.code).toBe(2);
  });

  test('a wrongly typed input prints no execution document', async () => {
    expect((await wrongType()).stdout).toBe('');
  });

  test('--input without "=" exits 2 saying KEY=VALUE is expected', async () => {
    const result = await runCli(['flow', 'run', 'examples/hello.yaml', '--input', 'name']);
    expect([result.code, lines(result.stderr)]).toEqual([2, ["invalid --input 'name': expected KEY=VALUE"]]);
  });

  test('an invalid flow file exits 2 with file:line:col lines and nothing on stdout', async () => {
    const file = 'test/fixtures/cli/validate/unknown-type.yaml';
    const result = await runCli(['flow', 'run', file, '--json']);
    expect([result.code, lines(result.stderr), result.stdout]).toEqual([
      2,
      [`${file}:5:11: unknown task type 'io.kestra.plugin.core.log.Shout'`],
      '',
    ]);
  });

  test('a file that does not exist exits 2', async () => {
    const result = await runCli(['flow', 'run', `${RUN}/no-such-flow.yaml`]);
    expect(result.code).toBe(2);
  });
});

describe.concurrent('sluice flow run --input: typed coercion from text', { timeout: 60_000 }, () => {
  test('INT: "41" becomes the number 41', async () => {
    expect(documentOf(await typed()).inputs.count).toBe(41);
  });

  test('BOOLEAN: "true" becomes true', async () => {
    expect(documentOf(await typed()).inputs.flag).toBe(true);
  });

  test('JSON: the text is parsed into an object', async () => {
    expect(documentOf(await typed()).inputs.payload).toEqual({ a: [1, 2], b: null });
  });

  test('ARRAY of INT: comma-separated items are split, trimmed and coerced', async () => {
    expect(documentOf(await typed()).inputs.ids).toEqual([1, 2, 3]);
  });

  test('tasks see the coerced value: {{ inputs.count + 1 }} renders 42', async () => {
    expect(runOf(documentOf(await typed()), 'next').outputs).toEqual({ value: '42' });
  });
});

describe.concurrent('sluice flow run --input for a SECRET input', { timeout: 60_000 }, () => {
  test('--json prints the document with the mask for the input, its masked echo and flow output', async () => {
    const result = await secretJson();
    const doc = documentOf(result);
    expect([doc.state.current, doc.inputs, doc.outputs, result.stdout.includes(TOKEN)]).toEqual([
      'SUCCESS',
      { token: '******' },
      { token: '******' },
      false,
    ]);
  });

  test('the task received the clear value: its hash is that of the token', async () => {
    const hash = createHash('sha256').update(TOKEN).digest('hex');
    expect(runOf(documentOf(await secretJson()), 'hash').outputs).toEqual({ value: hash });
  });

  test('the summary shows the shell’s echo masked and never the value', async () => {
    const result = await secretSummary();
    expect([result.stdout.includes(TOKEN), lines(result.stdout)]).toEqual([
      false,
      expect.arrayContaining([expect.stringMatching(/ INFO {2}echo: the shell got \*{6}$/)]),
    ]);
  });
});

describe.concurrent('sluice flow run --flows DIR', { timeout: 60_000 }, () => {
  test('deploys the flows of DIR, so a subflow in it runs and its outputs come back', async () => {
    const doc = documentOf(await subflowWithDir());
    expect([doc.state.current, doc.outputs]).toEqual(['SUCCESS', { relayed: 'child saw caller' }]);
  });

  test('without --flows the subflow is unknown and the execution fails (exit 1)', async () => {
    const result = await subflowWithoutDir();
    const call = runOf(documentOf(result), 'call');
    expect([result.code, call.state.current]).toEqual([1, 'FAILED']);
  });

  test('FILE inside DIR is deployed once (revision 1) and its subflow runs', async () => {
    const doc = documentOf(await subflowParent());
    expect([doc.flowRevision, runOf(doc, 'call_hello').outputs?.outputs]).toEqual([
      1,
      { greeting: 'Hello, SUBFLOW!' },
    ]);
  });
});

describe.concurrent('sluice flow run without --json: a readable summary', { timeout: 60_000 }, () => {
  test('first line names the execution, the flow and its final state', async () => {
    const first = lines((await helloSummary()).stdout)[0];
    expect(first).toMatch(/^execution \w+ of examples\.hello: SUCCESS$/);
  });

  test('one line per task run with its state', async () => {
    const out = lines((await helloSummary()).stdout);
    expect(out).toEqual(expect.arrayContaining(['  greet: SUCCESS', '  say: SUCCESS']));
  });

  test('the log lines of the execution, with level and task id', async () => {
    const out = lines((await helloSummary()).stdout);
    expect(out).toEqual(expect.arrayContaining([expect.stringMatching(/ INFO {2}say: Hello, world!$/)]));
  });

  test('the flow outputs', async () => {
    const out = lines((await helloSummary()).stdout);
    expect(out).toContain('  outputs: {"greeting":"Hello, world!"}');
  });

  test('exits 0 with nothing on stderr', async () => {
    const result = await helloSummary();
    expect([result.code, result.stderr]).toEqual([0, '']);
  });
});

describe.concurrent('the examples in examples/ all run and end SUCCESS', { timeout: 60_000 }, () => {
  test.each([
    ['hello.yaml', helloJson],
    ['parallel-loop.yaml', parallelLoop],
    ['retry-and-errors.yaml', retryAndErrors],
    ['shell-outputs.yaml', shellOutputs],
    ['subflow-parent.yaml (with --flows examples)', subflowParent],
  ])('examples/%s', async (_name, run) => {
    const result = await run();
    expect([result.code, documentOf(result).state.current]).toEqual([0, 'SUCCESS']);
  });
});
