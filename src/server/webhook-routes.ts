import type { FastifyInstance } from 'fastify';
import { ExecutionConflictError, InvalidInputsError, startExecution } from '../app/executions.js';
import type { Database } from '../db/database.js';
import { getFlow } from '../db/flow-repository.js';
import { ExpressionError, renderRecursive } from '../expression/index.js';
import { apiError, inputProblems } from './errors.js';
import { errors, object, text } from './schemas/common.js';

const WEBHOOK = 'io.kestra.plugin.core.trigger.Webhook';

type WebhookRequest = {
  Params: { namespace: string; flowId: string; key: string };
  Querystring: Record<string, string | string[]>;
};

const METHODS = ['GET', 'POST', 'PUT'] as const;

/** The Webhook trigger: anyone holding the key starts the flow; the request's body, headers and
 * query parameters are the `trigger` variables (and may feed the trigger's `inputs`). It needs no
 * other authentication: the key is the secret, so an unknown flow and a wrong key answer alike. */
export function registerWebhookRoutes(app: FastifyInstance, db: Database): void {
  for (const method of METHODS) {
    app.route<WebhookRequest>({
      method,
      url: '/api/v1/executions/webhook/:namespace/:flowId/:key',
      schema: {
        operationId: `webhook${method[0]}${method.slice(1).toLowerCase()}`,
        tags: ['Webhooks'],
        summary: `Start a flow through its Webhook trigger (${method})`,
        description:
          'The body, headers and query parameters are the trigger variables trigger.body, trigger.headers ' +
          "and trigger.parameters, from which the trigger's inputs may be rendered.",
        params: object(
          {
            namespace: text('the namespace'),
            flowId: text('the flow id'),
            key: text("the trigger's key"),
          },
          ['namespace', 'flowId', 'key'],
        ),
        ...(method !== 'GET' && {
          body: {
            description: 'any body (optional): it is trigger.body',
            content: { 'application/json': { schema: {} }, 'text/plain': { schema: { type: 'string' } } },
          },
        }),
        response: {
          200: { description: 'the execution started', $ref: 'Execution#' },
          ...errors(400, 404, 409, 415, 422),
        },
      },
      handler: async (req, reply) => {
        const { namespace, flowId, key } = req.params;
        const flow = await getFlow(db, namespace, flowId);
        const trigger = flow?.triggers.find((t) => t.type === WEBHOOK && !t.disabled && t.key === key);
        if (!flow || !trigger) {
          return reply.code(404).send(apiError(`no webhook ${namespace}.${flowId} with this key`));
        }
        const variables = { body: req.body ?? null, headers: req.headers, parameters: req.query };
        try {
          const inputs = (renderRecursive(trigger.inputs ?? {}, { trigger: variables }) ?? {}) as Record<
            string,
            unknown
          >;
          return await startExecution(db, flow, inputs, {
            trigger: { id: trigger.id, type: WEBHOOK, variables },
          });
        } catch (error) {
          if (error instanceof ExpressionError) return reply.code(422).send(apiError(error.message));
          if (error instanceof InvalidInputsError) return reply.code(422).send(inputProblems(error));
          if (error instanceof ExecutionConflictError) return reply.code(409).send(apiError(error.message));
          throw error;
        }
      },
    });
  }
}
