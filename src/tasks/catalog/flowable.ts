// Flowable core tasks: they hold other tasks and the executor decides which of them run.
import { z } from 'zod';
import { inputDef } from '../../flow/input-defs.js';
import {
  boolOrExpression,
  condition,
  duration,
  expecting,
  intOrExpression,
  labels,
  looseMap,
  nonEmptyTaskList,
  taskList,
  text,
} from '../../flow/schemas.js';
import { checkDependencies } from './dag.js';
import { flowable, HANDLER_CHILDREN, handlers } from './define.js';

const TASKS_AND_HANDLERS = [{ key: 'tasks' }, ...HANDLER_CHILDREN];

/** A loop's items: a list, or a string that renders to one (an expression or a JSON array). */
const loopValues = () => z.union([z.array(z.unknown()), z.string()], expecting('a list or a string'));

export const flowableTasks = [
  flowable({
    type: 'io.kestra.plugin.core.flow.Sequential',
    olderNames: ['io.kestra.core.tasks.flows.Sequential'],
    shortName: 'sequential',
    description: 'Runs its tasks one after the other.',
    properties: z.strictObject({ tasks: nonEmptyTaskList(), ...handlers() }),
    children: TASKS_AND_HANDLERS,
  }),
  flowable({
    type: 'io.kestra.plugin.core.flow.Parallel',
    olderNames: ['io.kestra.core.tasks.flows.Parallel'],
    shortName: 'parallel',
    description: 'Runs its tasks at the same time, at most `concurrent` at once (0: no limit).',
    properties: z.strictObject({
      tasks: nonEmptyTaskList(),
      concurrent: intOrExpression(0).default(0),
      ...handlers(),
    }),
    children: TASKS_AND_HANDLERS,
  }),
  flowable({
    type: 'io.kestra.plugin.core.flow.ForEach',
    olderNames: ['io.kestra.core.tasks.flows.ForEach'],
    shortName: 'for-each',
    description: 'Runs its tasks once per value, `concurrencyLimit` iterations at once (0: no limit).',
    properties: z.strictObject({
      values: loopValues(),
      concurrencyLimit: intOrExpression(0).default(1),
      tasks: nonEmptyTaskList(),
      ...handlers(),
    }),
    children: TASKS_AND_HANDLERS,
  }),
  flowable({
    type: 'io.kestra.plugin.core.flow.EachSequential',
    olderNames: ['io.kestra.core.tasks.flows.EachSequential'],
    shortName: 'each-sequential',
    description: 'Runs its tasks once per value, one iteration after the other.',
    properties: z.strictObject({ value: loopValues(), tasks: nonEmptyTaskList(), ...handlers() }),
    children: TASKS_AND_HANDLERS,
  }),
  flowable({
    type: 'io.kestra.plugin.core.flow.EachParallel',
    olderNames: ['io.kestra.core.tasks.flows.EachParallel'],
    shortName: 'each-parallel',
    description: 'Runs its tasks once per value, iterations at the same time (`concurrent`, 0: no limit).',
    properties: z.strictObject({
      value: loopValues(),
      concurrent: intOrExpression(0).default(0),
      tasks: nonEmptyTaskList(),
      ...handlers(),
    }),
    children: TASKS_AND_HANDLERS,
  }),
  flowable({
    type: 'io.kestra.plugin.core.flow.If',
    olderNames: ['io.kestra.core.tasks.flows.If'],
    shortName: 'if',
    description: 'Runs `then` when `condition` renders truthy, `else` otherwise.',
    properties: z.strictObject({
      condition: condition(),
      then: nonEmptyTaskList(),
      else: taskList().optional(),
      ...handlers(),
    }),
    children: [{ key: 'then' }, { key: 'else' }, ...HANDLER_CHILDREN],
  }),
  flowable({
    type: 'io.kestra.plugin.core.flow.Switch',
    olderNames: ['io.kestra.core.tasks.flows.Switch'],
    shortName: 'switch',
    description: 'Runs the case named by the rendered `value`, or `defaults` when none matches.',
    properties: z.strictObject({
      value: text(),
      cases: z.record(z.string(), taskList()).optional(),
      defaults: taskList().optional(),
      ...handlers(),
    }),
    children: [{ key: 'cases', map: true }, { key: 'defaults' }, ...HANDLER_CHILDREN],
  }),
  flowable({
    type: 'io.kestra.plugin.core.flow.Dag',
    olderNames: ['io.kestra.core.tasks.flows.Dag'],
    shortName: 'dag',
    description: 'Runs its tasks as soon as the tasks each one `dependsOn` have ended.',
    properties: z
      .strictObject({
        tasks: z
          .array(
            z.strictObject({
              task: z.custom((task) => task !== undefined),
              dependsOn: z.array(z.string()).optional(),
            }),
          )
          .min(1),
        concurrent: intOrExpression(0).default(0),
        ...handlers(),
      })
      .superRefine((dag, ctx) => checkDependencies(dag.tasks, ctx)),
    children: [{ key: 'tasks', item: 'task' }, ...HANDLER_CHILDREN],
  }),
  flowable({
    type: 'io.kestra.plugin.core.flow.AllowFailure',
    olderNames: ['io.kestra.core.tasks.flows.AllowFailure'],
    shortName: 'allow-failure',
    description: 'Runs its tasks; a failure among them ends this task in WARNING instead of FAILED.',
    properties: z.strictObject({ tasks: nonEmptyTaskList(), ...handlers() }),
    children: TASKS_AND_HANDLERS,
  }),
  flowable({
    type: 'io.kestra.plugin.core.flow.Pause',
    olderNames: ['io.kestra.core.tasks.flows.Pause'],
    shortName: 'pause',
    description:
      'Pauses the execution until resumed, or until `delay` passes; `timeout` then applies `behavior`.',
    properties: z
      .strictObject({
        delay: duration().optional(),
        pauseDuration: duration().optional(),
        timeout: duration().optional(),
        behavior: z.enum(['RESUME', 'WARN', 'CANCEL', 'FAIL']).optional(),
        onResume: z.array(inputDef()).optional(),
        // older flows list tasks run once the pause ends
        tasks: taskList().optional(),
      })
      // the engine reads one name; `pauseDuration` is what older flows call `delay`
      .transform(({ pauseDuration, ...pause }) =>
        pause.delay === undefined && pauseDuration !== undefined ? { ...pause, delay: pauseDuration } : pause,
      ),
    children: [{ key: 'tasks' }],
  }),
  flowable({
    type: 'io.kestra.plugin.core.flow.Subflow',
    olderNames: ['io.kestra.core.tasks.flows.Subflow', 'io.kestra.core.tasks.flows.Flow'],
    shortName: 'subflow',
    description: "Starts an execution of another flow and, with `wait`, ends with that execution's state.",
    properties: z.strictObject({
      namespace: text(),
      flowId: text(),
      inputs: looseMap().optional(),
      labels: labels().optional(),
      wait: boolOrExpression().default(true),
      transmitFailed: boolOrExpression().default(true),
      revision: z.int().min(1).optional(),
      inheritLabels: z.boolean().optional(),
      scheduleDate: text().optional(),
      restartBehavior: z.enum(['NEW_EXECUTION', 'RETRY_FAILED']).optional(),
      outputs: looseMap().optional(),
    }),
    children: [],
  }),
];
