// Tasks that read or act on the platform's own executions and logs.
import { z } from 'zod';
import { boolOrExpression, listOr, LOG_LEVELS, looseMap, state, text } from '../../flow/schemas.js';
import { runnable } from './define.js';

const target = {
  namespace: text().optional(),
  flowId: text().optional(),
  executionId: text().optional(),
};

export const systemTasks = [
  runnable({
    type: 'io.kestra.plugin.core.log.Fetch',
    olderNames: ['io.kestra.core.tasks.log.Fetch'],
    shortName: 'fetch-logs',
    description: "Writes an execution's log lines to an Ion file (this execution's by default).",
    properties: z.strictObject({
      ...target,
      tasksId: listOr(z.array(text()), text()).optional(),
      level: z.enum(LOG_LEVELS).optional(),
    }),
  }),
  runnable({
    type: 'io.kestra.plugin.core.log.PurgeLogs',
    shortName: 'purge-logs',
    description: 'Deletes log lines written up to `endDate`.',
    properties: z.strictObject({
      ...target,
      logLevels: z.array(z.enum(LOG_LEVELS)).optional(),
      startDate: text().optional(),
      endDate: text(),
    }),
  }),
  runnable({
    type: 'io.kestra.plugin.core.execution.Count',
    olderNames: ['io.kestra.core.tasks.executions.Counts'],
    shortName: 'count-executions',
    description: 'Counts the executions of flows or namespaces started in a window.',
    properties: z.strictObject({
      flows: z.array(z.strictObject({ namespace: z.string(), flowId: z.string() })).optional(),
      namespaces: z.array(z.string()).optional(),
      states: z.array(state()).optional(),
      startDate: text(),
      endDate: text().optional(),
      expression: text(),
    }),
  }),
  runnable({
    type: 'io.kestra.plugin.core.execution.PurgeExecutions',
    olderNames: ['io.kestra.core.tasks.storages.Purge', 'io.kestra.plugin.core.storage.Purge'],
    shortName: 'purge-executions',
    description: 'Deletes ended executions started up to `endDate`, with their logs and files.',
    properties: z.strictObject({
      namespace: text().optional(),
      flowId: text().optional(),
      startDate: text().optional(),
      endDate: text(),
      states: z.array(state()).optional(),
      purgeExecution: boolOrExpression().optional(),
      purgeLog: boolOrExpression().optional(),
      purgeMetric: boolOrExpression().optional(),
      purgeStorage: boolOrExpression().optional(),
    }),
  }),
  runnable({
    type: 'io.kestra.plugin.core.execution.Resume',
    shortName: 'resume',
    description: 'Resumes a paused execution.',
    properties: z.strictObject({ ...target, inputs: looseMap().optional() }),
  }),
  runnable({
    type: 'io.kestra.plugin.core.trigger.Toggle',
    olderNames: ['io.kestra.core.tasks.trigger.Toggle'],
    shortName: 'toggle-trigger',
    description: 'Enables or disables a Schedule trigger of this flow or of another one.',
    properties: z.strictObject({
      namespace: text().optional(),
      flowId: text().optional(),
      trigger: text(),
      enabled: z.boolean().default(false),
    }),
  }),
];
