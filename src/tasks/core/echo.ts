import type { RunnableTask } from '../types.js';
import { logTask } from './log.js';

/** io.kestra.plugin.core.debug.Echo (deprecated in Kestra for Log, still in its core): logs `format` at
 * `level` and has no outputs, exactly as Kestra's Echo hands its work to Log. */
export const echoTask: RunnableTask = {
  run(task, ctx) {
    return logTask.run({ ...task, message: task.format }, ctx);
  },
};
