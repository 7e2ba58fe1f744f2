import { parseDuration } from '../../flow/duration.js';
import type { TaskDef } from '../../flow/model.js';
import type { TaskRun } from '../execution.js';
import { isFailure, transition } from '../state.js';
import { type ChildrenResult, type Flowable, type FlowableContext, PENDING } from './flowable.js';

interface CheckFrequency {
  interval?: string;
  maxIterations?: number;
  maxDuration?: string;
}

// Kestra's defaults (WaitFor.CheckFrequency)
const DEFAULT_INTERVAL = 'PT1S';
const DEFAULT_MAX_ITERATIONS = 100;
const DEFAULT_MAX_DURATION = 'PT1H';

/** Marks on the run once the loop is over, so that later passes (its `errors` or `finally` still
 * running) do not count or evaluate again. */
const OVER = 'over';
const MAX_REACHED = 'max-reached';

/** WaitFor, as Kestra 0.20 runs it: its tasks run in order; once every one of them SUCCEEDED the
 * iteration counts (`iterationCount` starts at 1 and grows by one after each full iteration) and
 * `condition` is rendered. Not truthy and no maximum reached: the run waits PAUSED for `interval`,
 * its children are dropped and the tasks run again. A maximum reached ends the loop, FAILED with
 * `failOnMaxReached`, otherwise with the children's state. A child that does not succeed ends it. */
export const waitFor: Flowable = {
  type: 'io.kestra.plugin.core.flow.WaitFor',

  async start(run) {
    run.outputs = { iterationCount: 1 };
  },

  async next(run, task, ctx) {
    const tasks = ((task.tasks as TaskDef[] | undefined) ?? []).filter((t) => !t.disabled);
    if (run.state.current === 'PAUSED') return PENDING;
    if (run.branch === MAX_REACHED) return { done: true, state: 'FAILED' };
    const result = await ctx.evalList(tasks, run, null, 1);
    if (!result.done || run.branch === OVER) return result;
    const children = ctx.children(run);
    const iterated = tasks.every((t) =>
      children.some((c) => c.taskId === t.id && c.state.current === 'SUCCESS'),
    );
    if (isFailure(result.state) || !iterated) return over(run, ctx, result);

    const iterationCount = Number(run.outputs?.iterationCount ?? 0) + 1;
    run.outputs = { ...run.outputs, iterationCount };
    ctx.changed();
    const frequency = (task.checkFrequency as CheckFrequency | undefined) ?? {};
    const reached = maximumReached(run, frequency, iterationCount, ctx.now());
    if (reached === undefined) {
      let met: boolean;
      try {
        met = await ctx.holds(task.condition, task, run);
      } catch (error) {
        run.error = error instanceof Error ? error.message : String(error);
        return over(run, ctx, { done: true, state: 'FAILED' });
      }
      if (met) return over(run, ctx, result);
      transition(run.state, 'PAUSED', ctx.now());
      await ctx.wakeAfter(run, parseDuration(frequency.interval ?? DEFAULT_INTERVAL));
      return PENDING;
    }
    if (task.failOnMaxReached === true) {
      run.error = reached;
      run.branch = MAX_REACHED;
      return { done: true, state: 'FAILED' };
    }
    return over(run, ctx, result);
  },

  async wake(run, _task, ctx) {
    if (run.state.current !== 'PAUSED') return;
    ctx.forgetChildren(run);
    transition(run.state, 'RUNNING', ctx.now());
    ctx.changed();
  },
};

function over(run: TaskRun, ctx: FlowableContext, result: ChildrenResult): ChildrenResult {
  run.branch = OVER;
  ctx.changed();
  return result;
}

/** Kestra counts iterations past the maximum (`iterationCount > maxIterations`) and the duration
 * from the task run's creation. */
function maximumReached(
  run: TaskRun,
  frequency: CheckFrequency,
  iterationCount: number,
  now: Date,
): string | undefined {
  if (iterationCount > (frequency.maxIterations ?? DEFAULT_MAX_ITERATIONS)) return 'Max iterations reached';
  const created = Date.parse(run.state.histories[0].date);
  if (created + parseDuration(frequency.maxDuration ?? DEFAULT_MAX_DURATION) < now.getTime())
    return 'Max duration reached';
  return undefined;
}
