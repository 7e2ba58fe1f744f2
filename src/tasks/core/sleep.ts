import { setTimeout as sleep } from 'node:timers/promises';
import { parseDuration } from '../../flow/duration.js';
import type { RunnableTask } from '../types.js';

/** io.kestra.plugin.core.flow.Sleep: waits `duration`; a kill or timeout interrupts it. */
export const sleepTask: RunnableTask = {
  async run(task, ctx) {
    const duration = parseDuration(await ctx.renderString(String(task.duration)));
    await sleep(duration, undefined, { signal: ctx.signal });
    return {};
  },
};
