import type { FastifyInstance } from 'fastify';
import { ExecutionConflictError, InvalidInputsError, startExecution } from '../app/executions.js';
import type { Database } from '../db/database.js';
import { getFlow } from '../db/flow-repository.js';
import { ExpressionError, renderRecursive } from '../expression/index.js';

const WEBHOOK = 'io.kestra.plugin.core.trigger.Webhook';

type WebhookRequest = {
  Params: { namespace: string; flowId: string; key: string };
  Querystring: Record<string, string>;
};

/** The Webhook trigger: anyone holding the key starts the flow; the request's body, headers and
 * query parameters are the `trigger` variables (and may feed the trigger's `inputs`). It needs no
 * other authentication: the key is the secret, so an unknown flow and a wrong key answer alike. */
export function registerWebhookRoutes(app: FastifyInstance, db: Database): void {
  app.route<WebhookRequest>({
    method: ['GET', 'POST', 'PUT'],
    url: '/api/v1/executions/webhook/:namespace/:flowId/:key',
    handler: async (req, reply) => {
      const { namespace, flowId, key } = req.params;
      const flow = await getFlow(db, namespace, flowId);
      const trigger = flow?.triggers.find((t) => t.type === WEBHOOK && !t.disabled && t.key === key);
      if (!flow || !trigger) {
        return reply
          .code(404)
          .send({ message: `no webhook ${namespace}.${flowId} with this key`, details: [] });
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
        if (error instanceof ExpressionError)
          return reply.code(422).send({ message: error.message, details: [] });
        if (error instanceof InvalidInputsError) {
          return reply
            .code(422)
            .send({ message: 'invalid inputs', details: error.errors.map((message) => ({ message })) });
        }
        if (error instanceof ExecutionConflictError)
          return reply.code(409).send({ message: error.message, details: [] });
        throw error;
      }
    },
  });
}
