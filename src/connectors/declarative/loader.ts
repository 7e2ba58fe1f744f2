// A manifest as the CDK prepares it before building components: YAML read, references resolved
// (`$ref` keys and "#/..." strings), default types given and `$parameters` pushed down
// (parsers/manifest_reference_resolver.py, manifest_component_transformer.py), then validated against
// the shipped schema, and every component type checked against what this runtime implements.
import { parse } from 'yaml';
import { ConfigError } from '../../cdk/errors.js';
import { componentTypes, schemaErrors } from './schema.js';

export type Manifest = Record<string, unknown>;

export class ManifestError extends ConfigError {}

const REF = '$ref';
const PARAMETERS = '$parameters';

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** Reads a manifest given as YAML text or as a map. */
export function manifestFrom(input: unknown): Manifest {
  let value = input;
  if (typeof input === 'string') {
    try {
      // PyYAML, which the CDK reads manifests with, lets a repeated key replace the earlier one
      value = parse(input, { uniqueKeys: false });
    } catch (error) {
      throw new ManifestError(`the manifest is not YAML: ${(error as Error).message}`);
    }
  }
  if (!isObject(value)) throw new ManifestError('the manifest must be a YAML map');
  return value;
}

/** The manifest resolved, typed, parameters propagated and validated: what components are built from. */
export function prepareManifest(input: unknown, supported: ReadonlySet<string>): Manifest {
  const raw = manifestFrom(input);
  // the CDK gives a manifest without a type its only possible one (_fix_source_type)
  const resolved = { type: 'DeclarativeSource', ...(resolveReferences(raw) as Manifest) };
  const prepared = propagate('', resolved, {}) as Manifest;
  checkVersion(prepared);
  const errors = schemaErrors(prepared);
  if (errors.length)
    throw new ManifestError(
      `the manifest does not follow Airbyte's declarative schema: ${errors.join('; ')}`,
    );
  const unsupported = unsupportedComponent(prepared, supported) ?? unsupportedOption(prepared);
  if (unsupported) throw new ManifestError(unsupported);
  return prepared;
}

function checkVersion(manifest: Manifest): void {
  const version = manifest.version;
  if (typeof version !== 'string' || !/^\d+\.\d+\.\d+/.test(version))
    throw new ManifestError(
      `version: expected the CDK version the manifest was written for (x.y.z), got ${JSON.stringify(version)}`,
    );
  // the CDK refuses manifests older than its low-code 0.29 format, and so does this runtime
  const [major, minor] = version.split('.').map(Number) as [number, number];
  if (major === 0 && minor < 29)
    throw new ManifestError(
      `version: ${version} predates the declarative format this runtime reads (0.29.0 and later)`,
    );
}

// ---------------------------------------------------------------- references
function readRef(path: string, root: unknown): unknown {
  // a path segment may itself contain '/': the whole rest is tried as one key first, as the CDK does
  let node = root;
  let rest = path;
  while (rest) {
    if (isObject(node) && Object.prototype.hasOwnProperty.call(node, rest)) return node[rest];
    const slash = rest.indexOf('/');
    const head = slash === -1 ? rest : rest.slice(0, slash);
    rest = slash === -1 ? '' : rest.slice(slash + 1);
    if (Array.isArray(node) && /^\d+$/.test(head)) node = node[Number(head)];
    else if (isObject(node) && Object.prototype.hasOwnProperty.call(node, head)) node = node[head];
    else node = undefined;
    if (node === undefined) throw new ManifestError(`undefined reference #/${path}`);
  }
  return node;
}

export function resolveReferences(manifest: unknown): unknown {
  const visiting = new Set<string>();
  const follow = (ref: string): unknown => {
    if (visiting.has(ref)) throw new ManifestError(`circular reference ${ref}`);
    visiting.add(ref);
    try {
      return walk(readRef(ref.slice(2), manifest));
    } finally {
      visiting.delete(ref);
    }
  };
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string' && node.startsWith('#/')) return follow(node);
    if (Array.isArray(node)) return node.map(walk);
    if (!isObject(node)) return node;
    const own: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) if (k !== REF) own[k] = walk(v);
    if (!(REF in node)) return own;
    const ref = node[REF];
    const target = typeof ref === 'string' && ref.startsWith('#/') ? follow(ref) : walk(ref);
    // the node's own keys win over the referenced component's
    return isObject(target) ? { ...structuredClone(target), ...own } : target;
  };
  return walk(manifest);
}

// ---------------------------------------------------------------- types and $parameters
const DEFAULT_TYPES: Record<string, string> = {
  'CompositeErrorHandler.error_handlers': 'DefaultErrorHandler',
  'CursorPagination.decoder': 'JsonDecoder',
  'DatetimeBasedCursor.end_datetime': 'MinMaxDatetime',
  'DatetimeBasedCursor.end_time_option': 'RequestOption',
  'DatetimeBasedCursor.start_datetime': 'MinMaxDatetime',
  'DatetimeBasedCursor.start_time_option': 'RequestOption',
  'DeclarativeSource.check': 'CheckStream',
  'DeclarativeSource.spec': 'Spec',
  'DeclarativeSource.streams': 'DeclarativeStream',
  'DeclarativeStream.retriever': 'SimpleRetriever',
  'DeclarativeStream.schema_loader': 'JsonFileSchemaLoader',
  'DynamicDeclarativeStream.stream_template': 'DeclarativeStream',
  'DynamicDeclarativeStream.components_resolver': 'ConfigComponentResolver',
  'HttpComponentsResolver.retriever': 'SimpleRetriever',
  'HttpComponentsResolver.components_mapping': 'ComponentMappingDefinition',
  'ConfigComponentsResolver.stream_config': 'StreamConfig',
  'ConfigComponentsResolver.components_mapping': 'ComponentMappingDefinition',
  'DefaultErrorHandler.response_filters': 'HttpResponseFilter',
  'DefaultPaginator.decoder': 'JsonDecoder',
  'DefaultPaginator.page_size_option': 'RequestOption',
  'DpathExtractor.decoder': 'JsonDecoder',
  'DpathExtractor.record_expander': 'RecordExpander',
  'HttpRequester.error_handler': 'DefaultErrorHandler',
  'ListPartitionRouter.request_option': 'RequestOption',
  'ParentStreamConfig.request_option': 'RequestOption',
  'ParentStreamConfig.stream': 'DeclarativeStream',
  'RecordSelector.extractor': 'DpathExtractor',
  'RecordSelector.record_filter': 'RecordFilter',
  'SimpleRetriever.paginator': 'NoPagination',
  'SimpleRetriever.record_selector': 'RecordSelector',
  'SimpleRetriever.requester': 'HttpRequester',
  'SubstreamPartitionRouter.parent_stream_configs': 'ParentStreamConfig',
  'AddFields.fields': 'AddedFieldDefinition',
  'CustomPartitionRouter.parent_stream_configs': 'ParentStreamConfig',
  'DynamicSchemaLoader.retriever': 'SimpleRetriever',
  'SchemaTypeIdentifier.types_map': 'TypesMap',
};

const CUSTOM_TYPES: Record<string, string> = {
  'CompositeErrorHandler.backoff_strategies': 'CustomBackoffStrategy',
  'DeclarativeStream.retriever': 'CustomRetriever',
  'DeclarativeStream.transformations': 'CustomTransformation',
  'DefaultErrorHandler.backoff_strategies': 'CustomBackoffStrategy',
  'DefaultPaginator.pagination_strategy': 'CustomPaginationStrategy',
  'HttpRequester.authenticator': 'CustomAuthenticator',
  'HttpRequester.error_handler': 'CustomErrorHandler',
  'RecordSelector.extractor': 'CustomRecordExtractor',
  'SimpleRetriever.partition_router': 'CustomPartitionRouter',
};

const isJsonSchemaObject = (c: Record<string, unknown>) =>
  c.type === 'object' ||
  (Array.isArray(c.type) && c.type.length === 2 && c.type[0] === 'null' && c.type[1] === 'object');

/** ManifestComponentTransformer.propagate_types_and_parameters. */
function propagate(
  fieldId: string,
  component: Record<string, unknown>,
  parentParams: Record<string, unknown>,
): unknown {
  const out: Record<string, unknown> = { ...component };
  if (!('type' in out)) {
    const found = 'class_name' in out ? CUSTOM_TYPES[fieldId] : DEFAULT_TYPES[fieldId];
    if (found) out.type = found;
  }
  const own = isObject(out[PARAMETERS]) ? (out[PARAMETERS] as Record<string, unknown>) : {};
  delete out[PARAMETERS];
  const params: Record<string, unknown> = { ...parentParams, ...own };
  if (isJsonSchemaObject(out)) return out;
  if (!('type' in out)) {
    // a plain object: components nested in it (QueryProperties in request_parameters…) still get them
    for (const [k, v] of Object.entries(out)) {
      if (isObject(v) && 'type' in v) out[k] = propagate(`${fieldId}.${k}`, v, params);
    }
    return out;
  }
  for (const [k, v] of Object.entries(params)) out[k] = out[k] || v;
  const type = String(out.type);
  for (const [field, value] of Object.entries(out)) {
    // a parameter named as the field would feed the field into itself
    const inner = { ...params };
    delete inner[field];
    if (isObject(value)) out[field] = propagate(`${type}.${field}`, value, inner);
    else if (Array.isArray(value))
      out[field] = value.map((element) =>
        isObject(element) ? propagate(`${type}.${field}`, element, inner) : element,
      );
  }
  if (Object.keys(params).length) out[PARAMETERS] = params;
  return out;
}

// ---------------------------------------------------------------- support
/** The first component (in manifest order) this runtime cannot run, as "<json path>: <type> is not
 * supported", or undefined. */
export function unsupportedComponent(manifest: Manifest, supported: ReadonlySet<string>): string | undefined {
  const known = componentTypes();
  const visit = (node: unknown, path: string[]): string | undefined => {
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const found = visit(node[i], [...path, String(i)]);
        if (found) return found;
      }
      return undefined;
    }
    if (!isObject(node)) return undefined;
    const type = node.type;
    if (typeof type === 'string' && (known.has(type) || type.startsWith('Custom')) && !supported.has(type))
      return `${path.join('.') || '(root)'}: ${type} is not supported`;
    for (const [k, v] of Object.entries(node)) {
      // data, not components: JSON schemas, the spec, $parameters, definitions only referenced
      if (
        k === PARAMETERS ||
        k === 'definitions' ||
        k === 'schema' ||
        k === 'connection_specification' ||
        k === 'schemas'
      )
        continue;
      const found = visit(v, [...path, k]);
      if (found) return found;
    }
    return undefined;
  };
  return visit(manifest, []);
}

/** Options of supported components that this runtime does not implement yet, by JSON path. */
function unsupportedOption(manifest: Manifest): string | undefined {
  const streams = Array.isArray(manifest.streams) ? manifest.streams : [];
  for (const [i, stream] of streams.entries()) {
    if (!isObject(stream)) continue;
    const cursor = stream.incremental_sync;
    if (isObject(cursor))
      for (const option of ['clamping'])
        if (cursor[option]) return `streams.${i}.incremental_sync.${option} is not supported`;
  }
  return undefined;
}
