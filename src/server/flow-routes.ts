import type { FastifyInstance, FastifyReply } from 'fastify';
import { parseDocument } from 'yaml';
import type { Database } from '../db/database.js';
import {
  deleteFlow,
  flowNamespaces,
  flowRevisions,
  getFlow,
  saveFlow,
  searchFlows,
} from '../db/flow-repository.js';
import { formatFlowError } from '../flow/errors.js';
import { loadFlow } from '../flow/load.js';
import type { Flow, FlowError } from '../flow/model.js';

export const YAML_ONLY = 'send the flow as YAML (Content-Type: application/x-yaml)';

type Ns = { Params: { namespace: string; id: string } };

function errorDetails(errors: FlowError[]) {
  return errors.map((e) => ({ line: e.line, column: e.col, message: e.message, text: formatFlowError(e) }));
}

const summary = (f: Flow) => ({ id: f.id, namespace: f.namespace, revision: f.revision, source: f.source });

/** Kestra's flow routes: YAML in, every save a revision, deletion a revision of its own. */
export function registerFlowRoutes(app: FastifyInstance, db: Database): void {
  /** Loads a YAML body, answering 415/422 itself when it cannot. */
  const load = (body: unknown, reply: FastifyReply): Flow | undefined => {
    if (typeof body !== 'string') {
      void reply.code(415).send({ message: YAML_ONLY, details: [] });
      return undefined;
    }
    const { flow, errors } = loadFlow(body, 'flow.yaml');
    if (!flow) void reply.code(422).send({ message: 'invalid flow', details: errorDetails(errors) });
    return flow;
  };
  const notFound = (reply: FastifyReply, namespace: string, id: string) =>
    reply.code(404).send({ message: `flow ${namespace}.${id} not found`, details: [] });

  app.post('/api/v1/flows', async (req, reply) => {
    const flow = load(req.body, reply);
    if (!flow) return reply;
    return summary(await saveFlow(db, flow));
  });

  app.post('/api/v1/flows/validate', async (req, reply) => {
    if (typeof req.body !== 'string') return reply.code(415).send({ message: YAML_ONLY, details: [] });
    const { flow, errors } = loadFlow(req.body, 'flow.yaml');
    return {
      valid: errors.length === 0,
      id: flow?.id,
      namespace: flow?.namespace,
      errors: errorDetails(errors),
    };
  });

  app.get<{ Querystring: { namespace?: string; q?: string; page?: string; size?: string } }>(
    '/api/v1/flows/search',
    async (req) => {
      const page = Math.max(1, Number.parseInt(req.query.page ?? '1', 10) || 1);
      const size = Math.min(500, Math.max(1, Number.parseInt(req.query.size ?? '25', 10) || 25));
      return searchFlows(db, { namespace: req.query.namespace, text: req.query.q, page, size });
    },
  );

  app.get('/api/v1/flows/distinct-namespaces', async () => flowNamespaces(db));

  app.get<Ns>('/api/v1/flows/:namespace/:id', async (req, reply) => {
    const flow = await getFlow(db, req.params.namespace, req.params.id);
    return flow ?? notFound(reply, req.params.namespace, req.params.id);
  });

  app.put<Ns>('/api/v1/flows/:namespace/:id', async (req, reply) => {
    const flow = load(req.body, reply);
    if (!flow) return reply;
    if (flow.namespace !== req.params.namespace || flow.id !== req.params.id) {
      return reply.code(422).send({
        message: `the YAML declares ${flow.namespace}.${flow.id}, not ${req.params.namespace}.${req.params.id}`,
        details: [],
      });
    }
    if (!(await getFlow(db, flow.namespace, flow.id))) return notFound(reply, flow.namespace, flow.id);
    return summary(await saveFlow(db, flow));
  });

  app.delete<Ns>('/api/v1/flows/:namespace/:id', async (req, reply) => {
    if (!(await deleteFlow(db, req.params.namespace, req.params.id))) {
      return notFound(reply, req.params.namespace, req.params.id);
    }
    return reply.code(204).send();
  });

  app.get<Ns>('/api/v1/flows/:namespace/:id/revisions', async (req, reply) => {
    const revisions = await flowRevisions(db, req.params.namespace, req.params.id);
    return revisions.length > 0 ? revisions : notFound(reply, req.params.namespace, req.params.id);
  });

  // Enabling or disabling writes `disabled:` into the YAML and saves a revision: the source stays the
  // one truth about a flow, as in Kestra.
  for (const action of ['enable', 'disable'] as const) {
    app.post<{ Body: Array<{ namespace: string; id: string }> }>(
      `/api/v1/flows/${action}/by-ids`,
      async (req, reply) => {
        if (!Array.isArray(req.body)) {
          return reply.code(400).send({ message: 'send a list of {namespace, id}', details: [] });
        }
        const changed: ReturnType<typeof summary>[] = [];
        for (const { namespace, id } of req.body) {
          const flow = await getFlow(db, namespace, id);
          if (!flow) return notFound(reply, namespace, id);
          const doc = parseDocument(flow.source);
          doc.set('disabled', action === 'disable');
          const { flow: updated } = loadFlow(doc.toString(), 'flow.yaml');
          if (updated) changed.push(summary(await saveFlow(db, updated)));
        }
        return { count: changed.length, flows: changed };
      },
    );
  }
}
