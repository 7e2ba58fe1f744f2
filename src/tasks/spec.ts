import type { ZodType } from 'zod';

/** Where a task type keeps nested task lists, so the flow loader can validate them and the engine
 * can find children:
 *  - `{ key: 'tasks' }`            a list of tasks
 *  - `{ key: 'cases', map: true }` a map whose values are lists of tasks (Switch)
 *  - `{ key: 'tasks', item: 'task' }` a list of wrappers whose `task` field is a task (Dag) */
export interface ChildListSpec {
  key: string;
  map?: boolean;
  item?: string;
}

/** The static description of a task type: what the flow loader validates against. Behaviour lives
 * elsewhere (engine/flowables for flowable types, tasks/runtime for runnable ones). */
export interface TaskTypeSpec {
  /** canonical name, e.g. io.kestra.plugin.core.flow.Parallel */
  type: string;
  /** older Kestra names (io.kestra.core.tasks.*) and our short name (e.g. `parallel`) */
  aliases: string[];
  kind: 'flowable' | 'runnable';
  /** schema of the type-specific properties; the common task fields are validated separately */
  properties: ZodType;
  children: ChildListSpec[];
  description: string;
}

export interface TriggerTypeSpec {
  type: string;
  aliases: string[];
  properties: ZodType;
  description: string;
}
