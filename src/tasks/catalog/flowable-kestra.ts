// Flowable core tasks whose behaviour lives in engine/flowables (one module each).
import { z } from 'zod';
import { condition, duration, nonEmptyTaskList } from '../../flow/schemas.js';
import { flowable, HANDLER_CHILDREN, handlers } from './define.js';

export const kestraFlowableTasks = [
  flowable({
    type: 'io.kestra.plugin.core.flow.WaitFor',
    olderNames: ['io.kestra.core.tasks.flows.WaitFor'],
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
];
