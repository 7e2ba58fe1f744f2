import type { FastifyInstance } from 'fastify';
import type { Database } from '../db/database.js';
import { getFlow } from '../db/flow-repository.js';
import {
  backfillTrigger,
  searchTriggers,
  setTriggerDisabled,
  unlockTrigger,
} from '../db/trigger-repository.js';
import { type Backfill, countOccurrences, MAX_BACKFILL_OCCURRENCES } from '../engine/backfill.js';
import { firstFireDate } from '../engine/schedule.js';
import { apiError } from './errors.js';
import { errors, object, text } from './schemas/common.js';

type Key = { Params: { namespace: string; flowId: string; triggerId: string } };

const keyParams = object(
  { namespace: text('the namespace'), flowId: text('the flow id'), triggerId: text('the trigger id') },
  ['namespace', 'flowId', 'triggerId'],
);

const trigger = { description: 'the trigger as it is now', $ref: 'Trigger#' };

/** Triggers: every one of every live flow listed; Schedule triggers, which the scheduler keeps, with
 * their next fire date, enabled or disabled, unlocked, and backfilled. */
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
        summary: 'Every trigger of the live flows; the scheduled ones with their next fire date and backfill',
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

  app.post<Key & { Body: BackfillBody }>(
    '/api/v1/triggers/:namespace/:flowId/:triggerId/backfill',
    {
      schema: {
        operationId: 'backfillTrigger',
        tags: ['Triggers'],
        summary:
          'Fire every occurrence from a past date to an end (or now) at once, with extra inputs and labels; then the schedule resumes',
        params: keyParams,
        body: {
          ...object(
            {
              start: { type: 'string', minLength: 1, description: 'an ISO date' },
              end: { type: 'string', minLength: 1, description: 'an ISO date; absent: up to now' },
              inputs: {
                type: 'object',
                additionalProperties: true,
                description: "inputs of the executions, over the trigger's own",
              },
              labels: {
                type: 'object',
                additionalProperties: { type: 'string' },
                description: 'labels of the executions, key: value',
              },
            },
            ['start'],
          ),
          additionalProperties: false,
        },
        response: { 200: trigger, ...errors(400, 404, 415) },
      },
    },
    async (req, reply) => {
      const { start, end, inputs, labels } = req.body;
      const bad = (path: string, message: string) =>
        reply.code(400).send(apiError(`${path.slice(5)} ${message}`, [{ path, message }]));
      if (Number.isNaN(Date.parse(start))) return bad('body.start', 'is not a date');
      if (end !== undefined && Number.isNaN(Date.parse(end))) return bad('body.end', 'is not a date');
      if (end !== undefined && Date.parse(end) < Date.parse(start)) return bad('body.end', 'is before start');
      const flow = await getFlow(db, req.params.namespace, req.params.flowId);
      const declared = flow?.triggers.find((t) => t.id === req.params.triggerId);
      const [row] = await searchTriggers(db, req.params.namespace, req.params.flowId).then((rows) =>
        rows.filter((r) => r.triggerId === req.params.triggerId && r.scheduled),
      );
      if (!declared || !row) return reply.code(404).send(notFound(req.params));
      // the first occurrence at or after start, as a backfill declared in the flow would begin
      const first = firstFireDate({ ...declared, backfill: { start } }, new Date());
      const last = new Date(Math.min(end ? Date.parse(end) : Date.now(), Date.now()));
      const total = first ? countOccurrences(declared, first, last) : 0;
      if (!first || total === 0) return bad('body.start', 'has no occurrence of the schedule before the end');
      if (total > MAX_BACKFILL_OCCURRENCES)
        return bad('body.end', `leaves more than ${MAX_BACKFILL_OCCURRENCES} occurrences to fire`);
      const backfill: Backfill = {
        start: new Date(start).toISOString(),
        end: end ? new Date(end).toISOString() : null,
        ...(inputs && Object.keys(inputs).length > 0 && { inputs }),
        ...(labels && Object.keys(labels).length > 0 && { labels }),
        resume: row.backfill?.done === false ? row.backfill.resume : row.nextExecutionDate,
        total,
        fired: 0,
        done: false,
      };
      const updated = await backfillTrigger(db, req.params, first, backfill);
      return updated ?? reply.code(404).send(notFound(req.params));
    },
  );
}

interface BackfillBody {
  start: string;
  end?: string;
  inputs?: Record<string, unknown>;
  labels?: Record<string, string>;
}
