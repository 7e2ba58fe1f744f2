import type { FastifyInstance } from 'fastify';
import type { Database } from '../db/database.js';
import { object } from './schemas/common.js';

const component = object(
  {
    id: { type: 'string' },
    role: { type: 'string' },
    hostname: { type: 'string' },
    heartbeat: { type: 'string', format: 'date-time' },
  },
  ['id', 'role', 'hostname', 'heartbeat'],
);

/** /health: UP with the components alive right now (by their heartbeats, see docs/engine.md,
 * Liveness), or 503 when the database does not answer, or cannot take writes (its disk is full, the
 * embedded one stopped after a fatal error: docs/engine.md, Full disk). */
export function registerHealth(app: FastifyInstance, db: Database): void {
  app.get(
    '/health',
    {
      schema: {
        operationId: 'getHealth',
        tags: ['Health'],
        summary: 'Whether the server and its database are up, and which components are alive',
        response: {
          200: {
            description: 'up',
            ...object(
              {
                status: { type: 'string', enum: ['UP'] },
                database: { type: 'string', enum: ['UP'] },
                components: { type: 'array', items: component },
              },
              ['status', 'database', 'components'],
            ),
          },
          503: {
            description: 'the database does not answer, or cannot take writes',
            ...object(
              {
                status: { type: 'string', enum: ['DOWN'] },
                database: { type: 'string', enum: ['DOWN'] },
                message: { type: 'string' },
              },
              ['status', 'database', 'message'],
            ),
          },
        },
      },
    },
    async (_req, reply) => {
      const problem = db.problem();
      if (problem) return reply.code(503).send({ status: 'DOWN', database: 'DOWN', message: problem });
      try {
        const { rows } = await db.query<{ id: string; role: string; hostname: string; heartbeat: string }>(
          `SELECT id, role, hostname, to_json(heartbeat)#>>'{}' AS heartbeat FROM service_instances ORDER BY role, id`,
        );
        return { status: 'UP', database: 'UP', components: rows };
      } catch (error) {
        return reply.code(503).send({ status: 'DOWN', database: 'DOWN', message: (error as Error).message });
      }
    },
  );
}
