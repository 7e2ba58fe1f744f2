import type { FastifyInstance } from 'fastify';
import {
  BulkRefusedError,
  deleteExecutions,
  killExecutions,
  restartExecutions,
  setExecutionLabels,
} from '../app/execution-bulk.js';
import type { Database } from '../db/database.js';
import type { Label } from '../engine/execution.js';
import type { Storage } from '../storage/storage.js';
import { errors, list, object, text } from './schemas/common.js';

const MAX_IDS = 1000;

const idList = {
  type: 'array',
  items: { type: 'string' },
  minItems: 1,
  maxItems: MAX_IDS,
  description: `execution ids, at most ${MAX_IDS}`,
};

const labelList = list(
  object(
    {
      // as in Kestra, system labels are Sluice's own to set
      key: { type: 'string', minLength: 1, pattern: '^(?!system\\.)', description: 'not system.…' },
      value: { type: 'string' },
    },
    ['key', 'value'],
  ),
  'labels to add; one with the key of an existing label replaces it',
);

const bulkAnswer = {
  200: {
    description: 'every execution took the action',
    ...object({ count: { type: 'integer', description: 'how many executions' } }, ['count']),
  },
  409: {
    description: 'nothing was done: details name each execution that cannot take the action, and why',
    $ref: 'ApiError#',
  },
  ...errors(400),
};

/** Kestra's bulk actions on a selection of executions: restart, kill, delete, set labels. */
export function registerExecutionBulkRoutes(app: FastifyInstance, db: Database, storage?: Storage): void {
  const run = async (act: () => Promise<number>) => {
    try {
      return { status: 200, body: { count: await act() } };
    } catch (error) {
      if (!(error instanceof BulkRefusedError)) throw error;
      return {
        status: 409,
        body: {
          message: error.message,
          details: error.invalids.map((i) => ({ path: i.id, message: `${i.id} ${i.message}` })),
        },
      };
    }
  };

  app.post<{ Body: string[] }>(
    '/api/v1/executions/restart/by-ids',
    {
      schema: {
        operationId: 'restartExecutionsByIds',
        tags: ['Executions'],
        summary: 'Restart FAILED or KILLED executions from their failed task runs; all or none',
        body: idList,
        response: bulkAnswer,
      },
    },
    async (req, reply) => {
      const { status, body } = await run(() => restartExecutions(db, req.body));
      return reply.code(status).send(body);
    },
  );

  app.delete<{ Body: string[] }>(
    '/api/v1/executions/kill/by-ids',
    {
      schema: {
        operationId: 'killExecutionsByIds',
        tags: ['Executions'],
        summary: 'Kill executions that have not ended; all or none',
        body: idList,
        response: bulkAnswer,
      },
    },
    async (req, reply) => {
      const { status, body } = await run(() => killExecutions(db, req.body));
      return reply.code(status).send(body);
    },
  );

  app.delete<{ Body: string[] }>(
    '/api/v1/executions/by-ids',
    {
      schema: {
        operationId: 'deleteExecutionsByIds',
        tags: ['Executions'],
        summary: 'Delete ended executions with their logs and files; all or none',
        body: idList,
        response: bulkAnswer,
      },
    },
    async (req, reply) => {
      const { status, body } = await run(() => deleteExecutions(db, storage, req.body));
      return reply.code(status).send(body);
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/v1/executions/:id',
    {
      schema: {
        operationId: 'deleteExecution',
        tags: ['Executions'],
        summary: 'Delete an ended execution with its logs and files',
        params: object({ id: text('the execution id') }, ['id']),
        response: {
          204: { description: 'deleted', type: 'null' },
          ...errors(404, 409),
        },
      },
    },
    async (req, reply) => {
      const { status, body } = await run(() => deleteExecutions(db, storage, [req.params.id]));
      if (status === 200) return reply.code(204).send();
      const notFound = body.details?.[0]?.message.endsWith(' not found');
      return reply.code(notFound ? 404 : 409).send(body);
    },
  );

  app.post<{ Body: { executionsId: string[]; executionLabels: Label[] } }>(
    '/api/v1/executions/labels/by-ids',
    {
      schema: {
        operationId: 'setLabelsByIds',
        tags: ['Executions'],
        summary: 'Add or replace labels of ended executions; all or none',
        body: object({ executionsId: idList, executionLabels: labelList }, [
          'executionsId',
          'executionLabels',
        ]),
        response: bulkAnswer,
      },
    },
    async (req, reply) => {
      const { status, body } = await run(() =>
        setExecutionLabels(db, req.body.executionsId, req.body.executionLabels),
      );
      return reply.code(status).send(body);
    },
  );
}
