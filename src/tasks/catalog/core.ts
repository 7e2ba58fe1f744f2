// Runnable core tasks: logging, returning a value, publishing outputs, failing on purpose, waiting.
import { z } from 'zod';
import { condition, duration, expecting, listOr, LOG_LEVELS, looseMap, text } from '../../flow/schemas.js';
import { runnable } from './define.js';

export const coreTasks = [
  runnable({
    type: 'io.kestra.plugin.core.log.Log',
    olderNames: ['io.kestra.core.tasks.log.Log'],
    shortName: 'log',
    description: 'Writes a message (or several) to the task run log.',
    properties: z.strictObject({
      message: listOr(z.array(text()).min(1), text()),
      level: z.enum(LOG_LEVELS).default('INFO'),
    }),
  }),
  runnable({
    type: 'io.kestra.plugin.core.debug.Echo',
    olderNames: ['io.kestra.core.tasks.debugs.Echo'],
    shortName: 'echo',
    description: 'Writes `format` to the task run log at `level` (deprecated in Kestra in favour of Log).',
    properties: z.strictObject({
      format: text().refine((f) => f.trim() !== '', 'format must not be blank'),
      level: z.enum(LOG_LEVELS).default('INFO'),
    }),
  }),
  runnable({
    type: 'io.kestra.plugin.core.debug.Return',
    olderNames: ['io.kestra.core.tasks.debugs.Return'],
    shortName: 'return',
    description: 'Renders `format` and returns it as the output `value`.',
    properties: z.strictObject({ format: text().optional() }),
  }),
  runnable({
    type: 'io.kestra.plugin.core.output.OutputValues',
    olderNames: ['io.kestra.core.tasks.outputs.OutputValues'],
    shortName: 'output-values',
    description: 'Renders `values` and returns them as the output `values`.',
    properties: z.strictObject({ values: looseMap().optional() }),
  }),
  runnable({
    type: 'io.kestra.plugin.core.execution.Fail',
    olderNames: ['io.kestra.core.tasks.executions.Fail'],
    shortName: 'fail',
    description: 'Fails with `errorMessage`, always or when `condition` renders truthy.',
    properties: z.strictObject({
      condition: condition().optional(),
      errorMessage: text().default('Task failure'),
    }),
  }),
  runnable({
    type: 'io.kestra.plugin.core.execution.Labels',
    olderNames: ['io.kestra.core.tasks.executions.Labels'],
    shortName: 'labels',
    description: 'Sets labels on the running execution.',
    properties: z.strictObject({
      labels: z.union(
        [z.string(), z.array(z.strictObject({ key: text(), value: text() })), z.record(z.string(), text())],
        expecting('a map of labels, a list of {key, value}, or an expression'),
      ),
    }),
  }),
  runnable({
    type: 'io.kestra.plugin.core.flow.Sleep',
    olderNames: ['io.kestra.core.tasks.flows.Sleep'],
    shortName: 'sleep',
    description: 'Waits for `duration`.',
    properties: z.strictObject({ duration: duration() }),
  }),
];
