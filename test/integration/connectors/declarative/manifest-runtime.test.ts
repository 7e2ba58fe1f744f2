import { afterEach, describe, expect, it } from 'vitest';
import { manifestSource } from '../../../../src/connectors/declarative/source.js';
import { type MockApi, mockApi } from './mock-api.js';
import { read } from './read.js';

let api: MockApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

/** A manifest with one stream `items` whose retriever parts are given as YAML (indented 6). */
function manifest(retriever: string, extra = '', streamExtra = ''): string {
  return `
version: 6.44.0
type: DeclarativeSource
check:
  type: CheckStream
  stream_names: [items]
definitions:
  requester:
    type: HttpRequester
    url_base: "{{ config['base_url'] }}"
    http_method: GET
    authenticator:
      type: BearerAuthenticator
      api_token: "{{ config['token'] }}"
streams:
  - type: DeclarativeStream
    name: items
    primary_key: [id]
    retriever:
      type: SimpleRetriever
${retriever}
    schema_loader:
      type: InlineSchemaLoader
      schema:
        type: object
${streamExtra}
${extra}
spec:
  type: Spec
  connection_specification:
    type: object
    required: [base_url]
    properties:
      base_url: { type: string }
      token: { type: string, airbyte_secret: true }
`;
}

const requester = (path: string, extra = '') => `      requester:
        $ref: "#/definitions/requester"
        path: ${path}
${extra ? `${extra}\n` : ''}`;
const selector = (field = 'data') => `      record_selector:
        type: RecordSelector
        extractor:
          type: DpathExtractor
          field_path: [${field}]`;

const ITEMS = Array.from({ length: 7 }, (_, i) => ({ id: i + 1, name: `item ${i + 1}` }));

describe('declarative manifest runtime against a loopback API', () => {
  it('pages with PageIncrement until a short page', async () => {
    api = await mockApi((req) => {
      const page = Number(req.query.page ?? 1);
      const size = Number(req.query.per_page);
      return { json: { data: ITEMS.slice((page - 1) * size, page * size) } };
    });
    const m = manifest(`${requester('/items')}${selector()}
      paginator:
        type: DefaultPaginator
        page_size_option: { type: RequestOption, inject_into: request_parameter, field_name: per_page }
        page_token_option: { type: RequestOption, inject_into: request_parameter, field_name: page }
        pagination_strategy: { type: PageIncrement, page_size: 3, start_from_page: 1 }`);
    const { code, out } = await read(m, { base_url: api.base, token: 't' }, [{ name: 'items' }]);
    expect(code).toBe(0);
    expect(out.records().map((r) => r.id)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    // without inject_on_first_request the first page goes without `page`
    expect(api.seen.map((r) => r.query)).toEqual([
      { per_page: '3' },
      { per_page: '3', page: '2' },
      { per_page: '3', page: '3' },
    ]);
    expect(api.seen.every((r) => r.headers.authorization === 'Bearer t')).toBe(true);
  });

  it('pages with OffsetIncrement, the offset growing by the records read', async () => {
    api = await mockApi((req) => {
      const offset = Number(req.query.offset ?? 0);
      return { json: { data: ITEMS.slice(offset, offset + Number(req.query.limit)) } };
    });
    const m = manifest(`${requester('/items')}${selector()}
      paginator:
        type: DefaultPaginator
        page_size_option: { type: RequestOption, inject_into: request_parameter, field_name: limit }
        page_token_option: { type: RequestOption, inject_into: request_parameter, field_name: offset }
        pagination_strategy: { type: OffsetIncrement, page_size: 4, inject_on_first_request: true }`);
    const { out } = await read(m, { base_url: api.base }, [{ name: 'items' }]);
    expect(out.records()).toHaveLength(7);
    expect(api.seen.map((r) => r.query.offset)).toEqual(['0', '4']);
  });

  it('follows CursorPagination with a next link (RequestPath) and stops on the stop condition', async () => {
    api = await mockApi((req) => {
      const after = Number(req.query.after ?? 0);
      const data = ITEMS.slice(after, after + 3);
      const next = after + 3 < ITEMS.length ? `${api!.base}/items?after=${after + 3}` : null;
      return { json: { data, links: { next } } };
    });
    const m = manifest(`${requester('/items')}${selector()}
      paginator:
        type: DefaultPaginator
        page_token_option: { type: RequestPath }
        pagination_strategy:
          type: CursorPagination
          cursor_value: "{{ response.links.next }}"
          stop_condition: "{{ response.links.next is none }}"`);
    const { out } = await read(m, { base_url: api.base }, [{ name: 'items' }]);
    expect(out.records().map((r) => r.id)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(api.seen.map((r) => r.query.after)).toEqual([undefined, '3', '6']);
  });

  it('sends an API key in a query parameter and basic credentials in a header', async () => {
    api = await mockApi(() => ({ json: { data: [{ id: 1 }] } }));
    const m = manifest(`${requester('/items')}${selector()}`).replace(
      /authenticator:\n {6}type: BearerAuthenticator\n {6}api_token: "\{\{ config\['token'\] \}\}"/,
      `authenticator:
      type: ApiKeyAuthenticator
      api_token: "{{ config['token'] }}"
      inject_into: { type: RequestOption, inject_into: request_parameter, field_name: api_key }`,
    );
    await read(m, { base_url: api.base, token: 'k1' }, [{ name: 'items' }]);
    expect(api.seen[0]!.query.api_key).toBe('k1');
    const basic = manifest(`${requester('/items')}${selector()}`).replace(
      /authenticator:\n {6}type: BearerAuthenticator\n {6}api_token: "\{\{ config\['token'\] \}\}"/,
      `authenticator:
      type: BasicHttpAuthenticator
      username: "{{ config['token'] }}"
      password: pw`,
    );
    await read(basic, { base_url: api.base, token: 'user' }, [{ name: 'items' }]);
    expect(api.seen[1]!.headers.authorization).toBe(`Basic ${Buffer.from('user:pw').toString('base64')}`);
  });

  it('reads incrementally across two syncs, resuming from the state it saved', async () => {
    let rows = [
      { id: 1, updated_at: '2024-01-01T10:00:00Z' },
      { id: 2, updated_at: '2024-01-02T10:00:00Z' },
    ];
    api = await mockApi((req) => ({
      json: {
        data: rows.filter((r) => r.updated_at >= req.query.since! && r.updated_at <= req.query.until!),
      },
    }));
    const m = manifest(
      `${requester('/items')}${selector()}`,
      '',
      `    incremental_sync:
      type: DatetimeBasedCursor
      cursor_field: updated_at
      datetime_format: "%Y-%m-%dT%H:%M:%SZ"
      start_datetime: "{{ config['start'] }}"
      end_datetime: "{{ config['end'] }}"
      step: P2D
      cursor_granularity: PT1S
      start_time_option: { type: RequestOption, inject_into: request_parameter, field_name: since }
      end_time_option: { type: RequestOption, inject_into: request_parameter, field_name: until }`,
    );
    const config = { base_url: api.base, start: '2024-01-01T00:00:00Z', end: '2024-01-05T00:00:00Z' };
    const first = await read(m, config, [{ name: 'items', incremental: true }]);
    expect(first.out.records().map((r) => r.id)).toEqual([1, 2]);
    expect(api.seen.map((r) => [r.query.since, r.query.until])).toEqual([
      ['2024-01-01T00:00:00Z', '2024-01-02T23:59:59Z'],
      ['2024-01-03T00:00:00Z', '2024-01-05T00:00:00Z'],
    ]);
    const saved = first.out.states().at(-1);
    expect(saved).toEqual({ updated_at: '2024-01-02T10:00:00Z' });

    rows = [...rows, { id: 3, updated_at: '2024-01-04T08:00:00Z' }];
    api.seen.length = 0;
    const state = [{ type: 'STREAM', stream: { stream_descriptor: { name: 'items' }, stream_state: saved } }];
    const second = await read(m, config, [{ name: 'items', incremental: true }], state);
    expect(api.seen.map((r) => [r.query.since, r.query.until])).toEqual([
      ['2024-01-02T10:00:00Z', '2024-01-04T09:59:59Z'],
      ['2024-01-04T10:00:00Z', '2024-01-05T00:00:00Z'],
    ]);
    expect(second.out.records().map((r) => r.id)).toEqual([2, 3]);
    expect(second.out.states().at(-1)).toEqual({ updated_at: '2024-01-04T08:00:00Z' });
  });

  it('reads a substream per parent record and a list partition per value', async () => {
    api = await mockApi((req) => {
      if (req.path === '/projects') return { json: { data: [{ id: 'p1' }, { id: 'p2' }] } };
      const project = /^\/projects\/(\w+)\/tasks$/.exec(req.path)?.[1];
      return { json: { data: [{ id: `${project}-${req.query.status}` }] } };
    });
    const parent = `
                type: DeclarativeStream
                name: projects
                retriever:
                  type: SimpleRetriever
                  requester:
                    $ref: "#/definitions/requester"
                    path: /projects
                  record_selector:
                    type: RecordSelector
                    extractor: { type: DpathExtractor, field_path: [data] }
                schema_loader: { type: InlineSchemaLoader, schema: { type: object } }`;
    const m = manifest(`${requester("/projects/{{ stream_partition['project_id'] }}/tasks")}${selector()}
      partition_router:
        - type: SubstreamPartitionRouter
          parent_stream_configs:
            - type: ParentStreamConfig
              parent_key: id
              partition_field: project_id
              stream:${parent}
        - type: ListPartitionRouter
          cursor_field: status
          values: ["open", "done"]
          request_option: { type: RequestOption, inject_into: request_parameter, field_name: status }`);
    const { code, out } = await read(m, { base_url: api.base }, [{ name: 'items' }]);
    expect(code).toBe(0);
    expect(out.records().map((r) => r.id)).toEqual(['p1-open', 'p1-done', 'p2-open', 'p2-done']);
  });

  it('filters and transforms records', async () => {
    api = await mockApi(() => ({
      json: {
        data: [
          { id: 1, keep: true, secret: 'x' },
          { id: 2, keep: false, secret: 'y' },
        ],
      },
    }));
    const m = manifest(
      `${requester('/items')}${selector()}
        record_filter:
          type: RecordFilter
          condition: "{{ record['keep'] }}"`,
      '',
      `    transformations:
      - type: AddFields
        fields:
          - path: [source]
            value: "{{ parameters['origin'] }}-{{ record['id'] }}"
      - type: RemoveFields
        field_pointers: [[secret]]
    $parameters:
      origin: api`,
    );
    const { out } = await read(m, { base_url: api.base }, [{ name: 'items' }]);
    expect(out.records()).toEqual([{ id: 1, keep: true, source: 'api-1' }]);
  });

  it('retries 503 and 429 (honouring Retry-After), ignores what a filter ignores', async () => {
    api = await mockApi((req, n) => {
      if (req.path === '/gone') return { status: 404, json: { error: 'gone' } };
      if (n === 1) return { status: 503, json: {} };
      if (n === 2) return { status: 429, json: {}, headers: { 'retry-after': '0' } };
      return { json: { data: [{ id: 1 }] } };
    });
    const m = manifest(
      `${requester(
        '/items',
        `        error_handler:
          type: DefaultErrorHandler
          backoff_strategies:
            - type: ConstantBackoffStrategy
              backoff_time_in_seconds: 0.01`,
      )}${selector()}`,
    );
    const { code, out } = await read(m, { base_url: api.base }, [{ name: 'items' }]);
    expect(code).toBe(0);
    expect(out.records()).toEqual([{ id: 1 }]);
    expect(api.seen).toHaveLength(3);

    const ignoring = manifest(
      `${requester(
        '/gone',
        `        error_handler:
          type: DefaultErrorHandler
          response_filters:
            - type: HttpResponseFilter
              action: IGNORE
              http_codes: [404]`,
      )}${selector()}`,
    );
    const ignored = await read(ignoring, { base_url: api.base }, [{ name: 'items' }]);
    expect(ignored.code).toBe(0);
    expect(ignored.out.records()).toEqual([]);
  });

  it('fails a read with transient_error once the retries are used up', async () => {
    api = await mockApi(() => ({ status: 500, json: { error: 'boom' } }));
    const m = manifest(
      `${requester(
        '/items',
        `        error_handler:
          type: DefaultErrorHandler
          max_retries: 2
          backoff_strategies:
            - type: ConstantBackoffStrategy
              backoff_time_in_seconds: 0.01`,
      )}${selector()}`,
    );
    const { code, out } = await read(m, { base_url: api.base }, [{ name: 'items' }]);
    expect(code).toBe(1);
    expect(out.error()?.failure_type).toBe('transient_error');
    expect(api.seen).toHaveLength(3);
  });

  it('answers check FAILED on a 401, without retrying', async () => {
    api = await mockApi((req) =>
      req.headers.authorization === 'Bearer good'
        ? { json: { data: [] } }
        : { status: 401, json: { message: 'bad token' } },
    );
    const source = manifestSource(manifest(`${requester('/items')}${selector()}`));
    expect(await source.check({ base_url: api.base, token: 'good' })).toEqual({ status: 'SUCCEEDED' });
    const failed = await source.check({ base_url: api.base, token: 'revoked' });
    expect(failed.status).toBe('FAILED');
    expect(failed.message).toMatch(/401 Unauthorized/);
    expect(api.seen).toHaveLength(2);
  });
});
