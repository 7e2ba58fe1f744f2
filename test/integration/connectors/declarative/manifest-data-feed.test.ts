import { afterEach, describe, expect, it } from 'vitest';
import { type MockApi, mockApi } from './mock-api.js';
import { read } from './read.js';

let api: MockApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const manifest = `
version: 6.44.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [events] }
streams:
  - type: DeclarativeStream
    name: events
    retriever:
      type: SimpleRetriever
      requester: { type: HttpRequester, url_base: "{{ config.base_url }}", path: /events }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }
      paginator:
        type: DefaultPaginator
        page_token_option: { type: RequestOption, inject_into: request_parameter, field_name: page }
        pagination_strategy: { type: PageIncrement, page_size: 2, start_from_page: 1 }
    incremental_sync:
      type: DatetimeBasedCursor
      cursor_field: at
      datetime_format: "%Y-%m-%d"
      start_datetime: "2024-01-01"
      end_datetime: "2024-12-31"
      is_data_feed: true
spec: { type: Spec, connection_specification: { type: object } }
`;

// newest first, two a page
const EVENTS = ['2024-01-09', '2024-01-08', '2024-01-07', '2024-01-05', '2024-01-03', '2024-01-02'].map(
  (at, i) => ({ id: i + 1, at }),
);

describe('is_data_feed', () => {
  it('stops paging at the first record older than the state and drops such records', async () => {
    api = await mockApi((req) => {
      const page = Number(req.query.page ?? 1);
      return { json: { data: EVENTS.slice((page - 1) * 2, page * 2) } };
    });
    const state = [
      {
        type: 'STREAM',
        stream: { stream_descriptor: { name: 'events' }, stream_state: { at: '2024-01-06' } },
      },
    ];
    const { code, out } = await read(
      manifest,
      { base_url: api.base },
      [{ name: 'events', incremental: true }],
      state,
    );
    expect(code).toBe(0);
    // page 2 ends with 2024-01-05, older than the state: no page 3
    expect(api.seen.map((s) => s.query.page)).toEqual([undefined, '2']);
    expect(out.records().map((r) => r.at)).toEqual(['2024-01-09', '2024-01-08', '2024-01-07']);
    expect(out.states().at(-1)).toEqual({ at: '2024-01-09' });
  });
});
