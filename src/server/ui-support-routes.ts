// What the web UI needs beyond the Kestra-shaped API: the flow's JSON Schema, from which the editor
// completes task types and their properties (Kestra serves its own at the same path).
import type { FastifyInstance } from 'fastify';
import { z, type ZodType } from 'zod';
import { flowSchema } from '../flow/flow-schema.js';
import { inputDef } from '../flow/input-defs.js';
import { retry } from '../flow/retry.js';
import { condition, duration, LOG_LEVELS, text } from '../flow/schemas.js';
import { taskId, workerGroup } from '../flow/tasks.js';
import { taskTypes, triggerTypes } from '../tasks/catalog.js';
import type { TaskTypeSpec, TriggerTypeSpec } from '../tasks/spec.js';

type JsonSchema = { [keyword: string]: unknown };

const TASK = { $ref: '#/$defs/task' };
const TASK_LIST = { type: 'array', items: TASK };

/** The fields every task takes besides its type's own (the loader checks them in flow/tasks.ts). */
const taskFields = () =>
  z.strictObject({
    id: taskId().describe('Unique among the flow’s tasks'),
    description: text().optional(),
    retry: retry().optional().describe('Retry policy: constant, exponential or random'),
    timeout: duration().optional().describe('ISO-8601 duration, e.g. PT10M'),
    disabled: z.boolean().optional(),
    allowFailure: z.boolean().optional().describe('A failure ends the task in WARNING'),
    allowWarning: z.boolean().optional().describe('A WARNING ends the task in SUCCESS'),
    runIf: condition().optional().describe('The task runs only when this renders truthy'),
    logLevel: z.enum(LOG_LEVELS).optional(),
    logToFile: z.boolean().optional(),
    workerGroup: workerGroup().optional(),
  });

function jsonSchemaOf(schema: ZodType): JsonSchema {
  // `input`: what may be written in YAML, before defaults and transforms apply
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' });
  return rest;
}

const propertiesOf = (schema: JsonSchema) => (schema.properties ?? {}) as Record<string, JsonSchema>;

/** Its names (canonical first), description, properties, with nested task lists pointing back at the
 * task definition so that completion follows a flow down to any depth. */
function pluginDefinition(
  spec: TaskTypeSpec | TriggerTypeSpec,
  children: TaskTypeSpec['children'],
): JsonSchema {
  const own = jsonSchemaOf(spec.properties);
  const properties: Record<string, JsonSchema> = { ...propertiesOf(own) };
  for (const child of children) {
    const declared = properties[child.key] ?? {};
    if (child.map) properties[child.key] = { ...declared, type: 'object', additionalProperties: TASK_LIST };
    else if (child.item) {
      const items = (declared.items ?? {}) as JsonSchema;
      properties[child.key] = {
        ...declared,
        items: { ...items, properties: { ...propertiesOf(items), [child.item]: TASK } },
      };
    } else properties[child.key] = { ...declared, items: TASK };
  }
  return {
    title: spec.type,
    description: spec.description,
    type: 'object',
    properties: { type: { enum: [spec.type, ...spec.aliases] }, ...properties },
    required: ['id', 'type', ...((own.required as string[] | undefined) ?? [])],
  };
}

function buildFlowJsonSchema(): JsonSchema {
  const flow = jsonSchemaOf(flowSchema);
  const top = propertiesOf(flow);
  for (const key of ['tasks', 'errors', 'finally', 'afterExecution']) top[key] = { ...top[key], items: TASK };
  top.triggers = { ...top.triggers, items: { $ref: '#/$defs/trigger' } };
  top.inputs = { ...top.inputs, items: { $ref: '#/$defs/input' } };
  const common = propertiesOf(jsonSchemaOf(taskFields()));
  const allTaskNames = taskTypes.flatMap((t) => [t.type, ...t.aliases]);
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    ...flow,
    properties: top,
    $defs: {
      task: {
        type: 'object',
        required: ['id', 'type'],
        properties: { id: common.id, type: { enum: allTaskNames } },
        anyOf: taskTypes.map((spec) => {
          const def = pluginDefinition(spec, spec.children);
          return { ...def, properties: { ...common, ...propertiesOf(def) } };
        }),
      },
      trigger: {
        type: 'object',
        required: ['id', 'type'],
        properties: { id: common.id, type: { enum: triggerTypes.flatMap((t) => [t.type, ...t.aliases]) } },
        anyOf: triggerTypes.map((spec) => {
          const def = pluginDefinition(spec, []);
          return { ...def, properties: { id: common.id, ...propertiesOf(def) } };
        }),
      },
      input: jsonSchemaOf(inputDef()),
    },
  };
}

let flowJsonSchema: JsonSchema | undefined;

export function registerUiSupportRoutes(app: FastifyInstance): void {
  app.get(
    '/api/v1/plugins/schemas/flow',
    {
      schema: {
        operationId: 'getFlowJsonSchema',
        tags: ['Flows'],
        summary: 'The JSON Schema of flow YAML: every task and trigger type with its properties, for editors',
        response: {
          200: { description: 'a JSON Schema (draft 2020-12)', type: 'object', additionalProperties: true },
        },
      },
    },
    async () => (flowJsonSchema ??= buildFlowJsonSchema()),
  );
}
