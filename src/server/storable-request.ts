import type { FastifyInstance } from 'fastify';
import { type UnstorableText, unstorableIn } from '../engine/storable-text.js';
import { apiError } from './errors.js';

/** The 400 answer to text that cannot be stored, naming the field. */
export function unstorableAnswer(found: UnstorableText) {
  return apiError(`invalid request: ${found.path} ${found.problem}`, [
    { path: found.path, message: found.problem },
  ]);
}

/** Text PostgreSQL cannot hold (NUL, lone surrogates) in a request's path parameters, query,
 * headers or parsed body is refused with 400 naming the field, before any route reads it: whatever
 * a route keeps, it keeps in PostgreSQL, and one such character in an execution's inputs, labels or
 * webhook variables made every read of it fail (docs/api.md). Multipart parts, which a route reads
 * as a stream, are checked as they are read. */
export function refuseUnstorableText(app: FastifyInstance): void {
  app.addHook('preValidation', async (req, reply) => {
    const found =
      unstorableIn(req.params, 'params') ??
      unstorableIn(req.query, 'query') ??
      unstorableIn(req.headers, 'headers') ??
      unstorableIn(req.body, 'body');
    if (found) return reply.code(400).send(unstorableAnswer(found));
  });
}
