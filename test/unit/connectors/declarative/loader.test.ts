import { describe, expect, it } from 'vitest';
import { prepareManifest, resolveReferences } from '../../../../src/connectors/declarative/loader.js';

const ALL = new Set([
  'DeclarativeSource',
  'CheckStream',
  'DeclarativeStream',
  'SimpleRetriever',
  'HttpRequester',
  'RecordSelector',
  'DpathExtractor',
  'InlineSchemaLoader',
  'NoPagination',
  'Spec',
]);

const manifest = (paginator: string) => `
version: 6.44.0
type: DeclarativeSource
check:
  stream_names: [things]
definitions:
  base:
    type: DeclarativeStream
    $parameters:
      name: things
      path: /things
    retriever:
      type: SimpleRetriever
      requester:
        url_base: "{{ config['base_url'] }}"
      record_selector:
        extractor:
          field_path: [data]
${paginator}
    schema_loader:
      type: InlineSchemaLoader
      schema: "#/definitions/schema"
  schema:
    type: object
    properties:
      id: { type: string }
streams:
  - $ref: "#/definitions/base"
    primary_key: [id]
spec:
  connection_specification:
    type: object
    properties:
      base_url: { type: string }
`;

describe('manifest loading', () => {
  it('resolves references, gives default types and pushes $parameters down', () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a walk through nested manifest data
    const m = prepareManifest(manifest(''), ALL) as any;
    const stream = m.streams[0];
    expect(stream.type).toBe('DeclarativeStream');
    expect(stream.name).toBe('things');
    expect(stream.primary_key).toEqual(['id']);
    expect(stream.retriever.type).toBe('SimpleRetriever');
    expect(stream.retriever.requester.type).toBe('HttpRequester');
    expect(stream.retriever.requester.path).toBe('/things');
    expect(stream.retriever.requester.$parameters).toEqual({ name: 'things', path: '/things' });
    expect(stream.retriever.record_selector.extractor.type).toBe('DpathExtractor');
    expect(stream.schema_loader.schema).toEqual({ type: 'object', properties: { id: { type: 'string' } } });
    expect(m.check.type).toBe('CheckStream');
    expect(m.spec.type).toBe('Spec');
  });

  it('refuses a component it does not implement, naming its JSON path', () => {
    const text = manifest(`      partition_router:
        type: CustomPartitionRouter
        class_name: source_x.components.Accounts`);
    expect(() => prepareManifest(text, ALL)).toThrow(
      'streams.0.retriever.partition_router: CustomPartitionRouter is not supported',
    );
  });

  it('names a known component type that is not supported by its path', () => {
    const text = manifest(`      paginator:
        type: DefaultPaginator
        pagination_strategy:
          type: PageIncrement
          page_size: 10`);
    expect(() => prepareManifest(text, ALL)).toThrow(
      'streams.0.retriever.paginator: DefaultPaginator is not supported',
    );
  });

  it('reports what does not follow the schema', () => {
    const text = manifest('').replace('field_path: [data]', 'field_path: 12');
    expect(() => prepareManifest(text, ALL)).toThrow(/field_path/);
  });

  it('reports a reference to nothing and a circular one', () => {
    expect(() => resolveReferences({ a: '#/nope' })).toThrow('undefined reference #/nope');
    expect(() => resolveReferences({ a: { $ref: '#/b' }, b: { $ref: '#/a' } })).toThrow(/circular/);
  });

  it('refuses a manifest without a version', () => {
    expect(() => prepareManifest(manifest('').replace('version: 6.44.0', ''), ALL)).toThrow(/version/);
  });
});

describe('manifest loading, as the CDK reads YAML', () => {
  it('lets a repeated key replace the earlier one and gives the root its type', () => {
    const text = manifest('')
      .replace('type: DeclarativeSource\n', '')
      .replace('version: 6.44.0', 'version: 1.0.0\nversion: 6.44.0');
    const m = prepareManifest(text, ALL);
    expect(m.type).toBe('DeclarativeSource');
    expect(m.version).toBe('6.44.0');
  });

  it('refuses an option not implemented (clamping), naming its JSON path', () => {
    const text = manifest('').replace(
      '    schema_loader:',
      `    incremental_sync:
      type: DatetimeBasedCursor
      cursor_field: updated_at
      datetime_format: "%Y-%m-%d"
      start_datetime: "2024-01-01"
      clamping: { target: DAY }
    schema_loader:`,
    );
    const all = new Set([...ALL, 'DatetimeBasedCursor', 'MinMaxDatetime']);
    expect(() => prepareManifest(text, all)).toThrow('streams.0.incremental_sync.clamping is not supported');
  });
});
