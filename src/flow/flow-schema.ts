// The top level of a flow. Task, trigger and input lists are only checked to be lists here: their
// items are checked one by one elsewhere, with messages that name the item.
import { z } from 'zod';
import { INPUT_ID, INPUT_TYPES } from './input-defs.js';
import { retry } from './retry.js';
import { labels, looseMap, nonEmptyTaskList, taskList, text } from './schemas.js';
import { workerGroup } from './tasks.js';

export const FLOW_ID = /^[a-zA-Z0-9][a-zA-Z0-9._-]*$/;
export const NAMESPACE = /^[a-z0-9][a-z0-9._-]*$/;

const output = () =>
  z.strictObject({
    id: z.string().regex(INPUT_ID).max(100),
    type: z.enum(INPUT_TYPES),
    value: z.custom((value) => value !== undefined),
    description: text().optional(),
    displayName: text().optional(),
    required: z.boolean().optional(),
  });

export const pluginDefault = () =>
  z.strictObject({ type: z.string().min(1), forced: z.boolean().default(false), values: looseMap() });

/** An optional section may also be written empty (`errors:` and nothing after), as Kestra allows. */
const optional = <T extends z.ZodType>(schema: T) => schema.nullish();

export const flowSchema = z.strictObject({
  id: z.string().regex(FLOW_ID).max(100),
  namespace: z.string().regex(NAMESPACE).max(150),
  revision: optional(z.int().min(1)),
  description: optional(text()),
  labels: optional(labels()),
  inputs: optional(z.array(z.unknown())),
  variables: optional(looseMap()),
  tasks: nonEmptyTaskList(),
  errors: optional(taskList()),
  finally: optional(taskList()),
  afterExecution: optional(taskList()),
  triggers: optional(z.array(z.unknown())),
  concurrency: optional(
    z.strictObject({ limit: z.int().min(1), behavior: z.enum(['QUEUE', 'CANCEL', 'FAIL']).default('QUEUE') }),
  ),
  retry: optional(retry()),
  outputs: optional(z.array(output())),
  pluginDefaults: optional(z.array(pluginDefault())),
  taskDefaults: optional(z.array(pluginDefault())),
  disabled: optional(z.boolean()),
  deleted: optional(z.boolean()),
  sla: optional(z.array(looseMap())),
  checks: optional(z.array(looseMap())),
  workerGroup: optional(workerGroup()),
});
