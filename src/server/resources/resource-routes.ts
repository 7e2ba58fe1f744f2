// The Airbyte-shaped API (DESIGN.md): connector definitions, sources, destinations, connections and
// jobs, with Airbyte's public-API field names. The logic lives in app/connections.ts; these routes
// only validate, call and answer.
import type { FastifyInstance } from 'fastify';
import {
  cancelJob,
  checkActor,
  connectionState,
  connectorDefinitions,
  createActor,
  createConnection,
  createJob,
  definitionSpec,
  discoverSource,
  getActorView,
  getConnectionView,
  getJob,
  listActorViews,
  listConnectionViews,
  listJobs,
  registerDefinition,
  removeActor,
  removeConnection,
  type ResourceDeps,
  ResourceError,
  resetConnectionState,
  unregisterDefinition,
  updateActorConfig,
  updateConnection,
  type ActorInput,
  type ConnectionInput,
} from '../../app/connections.js';
import type { JobType, RefreshType } from '../../connections/connection.js';
import type { ActorKind } from '../../db/actor-repository.js';
import type { StreamDescriptor } from '../../protocol/messages.js';
import { errors, object, text } from '../schemas/common.js';
import {
  actor,
  actorInput,
  checkResult,
  connection,
  connectionInput,
  connectionPatch,
  connectionStateView,
  definition,
  definitionInput,
  definitionSpecView,
  discoverResult,
  idParams,
  job,
  jobInput,
  listOf,
  listQuery,
  stateReset,
  schemaReviewView,
  streamClearInput,
  streamRefreshInput,
} from './schemas.js';
import { discoverSchemaForConnection } from '../../app/connection-schema.js';
import { answer } from './answer.js';

type Id = { Params: { id: string } };
type Page = { Querystring: { limit: number; offset: number } };

const page = <T>(data: T[], base: string, q: { limit: number; offset: number }) => ({
  data,
  ...(data.length === q.limit && { next: `${base}?limit=${q.limit}&offset=${q.offset + q.limit}` }),
  ...(q.offset > 0 && { previous: `${base}?limit=${q.limit}&offset=${Math.max(0, q.offset - q.limit)}` }),
});

export function registerResourceRoutes(app: FastifyInstance, deps: ResourceDeps): void {
  registerDefinitionRoutes(app, deps);
  for (const kind of ['source', 'destination'] as const) registerActorRoutes(app, deps, kind);
  registerConnectionRoutes(app, deps);
  registerStreamJobRoutes(app, deps);
  registerJobRoutes(app, deps);
}

function registerDefinitionRoutes(app: FastifyInstance, deps: ResourceDeps): void {
  const tags = ['Connector definitions'];
  app.get(
    '/api/v1/connector_definitions',
    {
      schema: {
        operationId: 'listConnectorDefinitions',
        tags,
        summary: 'The built-in connectors and the registered ones',
        response: { 200: listOf(definition, 'the connector definitions') },
      },
    },
    async () => ({ data: await connectorDefinitions(deps) }),
  );
  app.post<{ Body: { name: string; kind: ActorKind; command: string[] } }>(
    '/api/v1/connector_definitions',
    {
      schema: {
        operationId: 'registerConnectorDefinition',
        tags,
        summary: 'Register an Airbyte-protocol executable as a connector',
        body: definitionInput,
        response: { 201: { description: 'registered', ...definition }, ...errors(400, 409) },
      },
    },
    async (req, reply) => reply.code(201).send(await answer(() => registerDefinition(deps, req.body))),
  );
  app.get<{ Params: { definitionId: string } }>(
    '/api/v1/connector_definitions/:definitionId/spec',
    {
      schema: {
        operationId: 'getConnectorDefinitionSpec',
        tags,
        summary: "The connector's spec: the JSON Schema of its configuration (run once per process)",
        params: object({ definitionId: text('`source-<name>` or `destination-<name>`') }, ['definitionId']),
        response: { 200: { description: 'the spec', ...definitionSpecView }, ...errors(404, 422) },
      },
    },
    (req) => answer(() => definitionSpec(deps, req.params.definitionId)),
  );
  app.delete<{ Params: { name: string } }>(
    '/api/v1/connector_definitions/:name',
    {
      schema: {
        operationId: 'unregisterConnectorDefinition',
        tags,
        summary: 'Forget a registered connector',
        params: object({ name: text('its name') }, ['name']),
        response: { 204: { description: 'forgotten', type: 'null' }, ...errors(404) },
      },
    },
    async (req, reply) => {
      await answer(() => unregisterDefinition(deps, req.params.name));
      return reply.code(204).send();
    },
  );
}

function registerActorRoutes(app: FastifyInstance, deps: ResourceDeps, kind: ActorKind): void {
  const base = `/api/v1/${kind}s`;
  const Kind = kind === 'source' ? 'Source' : 'Destination';
  const tags = [`${Kind}s`];
  const one = { description: `the ${kind}, secrets masked`, ...actor(kind) };

  app.post<{ Body: ActorInput }>(
    base,
    {
      schema: {
        operationId: `create${Kind}`,
        tags,
        summary: `Create a ${kind}: its configuration is checked against the connector's spec`,
        body: actorInput(kind, false),
        response: { 200: one, ...errors(400, 422) },
      },
    },
    (req) => answer(() => createActor(deps, kind, req.body)),
  );
  app.get<Page>(
    base,
    {
      schema: {
        operationId: `list${Kind}s`,
        tags,
        summary: `The ${kind}s, oldest first`,
        querystring: listQuery,
        response: { 200: listOf(actor(kind), `a page of ${kind}s`), ...errors(400) },
      },
    },
    async (req) => page(await listActorViews(deps, kind, req.query.limit, req.query.offset), base, req.query),
  );
  app.get<Id>(
    `${base}/:id`,
    {
      schema: {
        operationId: `get${Kind}`,
        tags,
        summary: `One ${kind}`,
        params: idParams,
        response: { 200: one, ...errors(404) },
      },
    },
    (req) => answer(() => getActorView(deps, kind, req.params.id)),
  );
  for (const method of ['PATCH', 'PUT'] as const) {
    app.route<Id & { Body: Partial<ActorInput> }>({
      method,
      url: `${base}/:id`,
      schema: {
        operationId: `${method === 'PATCH' ? 'update' : 'replace'}${Kind}`,
        tags,
        summary:
          method === 'PATCH'
            ? `Change a ${kind}'s name or configuration; a secret sent back as the mask keeps its value`
            : `Replace a ${kind}'s name and configuration; a secret sent back as the mask keeps its value`,
        params: idParams,
        body: actorInput(kind, method === 'PATCH'),
        response: { 200: one, ...errors(400, 404, 422) },
      },
      handler: (req) => answer(() => updateActorConfig(deps, kind, req.params.id, req.body)),
    });
  }
  app.delete<Id>(
    `${base}/:id`,
    {
      schema: {
        operationId: `delete${Kind}`,
        tags,
        summary: `Delete a ${kind} no connection uses`,
        params: idParams,
        response: { 204: { description: 'deleted', type: 'null' }, ...errors(404, 409) },
      },
    },
    async (req, reply) => {
      await answer(() => removeActor(deps, kind, req.params.id));
      return reply.code(204).send();
    },
  );
  app.post<Id>(
    `${base}/:id/check`,
    {
      schema: {
        operationId: `check${Kind}`,
        tags,
        summary: `Run the connector's check with the ${kind}'s configuration`,
        params: idParams,
        response: { 200: { description: 'what the connector said', ...checkResult }, ...errors(404, 422) },
      },
    },
    (req) => answer(() => checkActor(deps, kind, req.params.id)),
  );
  if (kind === 'source') {
    app.post<Id & { Querystring: { refresh?: boolean } }>(
      `${base}/:id/discover`,
      {
        schema: {
          operationId: 'discoverSource',
          tags,
          summary: "The source's streams: the cached catalog, or a fresh discover with refresh=true",
          params: idParams,
          querystring: object({ refresh: { type: 'boolean', default: false } }),
          response: { 200: { description: 'the catalog', ...discoverResult }, ...errors(404, 422) },
        },
      },
      (req) => answer(() => discoverSource(deps, req.params.id, req.query.refresh === true)),
    );
  }
}

function registerConnectionRoutes(app: FastifyInstance, deps: ResourceDeps): void {
  const base = '/api/v1/connections';
  const tags = ['Connections'];
  const one = { description: 'the connection', ...connection };

  app.post<{ Body: ConnectionInput }>(
    base,
    {
      schema: {
        operationId: 'createConnection',
        tags,
        summary: 'Connect a source to a destination; it runs as a flow in namespace sluice.connections',
        body: connectionInput,
        response: { 200: one, ...errors(400, 404, 422) },
      },
    },
    (req) => answer(() => createConnection(deps, req.body)),
  );
  app.get<Page>(
    base,
    {
      schema: {
        operationId: 'listConnections',
        tags,
        summary: 'The connections, oldest first',
        querystring: listQuery,
        response: { 200: listOf(connection, 'a page of connections'), ...errors(400) },
      },
    },
    async (req) => page(await listConnectionViews(deps, req.query.limit, req.query.offset), base, req.query),
  );
  app.get<Id>(
    `${base}/:id`,
    {
      schema: {
        operationId: 'getConnection',
        tags,
        summary: 'One connection',
        params: idParams,
        response: { 200: one, ...errors(404) },
      },
    },
    (req) => answer(() => getConnectionView(deps, req.params.id)),
  );
  app.patch<Id & { Body: Partial<ConnectionInput> }>(
    `${base}/:id`,
    {
      schema: {
        operationId: 'updateConnection',
        tags,
        summary: 'Change a connection: streams, schedule, namespace, status',
        params: idParams,
        body: connectionPatch,
        response: { 200: one, ...errors(400, 404, 422) },
      },
    },
    (req) => answer(() => updateConnection(deps, req.params.id, req.body)),
  );
  app.delete<Id>(
    `${base}/:id`,
    {
      schema: {
        operationId: 'deleteConnection',
        tags,
        summary: 'Delete a connection and the flow it runs as (its past jobs stay)',
        params: idParams,
        response: { 204: { description: 'deleted', type: 'null' }, ...errors(404) },
      },
    },
    async (req, reply) => {
      await answer(() => removeConnection(deps, req.params.id));
      return reply.code(204).send();
    },
  );
  app.get<Id>(
    `${base}/:id/state`,
    {
      schema: {
        operationId: 'getConnectionState',
        tags,
        summary: "The state the connection's next sync starts from (acknowledged by the destination)",
        params: idParams,
        response: { 200: { description: 'the state', ...connectionStateView }, ...errors(404) },
      },
    },
    (req) => answer(() => connectionState(deps, req.params.id)),
  );
  app.post<Id & { Body: { streams?: StreamDescriptor[] } }>(
    `${base}/:id/state/reset`,
    {
      schema: {
        operationId: 'resetConnectionState',
        tags,
        summary: 'Forget the state of some streams (or all): their next sync reads from the start',
        params: idParams,
        body: stateReset,
        response: { 200: { description: 'the state left', ...connectionStateView }, ...errors(400, 404) },
      },
    },
    (req) => answer(() => resetConnectionState(deps, req.params.id, req.body?.streams)),
  );
}

type ConnectionStream = { streamName: string; streamNamespace?: string };
const descriptors = (streams: ConnectionStream[] = []): StreamDescriptor[] =>
  streams.map((s) =>
    s.streamNamespace === undefined
      ? { name: s.streamName }
      : { name: s.streamName, namespace: s.streamNamespace },
  );

/** Airbyte's config-API routes for refreshing and clearing streams: each starts a job. */
function registerStreamJobRoutes(app: FastifyInstance, deps: ResourceDeps): void {
  const tags = ['Connections'];
  const started = { 200: { description: 'the job started', ...job }, ...errors(400, 404, 409, 422) };
  app.post<{ Body: { connectionId: string; refreshMode?: string; streams?: ConnectionStream[] } }>(
    '/api/v1/connections/refresh',
    {
      schema: {
        operationId: 'refreshConnectionStream',
        tags,
        summary:
          'Read some streams (or all) again from the start: truncate keeps only the new copy, merge keeps what the destination had too',
        body: streamRefreshInput,
        response: started,
      },
    },
    (req) =>
      answer(() =>
        createJob(deps, req.body.connectionId, 'refresh', {
          streams: descriptors(req.body.streams),
          refreshType: (req.body.refreshMode ?? 'truncate').toLowerCase() as RefreshType,
        }),
      ),
  );
  app.post<{ Body: { sourceId: string; connectionId: string } }>(
    '/api/v1/sources/discover_schema',
    {
      schema: {
        operationId: 'discoverSchemaForConnection',
        tags,
        summary:
          "Discover the source's schema now and compare it with the connection's: changes are applied as its nonBreakingSchemaUpdatesBehavior says, a breaking one pauses it",
        body: {
          ...object(
            {
              sourceId: { type: 'string' },
              connectionId: { type: 'string' },
              disable_cache: { type: 'boolean' },
            },
            ['connectionId'],
          ),
          additionalProperties: false,
        },
        response: {
          200: { description: 'the catalog and the diff', ...schemaReviewView },
          ...errors(400, 404, 422),
        },
      },
    },
    (req) =>
      answer(async () => {
        const result = await discoverSchemaForConnection(deps, req.body.connectionId);
        const sourceId = (result.connection as { sourceId: string }).sourceId;
        if (req.body.sourceId !== undefined && req.body.sourceId !== sourceId) {
          throw new ResourceError(
            422,
            `connection ${req.body.connectionId} does not read source ${req.body.sourceId}`,
          );
        }
        return result;
      }),
  );
  for (const path of ['clear', 'reset'] as const) {
    app.post<{ Body: { connectionId: string; streams: ConnectionStream[] } }>(
      `/api/v1/connections/${path}/stream`,
      {
        schema: {
          operationId: path === 'clear' ? 'clearConnectionStream' : 'resetConnectionStream',
          tags,
          summary: 'Empty some streams in the destination and forget their state',
          body: streamClearInput,
          response: started,
        },
      },
      (req) =>
        answer(() =>
          createJob(deps, req.body.connectionId, 'clear', { streams: descriptors(req.body.streams) }),
        ),
    );
  }
}

function registerJobRoutes(app: FastifyInstance, deps: ResourceDeps): void {
  const base = '/api/v1/jobs';
  const tags = ['Jobs'];
  const one = { description: 'the job', ...job };

  app.post<{ Body: { connectionId: string; jobType: JobType } }>(
    base,
    {
      schema: {
        operationId: 'createJob',
        tags,
        summary: 'Start a sync, reset, refresh or clear of a connection',
        body: jobInput,
        response: { 200: one, ...errors(400, 404, 409) },
      },
    },
    (req) => answer(() => createJob(deps, req.body.connectionId, req.body.jobType)),
  );
  app.get<{ Querystring: { connectionId?: string; limit: number; offset: number } }>(
    base,
    {
      schema: {
        operationId: 'listJobs',
        tags,
        summary: 'Jobs, newest first',
        querystring: {
          ...listQuery,
          properties: { ...(listQuery.properties as object), connectionId: text('one connection') },
        },
        response: { 200: listOf(job, 'a page of jobs'), ...errors(400) },
      },
    },
    async (req) => page(await listJobs(deps, req.query), base, req.query),
  );
  app.get<Id>(
    `${base}/:id`,
    {
      schema: {
        operationId: 'getJob',
        tags,
        summary: 'One job, with its attempts and their logs',
        params: idParams,
        response: { 200: one, ...errors(404) },
      },
    },
    (req) => answer(() => getJob(deps, req.params.id)),
  );
  app.delete<Id>(
    `${base}/:id`,
    {
      schema: {
        operationId: 'cancelJob',
        tags,
        summary: 'Cancel a running job',
        params: idParams,
        response: { 200: one, ...errors(404, 409) },
      },
    },
    (req) => answer(() => cancelJob(deps, req.params.id)),
  );
}
