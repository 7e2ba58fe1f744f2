import { toIon } from '../../expression/ion.js';
import type { TaskDef } from '../../flow/model.js';
import type { TaskRun } from '../execution.js';
import { isTerminal, newState, type StateType } from '../state.js';
import { type Flowable, type FlowableContext, PENDING } from './flowable.js';

// Kestra's ForEachItem, as Kestra builds it: the task is a Sequential of three steps it makes itself,
// `<id>_split` (a worker cuts the items file into batch files), `<id>_items` (the executor starts one
// subflow execution per batch and counts their end states) and `<id>_merge` (a worker gathers the
// subflows' outputs into one file). Each is a task run of its own, so the execution shows what Kestra's
// shows and a failing step stops the next ones.

export const FOR_EACH_ITEM = 'io.kestra.plugin.core.flow.ForEachItem';
export const FOR_EACH_ITEM_SPLIT = `${FOR_EACH_ITEM}$ForEachItemSplit`;
export const FOR_EACH_ITEM_EXECUTABLE = `${FOR_EACH_ITEM}$ForEachItemExecutable`;
export const FOR_EACH_ITEM_MERGE = `${FOR_EACH_ITEM}$ForEachItemMergeOutputs`;

/** The name, in a batch run's folder, of the outputs of the subflow of one batch. */
export const iterationOutputsFile = (iteration: number) => `outputs-${iteration}.ion`;

/** a splits list longer than this is refused: its subflows would all be created in one transaction */
const MAX_SPLITS_TEXT = 16 * 1024 * 1024;
/** one subflow's outputs as one Ion line */
const MAX_OUTPUTS_LINE = 8 * 1024 * 1024;

const generatedOf = new WeakMap<TaskDef, TaskDef[]>();

function steps(task: TaskDef): TaskDef[] {
  let made = generatedOf.get(task);
  if (made) return made;
  made = [
    { id: `${task.id}_split`, type: FOR_EACH_ITEM_SPLIT, items: task.items, batch: task.batch ?? {} },
    {
      id: `${task.id}_items`,
      type: FOR_EACH_ITEM_EXECUTABLE,
      splitTaskId: `${task.id}_split`,
      namespace: task.namespace,
      flowId: task.flowId,
      ...(task.revision !== undefined ? { revision: task.revision } : {}),
      inputs: task.inputs ?? {},
      labels: task.labels ?? {},
      inheritLabels: task.inheritLabels === true,
      wait: task.wait ?? true,
      transmitFailed: task.transmitFailed ?? true,
    },
    { id: `${task.id}_merge`, type: FOR_EACH_ITEM_MERGE, itemsTaskId: `${task.id}_items` },
  ] as TaskDef[];
  generatedOf.set(task, made);
  return made;
}

export const forEachItem: Flowable = {
  type: FOR_EACH_ITEM,
  generated: steps,
  next: (run, task, ctx) => ctx.evalList(steps(task), run, null, 1),
};

/** the per-state counts of a batch run (Kestra's `iterations` output) */
type Iterations = Record<string, number>;

function iterationsOf(run: TaskRun): Iterations {
  return (run.outputs?.iterations as Iterations | undefined) ?? {};
}

async function flag(value: unknown, task: TaskDef, run: TaskRun, ctx: FlowableContext): Promise<boolean> {
  const rendered = typeof value === 'string' ? await ctx.render(value, task, run) : value;
  return rendered !== false && rendered !== 'false';
}

/** Kestra's ExecutableUtils.findTerminalState: a failed batch fails the step, then a killed one, then
 * a warning; anything else (cancelled included) succeeds. */
function terminalState(iterations: Iterations): StateType {
  if ((iterations.FAILED ?? 0) > 0) return 'FAILED';
  if ((iterations.KILLED ?? 0) > 0) return 'KILLED';
  if ((iterations.WARNING ?? 0) > 0) return 'WARNING';
  return 'SUCCESS';
}

/** The `_items` step: one subflow execution per batch file listed by the split step. `taskrun.items`
 * (the batch file's URI) and `taskrun.iteration` (from 0) are seen by its `inputs` and `labels`. With
 * `wait`, it ends once every subflow has, in the worst of their states (`transmitFailed`), and the
 * outputs of each subflow are stored for the merge step; without, it succeeds once they are created. */
export const forEachItemExecutable: Flowable = {
  type: FOR_EACH_ITEM_EXECUTABLE,

  async start(run, task, ctx) {
    const parent = ctx.parentOf(run);
    const split = parent && ctx.children(parent).find((r) => r.taskId === task.splitTaskId);
    const splitsUri = split?.outputs?.splits;
    if (typeof splitsUri !== 'string') throw new Error(`task '${String(task.splitTaskId)}' gave no batches`);
    const batches = (await ctx.readText(splitsUri, MAX_SPLITS_TEXT)).split('\n').filter((l) => l !== '');
    const wait = await flag(task.wait, task, run, ctx);
    // like a Subflow, the step has one attempt spanning its child executions
    run.attempts.push({ state: newState(ctx.now(), 'RUNNING') });
    const namespace = String(await ctx.render(task.namespace, task, run));
    const flowId = String(await ctx.render(task.flowId, task, run));
    const children: string[] = [];
    for (const [iteration, items] of batches.entries()) {
      children.push(
        await ctx.startSubflow(run, task, {
          namespace,
          flowId,
          revision: typeof task.revision === 'number' ? task.revision : undefined,
          inputs: task.inputs,
          labels: task.labels,
          inheritLabels: task.inheritLabels === true,
          variables: { taskrun: { items, iteration } },
          trigger: { taskRunIteration: iteration },
        }),
      );
    }
    run.items = children;
    const n = batches.length;
    // Kestra's counts: with wait every batch moves CREATED → RUNNING → its end state; without, the
    // step only sees them started
    if (n > 0)
      run.outputs = {
        numberOfBatches: n,
        iterations: wait ? { CREATED: 0, RUNNING: n } : { RUNNING: 0, SUCCESS: n },
      };
    ctx.changed();
  },

  async next(run, task, ctx) {
    const n = run.items?.length ?? 0;
    if (n === 0 || !(await flag(task.wait, task, run, ctx))) return { done: true, state: 'SUCCESS' };
    if ((iterationsOf(run).RUNNING ?? 0) > 0) return PENDING;
    run.outputs = { ...run.outputs, subflowOutputsBaseUri: ctx.filesOf(run) };
    ctx.changed();
    const transmit = await flag(task.transmitFailed, task, run, ctx);
    return { done: true, state: transmit ? terminalState(iterationsOf(run)) : 'SUCCESS' };
  },

  async subflowEnded(run, _task, ended, ctx) {
    const children = run.items ?? [];
    const index = children.indexOf(ended.childExecutionId);
    // a batch is counted once, whatever the queue delivers twice
    if (index < 0 || isTerminal(run.state.current)) return;
    children[index] = '';
    const iterations = { ...iterationsOf(run) };
    iterations.RUNNING = Math.max(0, (iterations.RUNNING ?? 0) - 1);
    iterations[ended.state] = (iterations[ended.state] ?? 0) + 1;
    run.outputs = { ...run.outputs, iterations };
    if (ended.outputs && Object.keys(ended.outputs).length > 0) {
      await ctx.putFile(
        run,
        iterationOutputsFile(ended.iteration ?? index),
        `${toIon(ended.outputs, MAX_OUTPUTS_LINE)}\n`,
      );
    }
    ctx.changed();
  },

  childExecutions: (run) => (run.items ?? []).filter((id) => id !== ''),
};
