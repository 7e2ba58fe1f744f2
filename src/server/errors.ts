import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import type { InvalidInputsError } from '../app/executions.js';
import { failureKind } from '../engine/failure-kind.js';
import { YAML_ONLY, YAML_ROUTES } from './yaml-body.js';

export interface Detail {
  path?: string;
  message: string;
}

/** The body of every error answer. */
export const apiError = (message: string, details: object[] = []) => ({ message, details });

/** 429 with Retry-After, to a client over a failure limit: `too many ${what}: try again in N s`. */
export function tooMany(reply: FastifyReply, waitMs: number, what: string): FastifyReply {
  const seconds = Math.ceil(waitMs / 1000);
  return reply
    .code(429)
    .header('Retry-After', String(seconds))
    .send(apiError(`too many ${what}: try again in ${seconds} s`));
}

/** The 422 answer to inputs that do not fit the flow's declarations: one detail per problem. */
export const inputProblems = (error: InvalidInputsError) =>
  apiError(
    'invalid inputs',
    error.errors.map((message) => ({ message })),
  );

/** A refusal thrown from deep inside a request (a stream, a helper) rather than sent by the route. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly details: Detail[] = [],
  ) {
    super(message);
  }
}

type SchemaIssue = NonNullable<FastifyError['validation']>[number];

/** `body.items[2].id`: the request part, then the JSON pointer as a property path. */
function fieldPath(part: string, issue: SchemaIssue): string {
  const segments = issue.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
  const params = issue.params as { missingProperty?: string; additionalProperty?: string };
  const named = params.missingProperty ?? params.additionalProperty;
  if (named !== undefined) segments.push(named);
  return segments.reduce((path, s) => (/^\d+$/.test(s) ? `${path}[${s}]` : `${path}.${s}`), part);
}

function issueMessage(issue: SchemaIssue): string {
  switch (issue.keyword) {
    case 'required':
      return 'is required';
    case 'additionalProperties':
      return 'is not a known field';
    case 'enum':
      return `must be one of ${(issue.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
    default:
      return issue.message ?? 'is invalid';
  }
}

/** ajv's findings about a request, one per field at fault. */
export function validationDetails(part: string, issues: SchemaIssue[]): Detail[] {
  const name = part === 'querystring' ? 'query' : part;
  return issues.map((issue) => ({ path: fieldPath(name, issue), message: issueMessage(issue) }));
}

/** Every refusal answers {message, details}: the routes' own, ajv's (400, one detail per field), and
 * fastify's (a content type without a parser, a body that is not JSON or too large, an unknown
 * route). `curl --data-binary @flow.yaml` without -H sends application/x-www-form-urlencoded: the
 * flow routes then say what to send instead of a bare 'Unsupported Media Type'. */
export function registerErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, req, reply) => {
    if (error.validation) {
      const details = validationDetails(error.validationContext ?? 'request', error.validation);
      const message = `invalid request: ${details.map((d) => `${d.path} ${d.message}`).join('; ')}`;
      return reply.code(400).send(apiError(message, details));
    }
    if (error instanceof HttpError)
      return reply.code(error.statusCode).send(apiError(error.message, error.details));
    // a database that is away (a restart, a full disk) is a 503: the same request will work again
    const fallback = failureKind(error) === 'unavailable' ? 503 : 500;
    const status = error.statusCode !== undefined && error.statusCode >= 400 ? error.statusCode : fallback;
    if (status >= 500) req.log.error(error);
    const wrongType =
      error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' && YAML_ROUTES.has(req.routeOptions.url ?? '');
    return reply.code(status).send(apiError(wrongType ? YAML_ONLY : error.message));
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send(apiError(`no route ${req.method} ${req.url}`)));
}
