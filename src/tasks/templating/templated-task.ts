import { parse } from 'yaml';
import { issueMessage } from '../../flow/issues.js';
import { findTaskType } from '../catalog.js';
import type { RunnableTask } from '../types.js';

export const TEMPLATED_TASK_TYPE = 'io.kestra.plugin.core.templating.TemplatedTask';

/** Fields every task may carry; the spec's own type-specific properties are checked without them. */
const COMMON_FIELDS = new Set(['id', 'type', 'description']);

/** io.kestra.plugin.core.templating.TemplatedTask: renders `spec`, reads it as the YAML of a runnable
 * task (its type chosen by the template, say) and runs that task in its place, with its outputs. */
export function createTemplatedTask(runnable: (type: string) => RunnableTask | undefined): RunnableTask {
  return {
    async run(task, ctx) {
      const rendered = await ctx.renderString(String(task.spec));
      let spec: unknown;
      try {
        spec = parse(rendered);
      } catch (error) {
        throw new Error(`the rendered spec is not YAML: ${(error as Error).message.split('\n')[0]}`);
      }
      if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
        throw new Error('the rendered spec must be a task: a map with a type');
      }
      const { type, ...rest } = spec as Record<string, unknown>;
      const found = typeof type === 'string' ? findTaskType(type) : undefined;
      if (!found) throw new Error(`the rendered spec has an unknown task type ${JSON.stringify(type)}`);
      if (found.type === TEMPLATED_TASK_TYPE) {
        throw new Error(`The templated task cannot be of type '${TEMPLATED_TASK_TYPE}'`);
      }
      const implementation = found.kind === 'runnable' ? runnable(found.type) : undefined;
      if (!implementation) throw new Error('The templated task must be a runnable task');
      const props = Object.fromEntries(Object.entries(rest).filter(([key]) => !COMMON_FIELDS.has(key)));
      const checked = found.properties.safeParse(props, { error: issueMessage });
      if (!checked.success) {
        const problems = checked.error.issues.map((i) => `${i.path.join('.') || '(spec)'}: ${i.message}`);
        throw new Error(`the rendered spec is not a valid ${found.type}: ${problems.join('; ')}`);
      }
      return implementation.run(
        { ...(checked.data as Record<string, unknown>), id: task.id, type: found.type },
        ctx,
      );
    },
  };
}
