// source-declarative-manifest: Airbyte's low-code connectors run in this process. As a command it
// takes the manifest under `__injected_declarative_manifest` in the config, as Airbyte's image does;
// a sync gives it the manifest itself (manifestSource), whose `spec` section is then the spec.
import type { Source } from '../../cdk/connector.js';
import { ConfigError } from '../../cdk/errors.js';
import type { MessageOutput } from '../../cdk/output.js';
import type { InputState } from '../../cdk/state.js';
import { validateConfig } from '../../protocol/config-validation.js';
import type {
  AirbyteCatalog,
  AirbyteConnectionStatus,
  AirbyteStream,
  ConfiguredAirbyteCatalog,
  ConnectorSpecification,
  JsonObject,
} from '../../protocol/messages.js';
import { type Manifest, prepareManifest } from './loader.js';
import { INJECTED_MANIFEST } from './manifest-key.js';
import type { Component } from './runtime/component.js';
import { startSession } from './runtime/session.js';
import { DeclarativeStream } from './runtime/stream.js';

/** The component types this runtime implements; any other fails check, discover and read. */
export const SUPPORTED_TYPES: ReadonlySet<string> = new Set([
  'DeclarativeSource',
  // a hint of how many streams may be read at once: reading one at a time honours it
  'ConcurrencyLevel',
  'Spec',
  'CheckStream',
  'DeclarativeStream',
  'SimpleRetriever',
  'HttpRequester',
  'RequestOption',
  'RequestPath',
  'RecordSelector',
  'DpathExtractor',
  'RecordFilter',
  'JsonDecoder',
  'InlineSchemaLoader',
  'JsonFileSchemaLoader',
  'DefaultPaginator',
  'NoPagination',
  'CursorPagination',
  'PageIncrement',
  'OffsetIncrement',
  'NoAuth',
  'BearerAuthenticator',
  'ApiKeyAuthenticator',
  'BasicHttpAuthenticator',
  'OAuthAuthenticator',
  'SessionTokenAuthenticator',
  'SelectiveAuthenticator',
  'DefaultErrorHandler',
  'CompositeErrorHandler',
  'HttpResponseFilter',
  'ConstantBackoffStrategy',
  'ExponentialBackoffStrategy',
  'WaitTimeFromHeader',
  'WaitUntilTimeFromHeader',
  'AddFields',
  'AddedFieldDefinition',
  'RemoveFields',
  'DatetimeBasedCursor',
  'MinMaxDatetime',
  'ListPartitionRouter',
  'SubstreamPartitionRouter',
  'ParentStreamConfig',
]);

/** Airbyte's source-declarative-manifest spec: the manifest comes inside the config. */
const GENERIC_SPEC: ConnectorSpecification = {
  documentationUrl: 'https://docs.airbyte.com/connector-development/config-based/low-code-cdk-overview',
  connectionSpecification: {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'Low-code source',
    type: 'object',
    required: [INJECTED_MANIFEST],
    additionalProperties: true,
    properties: {
      [INJECTED_MANIFEST]: {
        title: 'Low-code manifest',
        type: 'object',
        description: 'The declarative manifest (Airbyte low-code YAML, as a map) that defines the source.',
      },
    },
  },
};

/** A manifest's runtime: its streams built against one config. */
class ManifestRuntime {
  constructor(readonly manifest: Manifest) {}

  spec(): ConnectorSpecification {
    const spec = this.manifest.spec as Component | undefined;
    if (!spec) return GENERIC_SPEC;
    return {
      ...(spec.documentation_url ? { documentationUrl: String(spec.documentation_url) } : {}),
      connectionSpecification: spec.connection_specification as JsonObject,
      ...(spec.advanced_auth ? { advanced_auth: spec.advanced_auth as JsonObject } : {}),
    } as ConnectorSpecification;
  }

  /** The config checked against the manifest's own spec, its defaults applied. */
  config(config: JsonObject): JsonObject {
    const spec = this.manifest.spec as Component | undefined;
    if (!spec) return config;
    const result = validateConfig(spec.connection_specification as JsonObject, config);
    if (!result.ok) throw new ConfigError(`invalid configuration: ${result.errors.join('; ')}`);
    return result.config;
  }

  streams(config: JsonObject): DeclarativeStream[] {
    const defs = (this.manifest.streams as Component[] | undefined) ?? [];
    return defs.map((d) => new DeclarativeStream(d, config));
  }

  async check(config: JsonObject): Promise<AirbyteConnectionStatus> {
    const valid = this.config(config);
    const check = this.manifest.check as Component;
    if (check.type !== 'CheckStream') throw new ConfigError(`check: ${check.type} is not supported`);
    const streams = this.streams(valid);
    for (const name of (check.stream_names as string[]) ?? []) {
      const stream = streams.find((s) => s.name === name);
      if (!stream) return { status: 'FAILED', message: `check: no stream named ${name} in the manifest` };
      try {
        await stream.read({ record: () => undefined, state: () => undefined }, { limit: 1 });
      } catch (error) {
        // the CDK's CheckStream reports any failure to read as FAILED
        return {
          status: 'FAILED',
          message: `Unable to connect to stream ${name} - ${(error as Error).message}`,
        };
      }
    }
    return { status: 'SUCCEEDED' };
  }

  discover(config: JsonObject): AirbyteCatalog {
    const streams = this.streams(this.config(config)).map((s): AirbyteStream => {
      const cursor = s.cursorField();
      const pk = s.primaryKey();
      return {
        name: s.name,
        json_schema: s.schema() as JsonObject,
        supported_sync_modes: cursor ? ['full_refresh', 'incremental'] : ['full_refresh'],
        ...(cursor ? { source_defined_cursor: true, default_cursor_field: [cursor] } : {}),
        ...(pk ? { source_defined_primary_key: pk } : {}),
        is_resumable: Boolean(cursor),
      } as AirbyteStream;
    });
    return { streams };
  }

  async read(
    config: JsonObject,
    catalog: ConfiguredAirbyteCatalog,
    state: InputState,
    out: MessageOutput,
    injected?: JsonObject,
  ): Promise<void> {
    const valid = this.config(config);
    // a rotated single-use refresh token: the whole config goes to the platform to store (CONTROL)
    startSession(valid, (changed) =>
      out.message({
        type: 'CONTROL',
        control: {
          type: 'CONNECTOR_CONFIG',
          emitted_at: Date.now(),
          connectorConfig: { config: { ...(changed as JsonObject), ...(injected ?? {}) } },
        },
      }),
    );
    const streams = this.streams(valid);
    for (const configured of catalog.streams) {
      const name = configured.stream.name;
      const stream = streams.find((s) => s.name === name);
      if (!stream)
        throw new ConfigError(`the catalog asks for stream ${name}, which the manifest does not define`);
      const descriptor = { name };
      const incremental = configured.sync_mode === 'incremental' && stream.cursorField() !== undefined;
      await stream.read(
        {
          record: (data) => out.record(name, data as JsonObject),
          state: (s) => out.streamState(descriptor, s as JsonObject),
        },
        { incremental, state: incremental ? state.stream(descriptor) : undefined, signal: out.signal },
      );
    }
  }
}

function runtimeOf(manifest: unknown): ManifestRuntime {
  return new ManifestRuntime(prepareManifest(manifest, SUPPORTED_TYPES));
}

/** A source for one manifest: its spec is the manifest's own. */
export function manifestSource(manifest: unknown): Source {
  const runtime = runtimeOf(manifest);
  return {
    spec: () => runtime.spec(),
    check: (config) => runtime.check(config),
    discover: async (config) => runtime.discover(config),
    read: (config, catalog, state, out) => runtime.read(config, catalog, state, out),
  };
}

/** The generic source of Airbyte's image: the manifest in the config. */
export const declarativeManifestSource: Source = {
  spec: () => GENERIC_SPEC,
  async check(config) {
    let runtime: ManifestRuntime;
    try {
      runtime = injected(config);
    } catch (error) {
      return { status: 'FAILED', message: (error as Error).message };
    }
    return runtime.check(withoutManifest(config));
  },
  discover: async (config) => injected(config).discover(withoutManifest(config)),
  read: (config, catalog, state, out) =>
    injected(config).read(withoutManifest(config), catalog, state, out, {
      [INJECTED_MANIFEST]: config[INJECTED_MANIFEST]!,
    }),
};

function injected(config: JsonObject): ManifestRuntime {
  const manifest = config[INJECTED_MANIFEST];
  if (manifest === undefined) throw new ConfigError(`the config has no ${INJECTED_MANIFEST}`);
  return runtimeOf(manifest);
}

function withoutManifest(config: JsonObject): JsonObject {
  const { [INJECTED_MANIFEST]: _manifest, ...rest } = config;
  void _manifest;
  return rest;
}
