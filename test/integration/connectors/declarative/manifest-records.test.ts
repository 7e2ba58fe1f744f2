import { afterEach, describe, expect, it } from 'vitest';
import { type MockApi, mockApi } from './mock-api.js';
import { read } from './read.js';

let api: MockApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

function manifest(selectorExtra: string): string {
  return `
version: 6.44.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [rows] }
streams:
  - type: DeclarativeStream
    name: rows
    retriever:
      type: SimpleRetriever
      requester: { type: HttpRequester, url_base: "{{ config.base_url }}", path: /rows }
      record_selector:
        type: RecordSelector
        extractor: { type: DpathExtractor, field_path: [data] }
${selectorExtra}
    transformations:
      - type: AddFields
        fields: [{ path: [kept], value: "{{ record.n != '2' }}" }]
    schema_loader:
      type: InlineSchemaLoader
      schema:
        type: object
        properties:
          n: { type: [integer, "null"] }
          label: { type: string }
          ok: { type: boolean }
          tags: { type: array, items: { type: string } }
          nested: { type: object, properties: { x: { type: number } } }
spec: { type: Spec, connection_specification: { type: object } }
`;
}

const DATA = [
  { n: '1', label: 7, ok: 'yes', tags: 'a', nested: { x: '1.5' } },
  { n: '2', label: null, ok: 0, tags: ['b'], nested: { x: 'nope' } },
  { n: 'x', label: { a: true } },
];

describe('record selector options', () => {
  it('schema_normalization Default converts each property to its schema type as Python does', async () => {
    api = await mockApi(() => ({ json: { data: DATA } }));
    const { out } = await read(manifest('        schema_normalization: Default'), { base_url: api.base }, [
      { name: 'rows' },
    ]);
    expect(out.records()).toEqual([
      { n: 1, label: '7', ok: true, tags: ['a'], nested: { x: 1.5 }, kept: true },
      { n: 2, label: 'None', ok: false, tags: ['b'], nested: { x: 'nope' }, kept: false },
      { n: 'x', label: "{'a': True}", kept: true },
    ]);
  });

  it('transform_before_filtering lets the filter see the transformed record', async () => {
    api = await mockApi(() => ({ json: { data: DATA } }));
    const filter = `        record_filter: { type: RecordFilter, condition: "{{ record.kept }}" }`;
    const after = await read(manifest(filter), { base_url: api.base }, [{ name: 'rows' }]);
    // the filter runs first by default: no record has `kept` yet
    expect(after.out.records()).toEqual([]);
    const before = await read(
      manifest(`${filter}\n        transform_before_filtering: true`),
      { base_url: api.base },
      [{ name: 'rows' }],
    );
    expect(before.out.records().map((r) => r.n)).toEqual(['1', 'x']);
  });
});
