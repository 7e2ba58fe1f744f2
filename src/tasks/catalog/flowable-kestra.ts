// Flowable core tasks whose behaviour lives in engine/flowables (one module each).
import { z } from 'zod';
import {
  boolOrExpression,
  condition,
  duration,
  intOrExpression,
  labels,
  looseMap,
  nonEmptyTaskList,
  text,
} from '../../flow/schemas.js';
import { findTaskType } from '../catalog.js';
import { flowable, HANDLER_CHILDREN, handlers } from './define.js';

/** Kestra's WorkingDirectoryTaskValidation: the tasks run on the worker, so none may be flowable
 * and none may choose its own worker group. */
function workingDirectoryChildren(tasks: unknown[], ctx: z.RefinementCtx): void {
  for (const [i, child] of tasks.entries()) {
    if (typeof child !== 'object' || child === null) continue;
    const { type, workerGroup } = child as { type?: unknown; workerGroup?: unknown };
    if (typeof type === 'string' && findTaskType(type)?.kind === 'flowable') {
      ctx.addIssue({
        code: 'custom',
        path: ['tasks', i, 'type'],
        message: 'Only runnable tasks are allowed as children of a WorkingDirectory task',
      });
    }
    if (workerGroup !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['tasks', i, 'workerGroup'],
        message:
          'Cannot set a Worker Group in any WorkingDirectory sub-tasks, it is only supported at the WorkingDirectory level',
      });
    }
  }
}

export const kestraFlowableTasks = [
  flowable({
    type: 'io.kestra.plugin.core.flow.WaitFor',
    // added after Kestra's move to io.kestra.plugin.*: it has no older name
    shortName: 'wait-for',
    description:
      'Runs its tasks again and again, `checkFrequency.interval` apart, until `condition` renders truthy ' +
      'or a maximum (`maxIterations`, `maxDuration`) is reached.',
    properties: z.strictObject({
      condition: condition(),
      tasks: nonEmptyTaskList(),
      failOnMaxReached: z.boolean().default(false),
      checkFrequency: z
        .strictObject({
          interval: duration().optional(),
          maxIterations: z.int().min(1).optional(),
          maxDuration: duration().optional(),
        })
        .optional(),
      ...handlers(),
    }),
    children: [{ key: 'tasks' }, ...HANDLER_CHILDREN],
  }),
  flowable({
    type: 'io.kestra.plugin.core.flow.WorkingDirectory',
    olderNames: ['io.kestra.core.tasks.flows.WorkingDirectory', 'io.kestra.core.tasks.flows.Worker'],
    shortName: 'working-directory',
    description:
      'Runs its (runnable) tasks one after the other in one shared working directory: files one task ' +
      'makes are there for the next. `inputFiles` are written first, `outputFiles` stored at the end.',
    properties: z
      .strictObject({
        tasks: nonEmptyTaskList(),
        inputFiles: z.union([looseMap(), z.string()]).optional(),
        outputFiles: z.array(text()).optional(),
        // accepted so that Kestra flows load; see docs/flows.md for what Sluice does with them
        namespaceFiles: looseMap().optional(),
        cache: z
          .strictObject({ ttl: duration().optional(), patterns: z.array(z.string()).min(1) })
          .optional(),
        ...handlers(),
      })
      .superRefine((wd, ctx) => workingDirectoryChildren(wd.tasks, ctx)),
    children: [{ key: 'tasks' }, ...HANDLER_CHILDREN],
  }),
  flowable({
    type: 'io.kestra.plugin.core.flow.ForEachItem',
    olderNames: ['io.kestra.core.tasks.flows.ForEachItem'],
    shortName: 'for-each-item',
    description:
      'Cuts an internal-storage file of items into batches and starts one execution of a subflow per ' +
      'batch (`taskrun.items` is the batch file, `taskrun.iteration` its index).',
    properties: z.strictObject({
      items: text(),
      batch: z
        .strictObject({
          rows: intOrExpression(1).optional(),
          bytes: text().optional(),
          partitions: intOrExpression(1).optional(),
          separator: z.string().optional(),
        })
        .optional(),
      namespace: text(),
      flowId: text(),
      revision: z.int().min(1).optional(),
      inputs: looseMap().optional(),
      labels: labels().optional(),
      wait: boolOrExpression().optional(),
      transmitFailed: boolOrExpression().optional(),
      inheritLabels: z.boolean().optional(),
      ...handlers(),
    }),
    children: HANDLER_CHILDREN,
  }),
];
