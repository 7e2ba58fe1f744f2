import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  ExecutionConflictError,
  InvalidInputsError,
  startExecution,
  waitForExecutionEnd,
  watchExecution,
} from '../app/executions.js';
import { flowFilesIn, loadFlowFiles } from '../app/flow-files.js';
import { Instance } from '../app/instance.js';
import { syncInProcessFromEnv } from '../config/config.js';
import { selectLogs } from '../db/engine-store.js';
import type { Database } from '../db/database.js';
import { saveFlow } from '../db/flow-repository.js';
import { searchLogs } from '../db/log-search.js';
import type { EphemeralDatabase } from '../db/open.js';
import type { Execution } from '../engine/execution.js';
import { formatFlowError } from '../flow/errors.js';
import { resolveInputs } from '../flow/inputs.js';
import type { Flow } from '../flow/model.js';
import { SecretCipher } from '../secrets/cipher.js';
import { createInputSeal, maskSealed } from '../secrets/sealed-inputs.js';
import { LocalStorage } from '../storage/local-storage.js';

import { EXIT_FAILED, EXIT_INVALID, EXIT_OK } from './exit-codes.js';
import { LiveRunView, type Terminal } from './run-view.js';

/** how often a terminal's view of a run is refreshed, and a sync's progress reported to it */
const LIVE_REFRESH_MS = 250;
const LIVE_SYNC_PROGRESS_MS = 1000;

export async function runFlow(
  file: string,
  opts: { flows?: string; input: string[]; json?: boolean },
  database: Promise<EphemeralDatabase>,
): Promise<number> {
  try {
    return await prepareAndRun(file, opts, database);
  } finally {
    // the caller exits right after: dropping the files beats a WASM shutdown by ~0.2 s
    await (await database.catch(() => undefined))?.discard();
  }
}

async function prepareAndRun(
  file: string,
  opts: { flows?: string; input: string[]; json?: boolean },
  database: Promise<EphemeralDatabase>,
): Promise<number> {
  const inputs: Record<string, string> = {};
  for (const pair of opts.input) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      process.stderr.write(`invalid --input '${pair}': expected KEY=VALUE\n`);
      return EXIT_INVALID;
    }
    inputs[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  const target = path.resolve(file);
  const others = opts.flows ? (await flowFilesIn(opts.flows)).map((f) => path.resolve(f)) : [];
  const files = [target, ...others.filter((f) => f !== target)];
  const { flows, errors } = await loadFlowFiles(files.map((f) => path.relative(process.cwd(), f) || f));
  if (errors.length > 0) {
    for (const e of errors) process.stderr.write(`${formatFlowError(e)}\n`);
    return EXIT_INVALID;
  }
  // The run's database lives as long as the run: so does the key its SECRET inputs are sealed with.
  const cipher = SecretCipher.fromKey(randomBytes(32).toString('base64'));
  const inputSeal = createInputSeal(cipher);
  // Inputs are checked before the engine is waited for: a typo costs no database start.
  const inputErrors = resolveInputs(flows[0].inputs, inputs, {
    fromStrings: true,
    seal: inputSeal.seal,
  }).errors;
  if (inputErrors.length > 0) {
    for (const e of inputErrors) process.stderr.write(`${file}: ${e}\n`);
    return EXIT_INVALID;
  }

  // A person at a terminal sees the run as it happens; a pipe or --json gets the document at the end.
  const live = !opts.json && process.stdout.isTTY ? process.stdout : undefined;
  const storageDir = await mkdtemp(path.join(tmpdir(), 'sluice-run-'));
  const db = await database;
  try {
    // no scheduler: a one-off run fires no triggers
    await new Instance({
      db,
      storage: new LocalStorage(storageDir),
      pollMs: 200,
      scheduler: false,
      syncInProcess: syncInProcessFromEnv(),
      syncProgressIntervalMs: live ? LIVE_SYNC_PROGRESS_MS : undefined,
      cipher,
    }).start();
    let main: Flow | undefined;
    for (const f of flows) {
      const saved = await saveFlow(db, f);
      main ??= saved;
    }
    if (!main) return EXIT_INVALID;
    let execution: Execution;
    try {
      execution = await startExecution(db, main, inputs, { fromStrings: true, inputSeal });
    } catch (error) {
      if (error instanceof ExecutionConflictError) {
        process.stderr.write(`${file}: ${error.message}\n`);
        return EXIT_INVALID;
      }
      if (!(error instanceof InvalidInputsError)) throw error;
      for (const e of error.errors) process.stderr.write(`${file}: ${e}\n`);
      return EXIT_INVALID;
    }
    // printed as the API answers it: a SECRET input shows the mask
    if (live) {
      const ended = maskSealed(await followLive(db, execution.id, live));
      printOutcome(ended);
      return exitCodeOf(ended);
    }
    const ended = maskSealed(await waitForExecutionEnd(db, execution.id, 200));
    if (opts.json) process.stdout.write(`${JSON.stringify(ended, null, 2)}\n`);
    else printSummary(ended, await selectLogs(db, ended.id));
    return exitCodeOf(ended);
  } finally {
    await rm(storageDir, { recursive: true, force: true });
  }
}

function exitCodeOf(execution: Execution): number {
  return execution.state.current === 'SUCCESS' || execution.state.current === 'WARNING'
    ? EXIT_OK
    : EXIT_FAILED;
}

/** Shows task run states and log lines as they come until the execution ends; returns its end. */
async function followLive(db: Database, id: string, terminal: Terminal): Promise<Execution> {
  const view = new LiveRunView(terminal);
  let latest: Execution | undefined;
  let afterId = 0;
  const refresh = async (): Promise<void> => {
    if (!latest) return;
    // logs are masked where they are written; the document's SECRET inputs are masked here
    const lines = await searchLogs(db, { executionId: id, afterId, page: 1, size: 1000 });
    if (lines.length > 0) afterId = lines[lines.length - 1].id;
    view.update(maskSealed(latest), lines);
  };
  let refreshing: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    refreshing = refreshing.then(refresh);
  }, LIVE_REFRESH_MS);
  try {
    latest = await watchExecution(db, id, {
      pollMs: LIVE_REFRESH_MS,
      onUpdate: (execution) => (latest = execution),
    });
  } finally {
    clearInterval(timer);
  }
  await refreshing;
  // the last lines may have been written just before the end: read until none are left
  for (let before = -1; before !== afterId;) {
    before = afterId;
    await refresh();
  }
  view.finish();
  return latest;
}

function printOutcome(execution: Execution): void {
  const out = process.stdout;
  out.write(
    `execution ${execution.id} of ${execution.namespace}.${execution.flowId}: ${execution.state.current}\n`,
  );
  if (execution.error) out.write(`  error: ${execution.error}\n`);
  if (execution.outputs) out.write(`  outputs: ${JSON.stringify(execution.outputs)}\n`);
}

function printSummary(execution: Execution, logs: Awaited<ReturnType<typeof selectLogs>>): void {
  const out = process.stdout;
  out.write(
    `execution ${execution.id} of ${execution.namespace}.${execution.flowId}: ${execution.state.current}\n`,
  );
  for (const tr of execution.taskRunList) {
    const value = tr.value === null ? '' : ` [${tr.value}]`;
    const attempts = tr.attempts.length > 1 ? ` (${tr.attempts.length} attempts)` : '';
    out.write(`  ${tr.taskId}${value}: ${tr.state.current}${attempts}${tr.error ? ` — ${tr.error}` : ''}\n`);
  }
  for (const line of logs)
    out.write(`  ${line.ts} ${line.level.padEnd(5)} ${line.taskId ?? ''}: ${line.message}\n`);
  if (execution.error) out.write(`  error: ${execution.error}\n`);
  if (execution.outputs) out.write(`  outputs: ${JSON.stringify(execution.outputs)}\n`);
}
