import type { FastifyInstance } from 'fastify';
import type { Database } from '../db/database.js';
import { listNamespaces } from '../db/namespace-listing.js';
import { object } from './schemas/common.js';

const summary = object(
  {
    id: { type: 'string' },
    flows: { type: 'integer', description: 'live flows' },
    files: { type: 'integer', description: 'namespace files' },
    kv: { type: 'integer', description: 'KV pairs that have not expired' },
    secrets: { type: 'integer', description: 'secrets (their keys only are ever shown)' },
  },
  ['id', 'flows', 'files', 'kv', 'secrets'],
);

export function registerNamespaceRoutes(app: FastifyInstance, db: Database): void {
  app.get(
    '/api/v1/namespaces/search',
    {
      schema: {
        operationId: 'searchNamespaces',
        tags: ['Namespaces'],
        summary:
          'Every namespace holding flows, files, KV pairs or secrets, with its parents, and what it holds',
        response: {
          200: {
            description: 'the namespaces, sorted',
            ...object({ results: { type: 'array', items: summary }, total: { type: 'integer' } }, [
              'results',
              'total',
            ]),
          },
        },
      },
    },
    async () => {
      const results = await listNamespaces(db);
      return { results, total: results.length };
    },
  );
}
