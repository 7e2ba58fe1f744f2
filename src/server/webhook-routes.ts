import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { conditionsHold } from '../conditions/registry.js';
import type { ConditionDef } from '../conditions/types.js';
import type { Flow, TriggerDef } from '../flow/model.js';
import { DEFAULT_FAILURE_LIMITS, FailureLimiter, type FailureLimits } from '../auth/failure-limiter.js';
import { ExecutionConflictError, InvalidInputsError, startExecution } from '../app/executions.js';
import type { Database } from '../db/database.js';
import { getFlow } from '../db/flow-repository.js';
import type { InputSeal } from '../secrets/sealed-inputs.js';
import { ExpressionError, renderRecursive } from '../expression/index.js';
import { apiError, inputProblems, tooMany } from './errors.js';
import { errors, object, text } from './schemas/common.js';

const WEBHOOK = 'io.kestra.plugin.core.trigger.Webhook';

/** A webhook's `conditions` judge the request (`trigger.body`, `.headers`, `.parameters`) and the
 * execution it would start (state CREATED, the flow's labels). One that cannot be evaluated refuses. */
async function webhookConditionsHold(
  flow: Flow,
  trigger: TriggerDef,
  variables: Record<string, unknown>,
  log: FastifyBaseLogger,
): Promise<boolean> {
  const conditions = (trigger.conditions as ConditionDef[] | undefined) ?? [];
  if (conditions.length === 0) return true;
  const labels = Object.entries(flow.labels).map(([key, value]) => ({ key, value }));
  return conditionsHold(
    conditions,
    {
      flow: { namespace: flow.namespace, id: flow.id },
      execution: async () => ({
        namespace: flow.namespace,
        flowId: flow.id,
        state: 'CREATED',
        outputs: null,
        labels,
        attempts: [],
      }),
      variables: async () => ({
        flow: { id: flow.id, namespace: flow.namespace },
        labels: flow.labels,
        trigger: variables,
      }),
    },
    (condition, error) =>
      log.warn({ condition, error: String(error) }, 'webhook condition could not be evaluated'),
  );
}

type WebhookRequest = {
  Params: { namespace: string; flowId: string; key: string };
  Querystring: Record<string, string | string[]>;
};

const METHODS = ['GET', 'POST', 'PUT'] as const;

export const WEBHOOK_ROUTE = '/api/v1/executions/webhook/:namespace/:flowId/:key';

/** Headers that carry a caller's credentials rather than data: the HTTP ones and the usual names of
 * API keys and tokens. They are never stored in the execution (where every API user reads them) nor
 * echoed back. Signature headers (`X-Hub-Signature-256`) stay: they prove one body, nothing more. */
const CREDENTIAL_HEADER =
  /^(?:authorization|proxy-authorization|cookie|x-api-?key|.*-(?:token|secret|password|api-?key))$/i;

export function withoutCredentials(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !CREDENTIAL_HEADER.test(name)));
}

/** The Webhook trigger: anyone holding the key starts the flow; the request's body, headers (less
 * credentials) and query parameters are the `trigger` variables (and may feed the trigger's
 * `inputs`). It needs no other authentication: the key is the secret, so an unknown flow and a wrong
 * key answer alike, and wrong keys are limited per client address as failed logins are. */
export function registerWebhookRoutes(
  app: FastifyInstance,
  db: Database,
  inputSeal: InputSeal,
  failureLimits: FailureLimits = DEFAULT_FAILURE_LIMITS,
): void {
  const limiter = new FailureLimiter(failureLimits);
  for (const method of METHODS) {
    app.route<WebhookRequest>({
      method,
      url: WEBHOOK_ROUTE,
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
          204: { description: "the trigger's conditions refused the request: nothing started", type: 'null' },
          ...errors(400, 404, 409, 415, 422, 429),
        },
      },
      handler: async (req, reply) => {
        const { namespace, flowId, key } = req.params;
        const guess = createHash('sha256').update(`${namespace}\0${flowId}\0${key}`).digest('base64');
        const attempt = limiter.attempt([`ip:${req.ip}`], guess);
        if (typeof attempt === 'number') return tooMany(reply, attempt, 'calls with wrong webhook keys');
        let flow;
        try {
          flow = await getFlow(db, namespace, flowId);
        } catch (error) {
          attempt.release();
          throw error;
        }
        const trigger = flow?.triggers.find((t) => t.type === WEBHOOK && !t.disabled && t.key === key);
        if (!flow || !trigger) {
          attempt.fail();
          return reply.code(404).send(apiError(`no webhook ${namespace}.${flowId} with this key`));
        }
        attempt.release();
        const variables = {
          body: req.body ?? null,
          headers: withoutCredentials(req.headers),
          parameters: req.query,
        };
        // Kestra answers 204 and starts nothing when the trigger's conditions refuse the request
        if (!(await webhookConditionsHold(flow, trigger, variables, req.log))) return reply.code(204).send();
        try {
          const inputs = (renderRecursive(trigger.inputs ?? {}, { trigger: variables }) ?? {}) as Record<
            string,
            unknown
          >;
          return await startExecution(db, flow, inputs, {
            trigger: { id: trigger.id, type: WEBHOOK, variables },
            inputSeal,
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
