import type { FastifyInstance } from 'fastify';
import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import { version } from '../version.js';
import { ApiError } from './schemas/common.js';
import { Accepted, Execution, ExecutionPage, FilePreview, State, TaskRun } from './schemas/execution.js';
import { Flow, FlowProblem, FlowRevision, FlowSaved, FlowSummary, FlowValidation } from './schemas/flow.js';
import { LogLine } from './schemas/log.js';
import { Trigger } from './schemas/trigger.js';

declare module 'fastify' {
  interface FastifySchema {
    /** the body may be left out (@fastify/swagger otherwise marks every request body required) */
    'x-optional-body'?: boolean;
  }
}

export const OPENAPI_PATH = '/api/openapi.json';

/** Schemas that routes refer to by `$ref: '<$id>#'`; they become components/schemas/<$id>. */
const SHARED = [
  ApiError,
  State,
  TaskRun,
  Execution,
  ExecutionPage,
  Accepted,
  FilePreview,
  FlowSaved,
  Flow,
  FlowSummary,
  FlowProblem,
  FlowValidation,
  FlowRevision,
  LogLine,
  Trigger,
];

const TAGS = [
  { name: 'Flows', description: 'Flows as YAML: save, validate, search, revisions, enable and disable' },
  { name: 'Executions', description: 'Start, search, follow and control executions; their files' },
  { name: 'Logs', description: 'Execution logs: search, download, follow' },
  { name: 'Triggers', description: 'Schedule triggers as the scheduler keeps them' },
  { name: 'Namespaces', description: 'The namespaces that hold flows, files, KV pairs or secrets' },
  { name: 'KV', description: 'The typed key-value store of each namespace' },
  { name: 'Files', description: 'The files of each namespace: read, list, upload, move, delete' },
  { name: 'Secrets', description: 'The secrets of each namespace: written and listed, never read back' },
  { name: 'Webhooks', description: 'Start a flow through its Webhook trigger and key' },
  { name: 'Health', description: 'Liveness of the server, its database and components' },
  { name: 'Metrics', description: 'Prometheus metrics' },
  {
    name: 'Connector definitions',
    description: 'The built-in connectors and registered Airbyte-protocol programs',
  },
  { name: 'Sources', description: 'Connectors with their configuration, secrets masked: check, discover' },
  { name: 'Destinations', description: 'Connectors with their configuration, secrets masked: check' },
  { name: 'Connections', description: 'A source, a destination, the streams and a schedule; its state' },
  { name: 'Jobs', description: "A connection's syncs, resets, refreshes and clears, with counts and logs" },
  {
    name: 'Notifications',
    description: 'Where failures, successes and schema changes are notified: webhook, Slack',
  },
];

type Operation = { 'x-optional-body'?: boolean; requestBody?: { required?: boolean } };
type Document = Parameters<NonNullable<FastifyDynamicSwaggerOptions['transformObject']>>[0];

/** Marks the request bodies that may be left out as optional. */
function optionalBodies(document: Document) {
  const openapi = (document as { openapiObject: { paths?: Record<string, Record<string, Operation>> } })
    .openapiObject;
  for (const operations of Object.values(openapi.paths ?? {})) {
    for (const operation of Object.values(operations)) {
      if (operation['x-optional-body'] && operation.requestBody) operation.requestBody.required = false;
      delete operation['x-optional-body'];
    }
  }
  return openapi;
}

/** @fastify/swagger builds the document from the routes' schemas: OpenAPI 3.1 (JSON Schema 2020-12),
 * shared schemas under their own names, and the security schemes the authentication hook accepts. */
export function openApiOptions(): FastifyDynamicSwaggerOptions {
  return {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Sluice',
        version,
        description:
          'Kestra-style flows and Airbyte-protocol data movement. Errors answer {message, details}.',
      },
      tags: TAGS,
      components: {
        securitySchemes: {
          basicAuth: { type: 'http', scheme: 'basic' },
          bearerAuth: { type: 'http', scheme: 'bearer' },
        },
      },
    },
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`) },
    transformObject: optionalBodies,
  };
}

export function registerSharedSchemas(app: FastifyInstance): void {
  for (const schema of SHARED) app.addSchema(schema);
}

export function registerOpenApiRoute(app: FastifyInstance): void {
  app.get(OPENAPI_PATH, { schema: { hide: true } }, async () => app.swagger());
}
