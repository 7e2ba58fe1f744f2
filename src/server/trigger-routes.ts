import type { FastifyInstance } from 'fastify';
import type { Database } from '../db/database.js';
import { getFlow } from '../db/flow-repository.js';
import {
  backfillTrigger,
  searchTriggers,
  setTriggerDisabled,
  unlockTrigger,
} from '../db/trigger-repository.js';
import { firstFireDate } from '../engine/schedule.js';
import { apiError } from './errors.js';
import { errors, object, text } from './schemas/common.js';

type Key = { Params: { namespace: string; flowId: string; triggerId: string } };

const keyParams = object(
  { namespace: text('the namespace'), flowId: text('the flow id'), triggerId: text('the trigger id') },
  ['namespace', 'flowId', 'triggerId'],
);

const trigger = { description: 'the trigger as it is now', $ref: 'Trigger#' };

/** Schedule triggers as the scheduler keeps them: listed with their next fire date, enabled or
 * disabled, unlocked, and backfilled. */
export function registerTriggerRoutes(app: FastifyInstance, db: Database): void {
  const notFound = (p: Key['Params']) =>
    apiError(
      `trigger ${p.triggerId} of ${p.namespace}.${p.flowId} not found (the scheduler lists a trigger once it has seen it)`,
    );

  app.get<{ Querystring: { namespace?: string; flowId?: string } }>(
    '/api/v1/triggers/search',
    {
      schema: {
        operationId: 'searchTriggers',
        tags: ['Triggers'],
        summary: 'Triggers the scheduler knows, with their next fire date',
        querystring: object({
          namespace: text('a namespace; its child namespaces match too'),
          flowId: text('a flow id'),
        }),
        response: {
          200: {
            description: 'the triggers',
            ...object(
              { results: { type: 'array', items: { $ref: 'Trigger#' } }, total: { type: 'integer' } },
              ['results', 'total'],
            ),
          },
        },
      },
    },
    async (req) => {
      const results = await searchTriggers(db, req.query.namespace, req.query.flowId);
      return { results, total: results.length };
    },
  );

  for (const action of ['enable', 'disable'] as const) {
    app.post<Key>(
      `/api/v1/triggers/:namespace/:flowId/:triggerId/${action}`,
      {
        schema: {
          operationId: `${action}Trigger`,
          tags: ['Triggers'],
          summary: action === 'enable' ? 'Let a trigger fire again' : 'Stop a trigger from firing',
          params: keyParams,
          response: { 200: trigger, ...errors(404) },
        },
      },
      async (req, reply) => {
        const row = await setTriggerDisabled(db, req.params, action === 'disable');
        return row ?? reply.code(404).send(notFound(req.params));
      },
    );
  }

  app.post<Key>(
    '/api/v1/triggers/:namespace/:flowId/:triggerId/unlock',
    {
      schema: {
        operationId: 'unlockTrigger',
        tags: ['Triggers'],
        summary: 'Release a trigger held by the execution it started',
        params: keyParams,
        response: { 200: trigger, ...errors(404) },
      },
    },
    async (req, reply) => {
      const row = await unlockTrigger(db, req.params);
      return row ?? reply.code(404).send(notFound(req.params));
    },
  );

  app.post<Key & { Body: { start: string } }>(
    '/api/v1/triggers/:namespace/:flowId/:triggerId/backfill',
    {
      schema: {
        operationId: 'backfillTrigger',
        tags: ['Triggers'],
        summary: 'Fire every occurrence again from a past date on',
        params: keyParams,
        body: {
          ...object({ start: { type: 'string', minLength: 1, description: 'an ISO date' } }, ['start']),
          additionalProperties: false,
        },
        response: { 200: trigger, ...errors(400, 404, 415) },
      },
    },
    async (req, reply) => {
      const { start } = req.body;
      if (Number.isNaN(Date.parse(start))) {
        return reply
          .code(400)
          .send(apiError(`not a date: ${start}`, [{ path: 'body.start', message: 'is not a date' }]));
      }
      const flow = await getFlow(db, req.params.namespace, req.params.flowId);
      const declared = flow?.triggers.find((t) => t.id === req.params.triggerId);
      if (!declared) return reply.code(404).send(notFound(req.params));
      // the first occurrence at or after start, as a backfill declared in the flow would begin
      const first = firstFireDate({ ...declared, backfill: { start } }, new Date());
      if (!first) {
        return reply
          .code(400)
          .send(
            apiError('the cron has no occurrence after start', [
              { path: 'body.start', message: 'has no occurrence after it' },
            ]),
          );
      }
      const row = await backfillTrigger(db, req.params, first);
      return row ?? reply.code(404).send(notFound(req.params));
    },
  );
}
