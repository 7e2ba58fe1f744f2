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

type Key = { Params: { namespace: string; flowId: string; triggerId: string } };

/** Schedule triggers as the scheduler keeps them: listed with their next fire date, enabled or
 * disabled, unlocked, and backfilled. */
export function registerTriggerRoutes(app: FastifyInstance, db: Database): void {
  const notFound = (p: Key['Params']) => ({
    message: `trigger ${p.triggerId} of ${p.namespace}.${p.flowId} not found (the scheduler lists a trigger once it has seen it)`,
    details: [],
  });

  app.get<{ Querystring: { namespace?: string; flowId?: string } }>(
    '/api/v1/triggers/search',
    async (req) => {
      const results = await searchTriggers(db, req.query.namespace, req.query.flowId);
      return { results, total: results.length };
    },
  );

  for (const action of ['enable', 'disable'] as const) {
    app.post<Key>(`/api/v1/triggers/:namespace/:flowId/:triggerId/${action}`, async (req, reply) => {
      const row = await setTriggerDisabled(db, req.params, action === 'disable');
      return row ?? reply.code(404).send(notFound(req.params));
    });
  }

  app.post<Key>('/api/v1/triggers/:namespace/:flowId/:triggerId/unlock', async (req, reply) => {
    const row = await unlockTrigger(db, req.params);
    return row ?? reply.code(404).send(notFound(req.params));
  });

  app.post<Key & { Body: { start?: string } }>(
    '/api/v1/triggers/:namespace/:flowId/:triggerId/backfill',
    async (req, reply) => {
      const start = req.body?.start;
      if (!start || Number.isNaN(Date.parse(start))) {
        return reply.code(400).send({ message: 'send {"start": "<ISO date>"}', details: [] });
      }
      const flow = await getFlow(db, req.params.namespace, req.params.flowId);
      const trigger = flow?.triggers.find((t) => t.id === req.params.triggerId);
      if (!trigger) return reply.code(404).send(notFound(req.params));
      // the first occurrence at or after start, as a backfill declared in the flow would begin
      const first = firstFireDate({ ...trigger, backfill: { start } }, new Date());
      if (!first)
        return reply.code(400).send({ message: 'the cron has no occurrence after start', details: [] });
      const row = await backfillTrigger(db, req.params, first);
      return row ?? reply.code(404).send(notFound(req.params));
    },
  );
}
