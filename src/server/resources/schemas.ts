// JSON Schemas of the Airbyte-style resources, with Airbyte's public-API field names.
import { type JsonSchema, object, text } from '../schemas/common.js';

const open = (properties: Record<string, JsonSchema>, required: string[] = []): JsonSchema => ({
  ...object(properties, required),
  additionalProperties: true,
});

export const idParams = object({ id: text('the resource id') }, ['id']);

/** Airbyte's paging: `limit` (default 20, at most 100) and `offset`. */
export const listQuery = object({
  limit: { type: 'integer', minimum: 1, maximum: 100, default: 20, description: 'items per page' },
  offset: { type: 'integer', minimum: 0, default: 0, description: 'items to skip' },
});

export const listOf = (items: JsonSchema, description: string): JsonSchema => ({
  description,
  ...object(
    { data: { type: 'array', items }, next: text('the next page'), previous: text('the previous page') },
    ['data'],
  ),
});

export const definition = open(
  {
    definitionId: text('`source-<name>` or `destination-<name>`'),
    name: text('what a source or destination names in its sourceType / destinationType'),
    kind: { type: 'string', enum: ['source', 'destination'] },
    builtIn: { type: 'boolean' },
    description: text('what it does'),
    command: { type: 'array', items: { type: 'string' }, description: 'the program, for a registered one' },
    declarativeManifest: { type: 'boolean', description: 'registered as an Airbyte declarative manifest' },
  },
  ['definitionId', 'name', 'kind', 'builtIn'],
);

/** Airbyte's ConnectorSpecification, named by the definition it belongs to. */
export const definitionSpecView = open(
  {
    definitionId: text('`source-<name>` or `destination-<name>`'),
    connectionSpecification: open({}),
    documentationUrl: text('where the connector is documented'),
    supportsIncremental: { type: 'boolean' },
    supported_destination_sync_modes: { type: 'array', items: { type: 'string' } },
  },
  ['definitionId', 'connectionSpecification'],
);

export const definitionInput = {
  ...object(
    {
      name: { type: 'string', pattern: '^[a-z0-9][a-z0-9_.-]*$', description: 'its name in configurations' },
      kind: { type: 'string', enum: ['source', 'destination'] },
      command: {
        type: 'array',
        items: { type: 'string', minLength: 1 },
        minItems: 1,
        description: 'the program and its first arguments; the Airbyte verb and files are appended',
      },
      manifest: {
        anyOf: [{ type: 'string' }, { type: 'object' }],
        description:
          'instead of a command: an Airbyte declarative manifest (YAML text or a map) for a source, run in process; its spec is the form',
      },
    },
    ['name', 'kind'],
  ),
  additionalProperties: false,
};

export function actor(kind: 'source' | 'destination'): JsonSchema {
  return open(
    {
      [`${kind}Id`]: text(`the ${kind} id`),
      name: text('its name'),
      [`${kind}Type`]: text('the connector definition'),
      configuration: open({}, []),
      createdAt: { type: 'string' },
      updatedAt: { type: 'string' },
    },
    [`${kind}Id`, 'name', `${kind}Type`, 'configuration'],
  );
}

export function actorInput(kind: 'source' | 'destination', partial: boolean): JsonSchema {
  return {
    ...object(
      {
        name: { type: 'string', minLength: 1 },
        configuration: {
          ...open(
            {
              [`${kind}Type`]: text('the connector: a built-in name such as `postgres`, or a registered one'),
            },
            partial ? [] : [`${kind}Type`],
          ),
          description: `the connector's configuration fields, with ${kind}Type; secrets sent back as the mask keep their value`,
        },
      },
      partial ? [] : ['name', 'configuration'],
    ),
    additionalProperties: false,
  };
}

export const checkResult = object(
  { status: { type: 'string', enum: ['succeeded', 'failed'] }, message: { type: ['string', 'null'] } },
  ['status'],
);

export const discoverResult = object(
  {
    catalog: open({ streams: { type: 'array', items: open({}) } }, ['streams']),
    cached: { type: 'boolean' },
    discoveredAt: { type: ['string', 'null'] },
  },
  ['catalog', 'cached'],
);

const streamSetting = {
  ...object(
    {
      name: { type: 'string', minLength: 1 },
      namespace: { type: 'string' },
      syncMode: {
        type: 'string',
        enum: [
          'full_refresh_overwrite',
          'full_refresh_append',
          'incremental_append',
          'incremental_deduped_history',
        ],
      },
      cursorField: { type: 'array', items: { type: 'string' } },
      primaryKey: { type: 'array', items: { type: 'array', items: { type: 'string' } } },
    },
    ['name'],
  ),
  additionalProperties: false,
};

const connectionSettings = {
  configurations: {
    ...object({ streams: { type: 'array', items: streamSetting } }),
    additionalProperties: false,
    description: 'the streams to sync; none = every stream of the source, full_refresh_overwrite',
  },
  schedule: {
    ...object(
      {
        scheduleType: { type: 'string', enum: ['manual', 'cron'] },
        cronExpression: text('Quartz-style (seconds first) or 5-field cron'),
      },
      ['scheduleType'],
    ),
    additionalProperties: false,
  },
  namespaceDefinition: { type: 'string', enum: ['source', 'destination', 'custom_format'] },
  namespaceFormat: text('for custom_format; ${SOURCE_NAMESPACE} stands for the source namespace'),
  prefix: text('put before every stream name in the destination'),
  status: { type: 'string', enum: ['active', 'inactive'] },
  nonBreakingSchemaUpdatesBehavior: {
    type: 'string',
    enum: ['ignore', 'disable_connection', 'propagate_columns', 'propagate_fully'],
    description:
      "what a sync does when the source's schema changed without breaking the connection (default ignore)",
  },
};

export const connection = open(
  {
    connectionId: text('the connection id'),
    name: { type: 'string' },
    sourceId: { type: 'string' },
    destinationId: { type: 'string' },
    ...connectionSettings,
    breakingChange: { type: 'boolean', description: 'a schema change broke the connection: it is paused' },
    statusReason: { type: 'string', description: 'why the connection is inactive, when Sluice paused it' },
    schemaChange: { type: 'string', enum: ['no_change', 'non_breaking', 'breaking'] },
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' },
  },
  ['connectionId', 'name', 'sourceId', 'destinationId', 'schedule', 'status'],
);

export const connectionInput = {
  ...object(
    {
      name: { type: 'string', minLength: 1 },
      sourceId: { type: 'string' },
      destinationId: { type: 'string' },
      ...connectionSettings,
    },
    ['sourceId', 'destinationId'],
  ),
  additionalProperties: false,
};

export const connectionPatch = {
  ...object({ name: { type: 'string', minLength: 1 }, ...connectionSettings }),
  additionalProperties: false,
};

export const connectionStateView = open(
  {
    connectionId: { type: 'string' },
    stateType: { type: 'string', enum: ['not_set', 'legacy', 'stream', 'global'] },
    state: {},
    generations: {
      type: 'array',
      description: "each stream's current generation (0 for a stream never refreshed or cleared)",
      items: open({
        streamName: { type: 'string' },
        streamNamespace: { type: 'string' },
        generationId: { type: 'integer' },
      }),
    },
  },
  ['connectionId', 'stateType'],
);

export const stateReset = {
  ...object({
    streams: {
      type: 'array',
      items: {
        ...object({ name: { type: 'string' }, namespace: { type: 'string' } }, ['name']),
        additionalProperties: false,
      },
      description: 'the streams whose state to forget; none = all',
    },
  }),
  additionalProperties: false,
};

export const job = open(
  {
    jobId: text('the job id (the id of the execution it is)'),
    status: {
      type: 'string',
      enum: ['pending', 'running', 'incomplete', 'failed', 'succeeded', 'cancelled'],
    },
    jobType: { type: 'string', enum: ['sync', 'reset', 'refresh', 'clear'] },
    connectionId: { type: 'string' },
    startTime: { type: ['string', 'null'] },
    lastUpdatedAt: { type: ['string', 'null'] },
    duration: { type: ['string', 'null'], description: 'ISO-8601' },
    rowsSynced: { type: 'integer' },
    bytesSynced: { type: 'integer' },
    streams: open({}),
    attemptCount: { type: 'integer', description: 'attempts so far (a failed sync is tried again)' },
    attempts: {
      type: 'array',
      items: open({
        attempt: { type: 'integer', description: 'from 1' },
        id: { type: 'integer', description: "Airbyte's attempt number, from 0" },
        status: { type: 'string', enum: ['pending', 'running', 'failed', 'succeeded', 'cancelled'] },
        state: { type: 'string', description: 'the state of the task run attempt behind it' },
        createdAt: { type: ['string', 'null'] },
        endedAt: { type: ['string', 'null'] },
        recordsSynced: { type: 'integer', description: 'records the destination committed in this attempt' },
        bytesSynced: { type: 'integer' },
        failureSummary: {
          type: ['object', 'null'],
          additionalProperties: true,
          properties: {
            failures: {
              type: 'array',
              items: open({
                failureOrigin: { type: 'string', enum: ['source', 'destination', 'replication'] },
                failureType: { type: 'string', description: 'config_error, system_error or transient_error' },
                externalMessage: { type: 'string' },
                retryable: { type: 'boolean' },
                timestamp: { type: ['string', 'null'] },
              }),
            },
            partialSuccess: {
              type: 'boolean',
              description: 'some records were committed before the failure',
            },
          },
        },
        logs: {
          type: 'array',
          items: open({
            timestamp: { type: 'string' },
            level: { type: 'string' },
            message: { type: 'string' },
          }),
        },
      }),
    },
  },
  ['jobId', 'status', 'jobType', 'connectionId', 'rowsSynced', 'bytesSynced'],
);

export const jobInput = {
  ...object(
    {
      connectionId: { type: 'string' },
      jobType: { type: 'string', enum: ['sync', 'reset', 'refresh', 'clear'] },
    },
    ['connectionId', 'jobType'],
  ),
  additionalProperties: false,
};

/** Airbyte's ConnectionStream: one stream of a connection, in the config API's names. */
const connectionStream = {
  ...object({ streamName: { type: 'string', minLength: 1 }, streamNamespace: { type: 'string' } }, [
    'streamName',
  ]),
  additionalProperties: false,
};

/** Airbyte's ConnectionStreamRefreshRequestBody (POST /connections/refresh). */
export const streamRefreshInput = {
  ...object(
    {
      connectionId: { type: 'string' },
      // Airbyte's generated clients send the enum's values in lower case; its docs write them capitalised
      refreshMode: { type: 'string', enum: ['truncate', 'merge', 'Truncate', 'Merge', 'TRUNCATE', 'MERGE'] },
      streams: { type: 'array', items: connectionStream, description: 'none = every stream' },
    },
    ['connectionId'],
  ),
  additionalProperties: false,
};

/** Airbyte's ConnectionStreamRequestBody (POST /connections/clear/stream, /connections/reset/stream). */
export const streamClearInput = {
  ...object(
    {
      connectionId: { type: 'string' },
      streams: { type: 'array', items: connectionStream, minItems: 1 },
    },
    ['connectionId', 'streams'],
  ),
  additionalProperties: false,
};

/** Airbyte's SourceDiscoverSchemaRead for a connection: the catalog, the diff, what was applied. */
export const schemaReviewView = open(
  {
    catalog: open({ streams: { type: 'array', items: open({}) } }, ['streams']),
    catalogDiff: open({ transforms: { type: 'array', items: open({}) } }, ['transforms']),
    breakingChange: { type: 'boolean' },
    schemaChange: { type: 'string', enum: ['no_change', 'non_breaking', 'breaking'] },
    appliedChanges: { type: 'array', items: { type: 'string' } },
    connectionStatus: { type: 'string', enum: ['active', 'inactive'] },
    connection: open({}),
  },
  ['catalog', 'catalogDiff', 'breakingChange', 'schemaChange', 'connectionStatus'],
);
