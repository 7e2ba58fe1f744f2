import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import {
  ExecutionConflictError,
  getExecution,
  InvalidInputsError,
  replayExecution,
  restartExecution,
  startExecution,
} from '../app/executions.js';
import type { Database } from '../db/database.js';
import { searchExecutions } from '../db/execution-search.js';
import { getFlow } from '../db/flow-repository.js';
import { emit } from '../queue/postgres-queue.js';
import type { ExecutorMessage } from '../engine/messages.js';
import { UnknownTaskRunError } from '../engine/replay.js';
import { DEFAULT_BODY_LIMIT } from '../config/config.js';
import { type AuthOptions, registerAuth } from './auth.js';
import { openEventStream } from './event-stream.js';
import { registerFlowRoutes, YAML_ONLY } from './flow-routes.js';
import { registerLogRoutes } from './log-routes.js';
import { registerMetrics } from './metrics.js';
import { registerTriggerRoutes } from './trigger-routes.js';
import { registerWebhookRoutes } from './webhook-routes.js';
import { isTerminal } from '../engine/state.js';
import { waitForExecutionEnd, watchExecution } from '../app/executions.js';

export interface ServerOptions {
  db: Database;
  logger?: boolean | object;
  /** absent: no authentication (tests, and `server local` on a loopback address) */
  auth?: AuthOptions;
  bodyLimit?: number;
}

/** The webserver: the HTTP API over the repository and the queue. Errors are JSON {message, details}. */
export function buildServer(options: ServerOptions): FastifyInstance {
  const { db } = options;
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
  });
  registerAuth(app, db, options.auth ?? { enabled: false });
  // Flow sources are YAML: accept them as text under their usual content types.
  app.addContentTypeParser(
    ['application/x-yaml', 'application/yaml', 'text/yaml', 'text/plain'],
    { parseAs: 'string' },
    (_req, body, done) => done(null, body),
  );
  // fastify's own refusals (a content type without a parser, a body that is not JSON, an unknown route)
  // answer {message, details} like the routes do. `curl --data-binary @flow.yaml` without -H sends
  // application/x-www-form-urlencoded: say what to send instead of a bare 'Unsupported Media Type'.
  app.setErrorHandler((error: FastifyError, req, reply) => {
    const status = error.statusCode !== undefined && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) req.log.error(error);
    const wrongType =
      error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' && req.routeOptions.url === '/api/v1/flows';
    return reply.code(status).send({ message: wrongType ? YAML_ONLY : error.message, details: [] });
  });
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({ message: `no route ${req.method} ${req.url}`, details: [] }),
  );

  // Until the web UI ships, the root says what is here rather than answering 404.
  app.get('/', async (_req, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .send(
        '<!doctype html><title>Sluice</title><h1>Sluice is running</h1>' +
          '<p>API: <code>POST /api/v1/flows</code> (YAML), <code>POST /api/v1/executions/{namespace}/{flowId}</code>, ' +
          '<code>GET /api/v1/executions/{id}</code>, <code>GET /api/v1/logs/{executionId}</code>, ' +
          '<a href="/health">/health</a>.</p>',
      ),
  );

  app.get('/health', async (_req, reply) => {
    try {
      // the components alive right now, by their heartbeats (see docs/engine.md, Liveness)
      const { rows } = await db.query<{ id: string; role: string; hostname: string; heartbeat: string }>(
        `SELECT id, role, hostname, to_json(heartbeat)#>>'{}' AS heartbeat FROM service_instances ORDER BY role, id`,
      );
      return { status: 'UP', database: 'UP', components: rows };
    } catch (error) {
      return reply.code(503).send({ status: 'DOWN', database: 'DOWN', message: (error as Error).message });
    }
  });

  registerFlowRoutes(app, db);

  app.post<{ Params: { namespace: string; flowId: string }; Querystring: { wait?: string } }>(
    '/api/v1/executions/:namespace/:flowId',
    async (req, reply) => {
      const flow = await getFlow(db, req.params.namespace, req.params.flowId);
      if (!flow)
        return reply
          .code(404)
          .send({ message: `flow ${req.params.namespace}.${req.params.flowId} not found`, details: [] });
      const body = (req.body ?? {}) as Record<string, unknown>;
      try {
        const execution = await startExecution(db, flow, body);
        if (req.query.wait === 'true') return await waitForExecutionEnd(db, execution.id);
        return execution;
      } catch (error) {
        if (error instanceof ExecutionConflictError) {
          return reply.code(409).send({ message: error.message, details: [] });
        }
        if (error instanceof InvalidInputsError) {
          return reply
            .code(422)
            .send({ message: 'invalid inputs', details: error.errors.map((message) => ({ message })) });
        }
        throw error;
      }
    },
  );

  app.get<{
    Querystring: {
      namespace?: string;
      flowId?: string;
      state?: string | string[];
      startDate?: string;
      endDate?: string;
      labels?: string | string[];
      page?: string;
      size?: string;
    };
  }>('/api/v1/executions/search', async (req, reply) => {
    const q = req.query;
    const list = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
    const labels = list(q.labels).map((l) => {
      const colon = l.indexOf(':');
      return colon <= 0 ? { key: '', value: l } : { key: l.slice(0, colon), value: l.slice(colon + 1) };
    });
    if (labels.some((l) => l.key === '')) {
      return reply.code(400).send({ message: 'labels are given as key:value', details: [] });
    }
    for (const d of [q.startDate, q.endDate]) {
      if (d !== undefined && Number.isNaN(Date.parse(d))) {
        return reply.code(400).send({ message: `not a date: ${d}`, details: [] });
      }
    }
    return searchExecutions(db, {
      namespace: q.namespace,
      flowId: q.flowId,
      states: list(q.state),
      startDate: q.startDate,
      endDate: q.endDate,
      labels,
      page: Math.max(1, Number.parseInt(q.page ?? '1', 10) || 1),
      size: Math.min(500, Math.max(1, Number.parseInt(q.size ?? '25', 10) || 25)),
    });
  });

  app.get<{ Params: { id: string } }>('/api/v1/executions/:id', async (req, reply) => {
    const execution = await getExecution(db, req.params.id);
    if (!execution)
      return reply.code(404).send({ message: `execution ${req.params.id} not found`, details: [] });
    return execution;
  });

  // Server-Sent Events: the execution document at once, then each time it changes, until it ends.
  app.get<{ Params: { id: string } }>('/api/v1/executions/:id/follow', async (req, reply) => {
    if (!(await getExecution(db, req.params.id))) {
      return reply.code(404).send({ message: `execution ${req.params.id} not found`, details: [] });
    }
    const stream = openEventStream(reply);
    await watchExecution(db, req.params.id, {
      pollMs: 1000,
      signal: stream.closed,
      onUpdate: (execution) => stream.send('execution', execution),
    }).catch(() => {});
    stream.end();
  });

  registerLogRoutes(app, db);
  registerWebhookRoutes(app, db);
  registerTriggerRoutes(app, db);
  registerMetrics(app, db);

  const control =
    (type: 'kill' | 'resume') =>
    async (
      req: { params: { id: string }; body?: unknown },
      reply: { code(n: number): { send(b: unknown): unknown } },
    ) => {
      const execution = await getExecution(db, req.params.id);
      if (!execution)
        return reply.code(404).send({ message: `execution ${req.params.id} not found`, details: [] });
      if (isTerminal(execution.state.current)) {
        return reply.code(409).send({
          message: `execution ${execution.id} has already ended (${execution.state.current})`,
          details: [],
        });
      }
      // Kestra refuses to resume what is not paused. Accepting it would consume the message for nothing:
      // the caller believes the execution resumed, and when it pauses later it waits forever.
      if (type === 'resume' && execution.state.current !== 'PAUSED') {
        return reply.code(409).send({
          message: `execution ${execution.id} is not paused (${execution.state.current})`,
          details: [],
        });
      }
      const message: ExecutorMessage =
        type === 'kill'
          ? { type: 'kill', executionId: execution.id }
          : {
              type: 'resume',
              executionId: execution.id,
              inputs: (req.body ?? {}) as Record<string, unknown>,
            };
      await db.transaction((tx) => emit(tx, 'executor', message, { key: execution.id }));
      return reply.code(202).send({ id: execution.id, accepted: type });
    };
  app.delete<{ Params: { id: string } }>('/api/v1/executions/:id/kill', control('kill'));
  app.post<{ Params: { id: string } }>('/api/v1/executions/:id/resume', control('resume'));

  app.post<{ Params: { id: string } }>('/api/v1/executions/:id/restart', async (req, reply) => {
    try {
      const execution = await restartExecution(db, req.params.id);
      if (!execution)
        return reply.code(404).send({ message: `execution ${req.params.id} not found`, details: [] });
      return reply.code(202).send({ id: execution.id, accepted: 'restart' });
    } catch (error) {
      if (error instanceof ExecutionConflictError)
        return reply.code(409).send({ message: error.message, details: [] });
      throw error;
    }
  });

  app.post<{ Params: { id: string }; Querystring: { taskRunId?: string } }>(
    '/api/v1/executions/:id/replay',
    async (req, reply) => {
      try {
        const replay = await replayExecution(db, req.params.id, req.query.taskRunId);
        if (!replay)
          return reply.code(404).send({ message: `execution ${req.params.id} not found`, details: [] });
        return replay;
      } catch (error) {
        if (error instanceof ExecutionConflictError)
          return reply.code(409).send({ message: error.message, details: [] });
        if (error instanceof UnknownTaskRunError)
          return reply.code(404).send({ message: error.message, details: [] });
        throw error;
      }
    },
  );

  return app;
}
