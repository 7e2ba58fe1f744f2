// The home page's figures in one read-only answer, aggregated by the database (src/db/dashboard.ts).
import type { FastifyInstance } from 'fastify';
import type { Database } from '../db/database.js';
import { dashboard } from '../db/dashboard.js';
import { apiError } from './errors.js';
import { errors, object, text } from './schemas/common.js';

const DAY = 86_400_000;
/** longer ranges would draw a year of daily bars and scan every execution kept */
const MAX_RANGE_DAYS = 366;

type Query = { Querystring: { namespace?: string; startDate?: string; endDate?: string } };

export function registerDashboardRoutes(app: FastifyInstance, db: Database): void {
  app.get<Query>(
    '/api/v1/dashboard',
    {
      schema: {
        operationId: 'getDashboard',
        tags: ['Executions'],
        summary:
          'Executions over time by state, success ratio, durations by flow, failures, running ones; rows and bytes synced over time, failing connections',
        querystring: object({
          namespace: text('a namespace; its child namespaces count too (executions only)'),
          startDate: { type: 'string', format: 'date-time', description: 'from (default: 7 days ago)' },
          endDate: { type: 'string', format: 'date-time', description: 'until (default: now)' },
        }),
        response: {
          200: { description: 'the figures', type: 'object', additionalProperties: true },
          ...errors(400),
        },
      },
    },
    async (req, reply) => {
      const endDate = req.query.endDate ? new Date(req.query.endDate) : new Date();
      const startDate = req.query.startDate
        ? new Date(req.query.startDate)
        : new Date(endDate.getTime() - 7 * DAY);
      const span = endDate.getTime() - startDate.getTime();
      if (!(span > 0) || span > MAX_RANGE_DAYS * DAY) {
        return reply.code(400).send(
          apiError(`the range must be positive and at most ${MAX_RANGE_DAYS} days`, [
            {
              path: 'query.startDate',
              message: `must be before endDate, by at most ${MAX_RANGE_DAYS} days`,
            },
          ]),
        );
      }
      return dashboard(db, { namespace: req.query.namespace, startDate, endDate });
    },
  );
}
