import type { FastifyInstance, FastifyReply } from 'fastify';
import { parseDocument } from 'yaml';
import type { FlowScope } from '../connections/connection.js';
import type { Database } from '../db/database.js';
import {
  createFlow,
  deleteFlow,
  flowNamespaces,
  flowRevisions,
  getFlow,
  reviseFlow,
  searchFlows,
  updateFlow,
} from '../db/flow-repository.js';
import { formatFlowError } from '../flow/errors.js';
import { loadFlow } from '../flow/load.js';
import type { Flow, FlowError } from '../flow/model.js';
import { apiError } from './errors.js';
import { errors, list, object, pageOf, paging, text } from './schemas/common.js';
import { acceptJsonFlowText, YAML_ONLY, yamlBody } from './yaml-body.js';

const MAX_PAGE = 500;

type Ns = { Params: { namespace: string; id: string } };

const flowParams = object({ namespace: text('the namespace'), id: text('the flow id') }, ['namespace', 'id']);

const byIds = {
  type: 'array',
  description: 'the flows to change',
  items: {
    type: 'object',
    properties: { namespace: { type: 'string' }, id: { type: 'string' } },
    required: ['namespace', 'id'],
    additionalProperties: false,
  },
};

function errorDetails(errors: FlowError[]) {
  return errors.map((e) => ({ line: e.line, column: e.col, message: e.message, text: formatFlowError(e) }));
}

const summary = (f: Flow) => ({ id: f.id, namespace: f.namespace, revision: f.revision, source: f.source });

/** Kestra's message for creating a flow that exists. Kestra sends it with 422; Sluice with 409
 * Conflict, the status HTTP defines for it, so that a client tells "taken" from "invalid" by the
 * status alone (docs/api.md). */
export const FLOW_EXISTS = 'Invalid entity: flow.id: Flow id already exists';

const notFound = (reply: FastifyReply, namespace: string, id: string) =>
  reply.code(404).send(apiError(`flow ${namespace}.${id} not found`));

/** Kestra's flow routes: YAML in, every save a revision, deletion a revision of its own. Every write
 * of a flow runs in a transaction that makes concurrent writes of the same flow queue up. */
export function registerFlowRoutes(app: FastifyInstance, db: Database): void {
  app.register(async (scope) => {
    acceptJsonFlowText(scope);
    registerFlowSourceRoutes(scope, db);
  });
  registerFlowReadRoutes(app, db);
  registerFlowStateRoutes(app, db);
}

/** The routes whose body is a flow's source. */
function registerFlowSourceRoutes(app: FastifyInstance, db: Database): void {
  /** Loads a YAML body, answering 415/422 itself when it cannot. */
  const load = (body: unknown, reply: FastifyReply): Flow | undefined => {
    if (typeof body !== 'string') {
      void reply.code(415).send(apiError(YAML_ONLY));
      return undefined;
    }
    const { flow, errors } = loadFlow(body, 'flow.yaml');
    if (!flow) void reply.code(422).send(apiError('invalid flow', errorDetails(errors)));
    return flow;
  };

  app.post(
    '/api/v1/flows',
    {
      schema: {
        operationId: 'createFlow',
        tags: ['Flows'],
        summary: 'Create a flow from its YAML (revision 1; a flow that exists is refused: PUT updates it)',
        body: yamlBody,
        response: { 200: { description: 'the saved flow', $ref: 'FlowSaved#' }, ...errors(409, 415, 422) },
      },
    },
    async (req, reply) => {
      const flow = load(req.body, reply);
      if (!flow) return reply;
      const created = await db.transaction((tx) => createFlow(tx, flow));
      if (!created) {
        return reply
          .code(409)
          .send(
            apiError(FLOW_EXISTS, [
              { path: 'flow.id', message: `flow ${flow.namespace}.${flow.id} already exists` },
            ]),
          );
      }
      return summary(created);
    },
  );

  app.post(
    '/api/v1/flows/validate',
    {
      schema: {
        operationId: 'validateFlow',
        tags: ['Flows'],
        summary: 'Check a flow without saving it: every mistake with its line and column',
        body: yamlBody,
        response: { 200: { description: 'the verdict', $ref: 'FlowValidation#' }, ...errors(415) },
      },
    },
    async (req, reply) => {
      if (typeof req.body !== 'string') return reply.code(415).send(apiError(YAML_ONLY));
      const { flow, errors } = loadFlow(req.body, 'flow.yaml');
      return {
        valid: errors.length === 0,
        id: flow?.id,
        namespace: flow?.namespace,
        errors: errorDetails(errors),
      };
    },
  );

  app.put<Ns>(
    '/api/v1/flows/:namespace/:id',
    {
      schema: {
        operationId: 'updateFlow',
        tags: ['Flows'],
        summary: 'Save a new revision of an existing flow',
        params: flowParams,
        body: yamlBody,
        response: { 200: { description: 'the saved flow', $ref: 'FlowSaved#' }, ...errors(404, 415, 422) },
      },
    },
    async (req, reply) => {
      const flow = load(req.body, reply);
      if (!flow) return reply;
      if (flow.namespace !== req.params.namespace || flow.id !== req.params.id) {
        return reply
          .code(422)
          .send(
            apiError(
              `the YAML declares ${flow.namespace}.${flow.id}, not ${req.params.namespace}.${req.params.id}`,
            ),
          );
      }
      const saved = await db.transaction((tx) => updateFlow(tx, flow));
      return saved ? summary(saved) : notFound(reply, flow.namespace, flow.id);
    },
  );
}

/** Searching and reading flows and their revisions. */
function registerFlowReadRoutes(app: FastifyInstance, db: Database): void {
  app.get<{
    Querystring: { namespace?: string; q?: string; scope?: FlowScope[]; page: number; size: number };
  }>(
    '/api/v1/flows/search',
    {
      schema: {
        operationId: 'searchFlows',
        tags: ['Flows'],
        summary: 'Live flows by namespace (with its children) and text in the id or description',
        querystring: object({
          namespace: text('a namespace; its child namespaces match too'),
          q: text('text to find in the flow id or description'),
          scope: list(
            { type: 'string', enum: ['USER', 'SYSTEM'] },
            "USER: the users' flows; SYSTEM: the flows Sluice runs for connections; absent: both",
          ),
          ...paging(25, MAX_PAGE),
        }),
        response: {
          200: {
            description: 'a page of flows',
            ...object(
              { results: { type: 'array', items: { $ref: 'FlowSummary#' } }, total: { type: 'integer' } },
              ['results', 'total'],
            ),
          },
          ...errors(400),
        },
      },
    },
    async (req) => {
      const { namespace, q, scope, page, size } = req.query;
      return searchFlows(db, { namespace, text: q, scopes: scope, page, size: pageOf(size, MAX_PAGE) });
    },
  );

  app.get(
    '/api/v1/flows/distinct-namespaces',
    {
      schema: {
        operationId: 'listFlowNamespaces',
        tags: ['Flows'],
        summary: 'The namespaces that hold live flows',
        response: { 200: { description: 'namespaces, sorted', type: 'array', items: { type: 'string' } } },
      },
    },
    async () => flowNamespaces(db),
  );

  app.get<Ns>(
    '/api/v1/flows/:namespace/:id',
    {
      schema: {
        operationId: 'getFlow',
        tags: ['Flows'],
        summary: 'The newest revision of a flow',
        params: flowParams,
        response: { 200: { description: 'the flow', $ref: 'Flow#' }, ...errors(404) },
      },
    },
    async (req, reply) => {
      const flow = await getFlow(db, req.params.namespace, req.params.id);
      return flow ?? notFound(reply, req.params.namespace, req.params.id);
    },
  );

  app.get<Ns>(
    '/api/v1/flows/:namespace/:id/revisions',
    {
      schema: {
        operationId: 'listFlowRevisions',
        tags: ['Flows'],
        summary: 'Every revision of a flow with its source, oldest first',
        params: flowParams,
        response: {
          200: { description: 'revisions', type: 'array', items: { $ref: 'FlowRevision#' } },
          ...errors(404),
        },
      },
    },
    async (req, reply) => {
      const revisions = await flowRevisions(db, req.params.namespace, req.params.id);
      return revisions.length > 0 ? revisions : notFound(reply, req.params.namespace, req.params.id);
    },
  );
}

/** Deletion, enabling and disabling: each a revision of its own. */
function registerFlowStateRoutes(app: FastifyInstance, db: Database): void {
  app.delete<Ns>(
    '/api/v1/flows/:namespace/:id',
    {
      schema: {
        operationId: 'deleteFlow',
        tags: ['Flows'],
        summary: 'Delete a flow (recorded as a revision; a later save starts again)',
        params: flowParams,
        response: { 204: { description: 'deleted', type: 'null' }, ...errors(404) },
      },
    },
    async (req, reply) => {
      if (!(await db.transaction((tx) => deleteFlow(tx, req.params.namespace, req.params.id)))) {
        return notFound(reply, req.params.namespace, req.params.id);
      }
      return reply.code(204).send();
    },
  );

  // Enabling or disabling writes `disabled:` into the YAML and saves a revision: the source stays the
  // one truth about a flow, as in Kestra.
  for (const action of ['enable', 'disable'] as const) {
    app.post<{ Body: Array<{ namespace: string; id: string }> }>(
      `/api/v1/flows/${action}/by-ids`,
      {
        schema: {
          operationId: `${action}FlowsByIds`,
          tags: ['Flows'],
          summary: `${action === 'enable' ? 'Enable' : 'Disable'} flows (a new revision of each)`,
          body: byIds,
          response: {
            200: {
              description: 'the flows saved',
              ...object(
                { count: { type: 'integer' }, flows: { type: 'array', items: { $ref: 'FlowSaved#' } } },
                ['count', 'flows'],
              ),
            },
            ...errors(400, 404, 415),
          },
        },
      },
      async (req, reply) => {
        const changed: ReturnType<typeof summary>[] = [];
        for (const { namespace, id } of req.body) {
          const saved = await db.transaction((tx) =>
            reviseFlow(tx, namespace, id, (flow) => {
              const doc = parseDocument(flow.source);
              doc.set('disabled', action === 'disable');
              return loadFlow(doc.toString(), 'flow.yaml').flow;
            }),
          );
          if (!saved) return notFound(reply, namespace, id);
          changed.push(summary(saved));
        }
        return { count: changed.length, flows: changed };
      },
    );
  }
}
