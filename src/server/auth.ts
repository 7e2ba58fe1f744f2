import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CredentialChecker, parseAuthorization } from '../auth/credentials.js';
import { DEFAULT_FAILURE_LIMITS, FailureLimiter, type FailureLimits } from '../auth/failure-limiter.js';
import type { Queryable } from '../db/database.js';
import { tooMany } from './errors.js';
import { WEBHOOK_ROUTE } from './webhook-routes.js';

export interface AuthOptions {
  enabled: boolean;
  failureLimits?: FailureLimits;
}

const PROTECTED = /^\/(?:api\/|metrics(?:\/|$))/;

/** Everything under /api/ and /metrics needs credentials, webhooks excepted; the rest (/health, the
 * web UI's files) does not. A matched request is judged by its route's pattern, which is what
 * fastify dispatched on, so no spelling of the path (percent-encoding, `//`) can slip past the rule;
 * an unmatched one by its path, so that probing for routes gets 401 rather than a map of 404s. */
export function requiresAuth(req: FastifyRequest): boolean {
  const route = req.routeOptions.url;
  // a webhook's key in its path is its credential: callers (other systems) send nothing else
  if (route === WEBHOOK_ROUTE) return false;
  return PROTECTED.test(route ?? req.url.split('?')[0]);
}

/** A CORS preflight carries no credentials by the Fetch standard: it is answered (by the CORS plugin,
 * when origins are configured) or refused without asking for them. */
const isPreflight = (req: FastifyRequest) =>
  req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;

function deny(reply: FastifyReply, message: string): FastifyReply {
  return reply.code(401).header('WWW-Authenticate', 'Basic realm="sluice"').send({ message, details: [] });
}

/** HTTP basic for people, bearer tokens for programs, checked before any route runs. Failed attempts
 * are limited per client address and per user name, counting each guess before it is checked; an
 * address or name over the limit is refused (429) even with good credentials, or guessing would
 * still tell which guess was right. */
export function registerAuth(app: FastifyInstance, db: Queryable, options: AuthOptions): void {
  if (!options.enabled) return;
  const checker = new CredentialChecker(db);
  const limiter = new FailureLimiter(options.failureLimits ?? DEFAULT_FAILURE_LIMITS);
  app.addHook('onRequest', async (req, reply) => {
    if (!requiresAuth(req) || isPreflight(req)) return;
    const header = req.headers.authorization;
    const credentials = parseAuthorization(header);
    if (credentials === undefined) {
      return deny(reply, 'authentication required: send HTTP basic credentials or a bearer token');
    }
    const keys = [`ip:${req.ip}`];
    if (credentials !== 'malformed' && credentials.scheme === 'basic') keys.push(`user:${credentials.name}`);
    const attempt = limiter.attempt(
      keys,
      createHash('sha256')
        .update(header ?? '')
        .digest('base64'),
    );
    if (typeof attempt === 'number') return tooMany(reply, attempt, 'failed logins');
    if (credentials === 'malformed') {
      attempt.fail();
      return deny(reply, 'unsupported Authorization header: use Basic or Bearer');
    }
    let principal;
    try {
      principal = await checker.principal(credentials);
    } catch (error) {
      attempt.release(); // nothing was judged (the database away, say)
      throw error;
    }
    if (principal) attempt.release();
    else {
      attempt.fail();
      return deny(
        reply,
        credentials.scheme === 'basic' ? 'wrong user name or password' : 'unknown or expired token',
      );
    }
  });
}
