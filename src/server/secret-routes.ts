// Namespace secrets through the API, shaped as Kestra's (enterprise) secrets API: written and
// listed by key, deleted, never read back. secret() in a flow of the namespace, or of a namespace
// below it, reads them (secrets/secret-store.ts).
import type { FastifyInstance } from 'fastify';
import type { Database } from '../db/database.js';
import { NAMESPACE } from '../flow/flow-schema.js';
import type { SecretCipher } from '../secrets/cipher.js';
import { createSecretStore, namespaceChain } from '../secrets/secret-store.js';
import { HttpError } from './errors.js';
import { errors, object, text } from './schemas/common.js';

type Params = { Params: { namespace: string } };

const KEY = '^[A-Za-z0-9_][A-Za-z0-9._-]*$';
/** A secret is a credential, not a document: this bounds what one request may seal. */
const MAX_VALUE_LENGTH = 65_536;

const params = object(
  { namespace: { type: 'string', pattern: NAMESPACE.source, maxLength: 150, description: 'the namespace' } },
  ['namespace'],
);
const key = { type: 'string', pattern: KEY, maxLength: 256, description: 'the key secret() reads' };

export function registerSecretRoutes(app: FastifyInstance, db: Database, cipher: SecretCipher): void {
  const store = createSecretStore(db, cipher);
  const base = '/api/v1/namespaces/:namespace/secrets';

  app.get<Params>(
    base,
    {
      schema: {
        operationId: 'listNamespaceSecrets',
        tags: ['Secrets'],
        summary: 'The keys of the secrets of a namespace, never their values',
        params,
        response: {
          200: {
            description: 'the keys',
            ...object(
              {
                results: { type: 'array', items: object({ key: { type: 'string' } }, ['key']) },
                total: { type: 'integer' },
              },
              ['results', 'total'],
            ),
          },
          ...errors(400),
        },
      },
    },
    async (req) => {
      const keys = await store.keys(req.params.namespace);
      return { results: keys.map((k) => ({ key: k })), total: keys.length };
    },
  );

  app.get<Params>(
    '/api/v1/namespaces/:namespace/inherited-secrets',
    {
      schema: {
        operationId: 'listInheritedSecrets',
        tags: ['Secrets'],
        summary: 'The keys of the secrets the namespace inherits, by parent namespace',
        params,
        response: {
          200: {
            description: 'parent namespace → keys',
            type: 'object',
            additionalProperties: { type: 'array', items: { type: 'string' } },
          },
          ...errors(400),
        },
      },
    },
    async (req) => {
      const inherited: Record<string, string[]> = {};
      for (const parent of namespaceChain(req.params.namespace).slice(1)) {
        const keys = await store.keys(parent);
        if (keys.length > 0) inherited[parent] = keys;
      }
      return inherited;
    },
  );

  app.put<Params & { Body: { key: string; value: string } }>(
    base,
    {
      schema: {
        operationId: 'putNamespaceSecret',
        tags: ['Secrets'],
        summary: 'Store a secret (replacing any of that key); the value is encrypted and never shown again',
        params,
        body: {
          ...object(
            {
              key,
              value: { type: 'string', minLength: 1, maxLength: MAX_VALUE_LENGTH, description: 'the value' },
            },
            ['key', 'value'],
          ),
          additionalProperties: false,
        },
        response: {
          200: { description: 'the key stored', ...object({ key: { type: 'string' } }, ['key']) },
          ...errors(400),
        },
      },
    },
    async (req) => {
      await store.set(req.params.namespace, req.body.key, req.body.value);
      return { key: req.body.key };
    },
  );

  app.delete<{ Params: { namespace: string; key: string } }>(
    `${base}/:key`,
    {
      schema: {
        operationId: 'deleteNamespaceSecret',
        tags: ['Secrets'],
        summary: 'Delete a secret',
        params: object({ ...(params.properties as object), key: text('the key') }, ['namespace', 'key']),
        response: { 204: { description: 'deleted', type: 'null' }, ...errors(400, 404) },
      },
    },
    async (req, reply) => {
      if (!(await store.delete(req.params.namespace, req.params.key))) {
        throw new HttpError(404, `no secret ${req.params.key} in namespace ${req.params.namespace}`);
      }
      return reply.code(204).send();
    },
  );
}
