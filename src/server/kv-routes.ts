// Kestra's KV API (KVController): list, get, put and delete the keys of a namespace.
import type { FastifyInstance } from 'fastify';
import type { Database } from '../db/database.js';
import { createKvStore } from '../db/kv-store.js';
import { durationProblem, parseDuration } from '../flow/duration.js';
import { NAMESPACE } from '../flow/flow-schema.js';
import { KvKeyExists } from '../namespaces/kv-store.js';
import { checkKey, KV_TYPES, KvValueError, parseBody } from '../namespaces/kv-values.js';
import { HttpError } from './errors.js';
import { errors, object, text } from './schemas/common.js';

type NamespaceParams = { Params: { namespace: string } };
type KeyParams = { Params: { namespace: string; key: string } };

const namespaceParam = {
  type: 'string',
  pattern: NAMESPACE.source,
  maxLength: 150,
  description: 'the namespace',
};
const namespaceParams = object({ namespace: namespaceParam }, ['namespace']);
const keyParams = object({ namespace: namespaceParam, key: text('the key') }, ['namespace', 'key']);

const entry = object(
  {
    key: { type: 'string' },
    description: { type: ['string', 'null'] },
    creationDate: { type: 'string', format: 'date-time' },
    updateDate: { type: 'string', format: 'date-time' },
    expirationDate: { type: ['string', 'null'], format: 'date-time' },
  },
  ['key', 'creationDate', 'updateDate'],
);

const key = (value: string): string => {
  try {
    return checkKey(value);
  } catch (error) {
    throw new HttpError(400, (error as Error).message, [
      { path: 'params.key', message: 'is not a valid key' },
    ]);
  }
};

export function registerKvRoutes(app: FastifyInstance, db: Database): void {
  const store = createKvStore(db);
  const base = '/api/v1/namespaces/:namespace/kv';

  app.get<NamespaceParams>(
    base,
    {
      schema: {
        operationId: 'listKeys',
        tags: ['KV'],
        summary: 'The keys of a namespace that have not expired, without their values',
        params: namespaceParams,
        response: { 200: { description: 'the keys', type: 'array', items: entry }, ...errors(400) },
      },
    },
    async (req) => store.list(req.params.namespace),
  );

  app.get<KeyParams>(
    `${base}/:key`,
    {
      schema: {
        operationId: 'getKeyValue',
        tags: ['KV'],
        summary: 'The value of a key, with its type',
        params: keyParams,
        response: {
          200: {
            description: 'the typed value',
            ...object({ type: { type: 'string', enum: [...KV_TYPES] }, value: {} }, ['type', 'value']),
          },
          ...errors(400, 404),
        },
      },
    },
    async (req) => {
      const { namespace } = req.params;
      const found = await store.get(namespace, key(req.params.key));
      if (!found) {
        throw new HttpError(404, `No value found for key '${req.params.key}' in namespace '${namespace}'`);
      }
      return found;
    },
  );

  // The value is the body as text: JSON (whose type it keeps), an unquoted date or date-time, or any
  // other text, as Kestra reads it. Both content types stay text here, whatever they say.
  app.register(async (scope) => {
    scope.removeContentTypeParser(['application/json', 'text/plain']);
    scope.addContentTypeParser(
      ['application/json', 'text/plain'],
      { parseAs: 'string' },
      (_req, body, done) => done(null, body),
    );
    scope.put<KeyParams & { Body: string; Headers: { ttl?: string; description?: string } }>(
      `${base}/:key`,
      {
        schema: {
          operationId: 'setKeyValue',
          tags: ['KV'],
          summary: 'Store a value under a key (replacing any value it had)',
          description:
            'The body is the value: JSON keeps its type (a quoted string, a number, true/false, an object or a list); an unquoted ISO date or date-time is a DATE or a DATETIME; a string shaped as an ISO duration is a DURATION; any other text a STRING. Headers: `ttl` (an ISO-8601 duration after which the key expires) and `description`.',
          params: keyParams,
          headers: object({
            ttl: text('ISO-8601 duration after which the key expires, e.g. PT1H'),
            description: text('a description of the key'),
          }),
          body: { type: 'string', description: 'the value' },
          response: { 204: { description: 'stored', type: 'null' }, ...errors(400, 409, 415) },
        },
      },
      async (req, reply) => {
        const { namespace } = req.params;
        const name = key(req.params.key);
        const ttl = req.headers.ttl;
        if (ttl !== undefined && durationProblem(ttl)) {
          throw new HttpError(400, durationProblem(ttl)!, [
            { path: 'headers.ttl', message: 'is not a duration' },
          ]);
        }
        let value;
        try {
          value = parseBody(req.body ?? '');
        } catch (error) {
          if (error instanceof KvValueError)
            throw new HttpError(400, error.message, [{ path: 'body', message: 'is not a value' }]);
          throw error;
        }
        try {
          await store.put(namespace, name, {
            ...value,
            ttlMs: ttl === undefined ? undefined : parseDuration(ttl),
            description: req.headers.description,
          });
        } catch (error) {
          if (error instanceof KvKeyExists) throw new HttpError(409, error.message);
          throw error;
        }
        return reply.code(204).send();
      },
    );
  });

  app.delete<KeyParams>(
    `${base}/:key`,
    {
      schema: {
        operationId: 'deleteKeyValue',
        tags: ['KV'],
        summary: 'Delete a key; answers whether it existed',
        params: keyParams,
        response: { 200: { description: 'true when the key existed', type: 'boolean' }, ...errors(400) },
      },
    },
    async (req) => store.delete(req.params.namespace, key(req.params.key)),
  );

  app.delete<NamespaceParams & { Body: { keys: string[] } }>(
    base,
    {
      schema: {
        operationId: 'deleteKeyValues',
        tags: ['KV'],
        summary: 'Delete several keys; answers those that existed',
        params: namespaceParams,
        body: object({ keys: { type: 'array', items: { type: 'string' }, maxItems: 10_000 } }, ['keys']),
        response: {
          200: {
            description: 'the keys deleted',
            ...object({ keys: { type: 'array', items: { type: 'string' } } }),
          },
          ...errors(400),
        },
      },
    },
    async (req) => {
      const deleted: string[] = [];
      for (const k of req.body.keys) if (await store.delete(req.params.namespace, key(k))) deleted.push(k);
      return { keys: deleted };
    },
  );
}
