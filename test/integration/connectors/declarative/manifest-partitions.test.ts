import { afterEach, describe, expect, it } from 'vitest';
import { type MockApi, mockApi } from './mock-api.js';
import { read } from './read.js';

let api: MockApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const CURSOR = `
      type: DatetimeBasedCursor
      cursor_field: updated_at
      datetime_format: "%Y-%m-%dT%H:%M:%SZ"
      start_datetime: "2024-01-01T00:00:00Z"
      end_datetime: "2024-02-01T00:00:00Z"
      start_time_option: { type: RequestOption, inject_into: request_parameter, field_name: since }`;

/** `tasks` per project (parent `projects`), with a cursor; `parentExtra` goes into the parent config. */
function manifest(parentExtra = '', parentStream = '', cursorExtra = ''): string {
  return `
version: 6.44.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [tasks] }
definitions:
  requester: { type: HttpRequester, url_base: "{{ config.base_url }}" }
  selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }
streams:
  - type: DeclarativeStream
    name: tasks
    retriever:
      type: SimpleRetriever
      requester: { $ref: "#/definitions/requester", path: "/projects/{{ stream_partition.project_id }}/tasks" }
      record_selector: { $ref: "#/definitions/selector" }
      partition_router:
        type: SubstreamPartitionRouter
        parent_stream_configs:
          - type: ParentStreamConfig
            parent_key: id
            partition_field: project_id
${parentExtra}
            stream:
              type: DeclarativeStream
              name: projects
              retriever:
                type: SimpleRetriever
                requester: { $ref: "#/definitions/requester", path: /projects }
                record_selector: { $ref: "#/definitions/selector" }
${parentStream}
    incremental_sync:${CURSOR}
${cursorExtra}
spec: { type: Spec, connection_specification: { type: object } }
`;
}

type Task = { id: string; updated_at: string };

function api_(projects: () => { id: string; updated_at?: string }[], tasks: () => Record<string, Task[]>) {
  return mockApi((req) => {
    if (req.path === '/projects')
      return {
        json: { data: projects().filter((p) => !req.query.since || p.updated_at! >= req.query.since) },
      };
    const project = /^\/projects\/(\w+)\/tasks$/.exec(req.path)![1]!;
    return { json: { data: (tasks()[project] ?? []).filter((t) => t.updated_at >= req.query.since!) } };
  });
}

const stateOf = (name: string, stream_state: unknown) => [
  { type: 'STREAM', stream: { stream_descriptor: { name }, stream_state } },
];

describe('per-partition incremental state, as the CDK keeps it', () => {
  it('keeps a cursor per partition and a global one, and resumes each partition from its own', async () => {
    let projects = [{ id: 'p1' }, { id: 'p2' }];
    const tasks: Record<string, Task[]> = {
      p1: [{ id: 't1', updated_at: '2024-01-05T00:00:00Z' }],
      p2: [{ id: 't2', updated_at: '2024-01-09T00:00:00Z' }],
      p3: [{ id: 't3', updated_at: '2024-01-03T00:00:00Z' }],
    };
    api = await api_(
      () => projects,
      () => tasks,
    );
    const m = manifest();
    const first = await read(m, { base_url: api.base }, [{ name: 'tasks', incremental: true }]);
    expect(first.code).toBe(0);
    expect(first.out.records().map((r) => r.id)).toEqual(['t1', 't2']);
    const saved = first.out.states().at(-1)!;
    expect(saved).toEqual({
      use_global_cursor: false,
      states: [
        { partition: { parent_slice: {}, project_id: 'p1' }, cursor: { updated_at: '2024-01-05T00:00:00Z' } },
        { partition: { parent_slice: {}, project_id: 'p2' }, cursor: { updated_at: '2024-01-09T00:00:00Z' } },
      ],
      state: { updated_at: '2024-01-09T00:00:00Z' },
      lookback_window: 1,
      parent_state: {},
    });

    projects = [...projects, { id: 'p3' }];
    api.seen.length = 0;
    const second = await read(
      m,
      { base_url: api.base },
      [{ name: 'tasks', incremental: true }],
      stateOf('tasks', saved),
    );
    expect(second.code).toBe(0);
    // a new partition starts from the global cursor less the last sync's duration (lookback_window)
    expect(api.seen.filter((s) => s.path !== '/projects').map((s) => [s.path, s.query.since])).toEqual([
      ['/projects/p1/tasks', '2024-01-05T00:00:00Z'],
      ['/projects/p2/tasks', '2024-01-09T00:00:00Z'],
      ['/projects/p3/tasks', '2024-01-08T23:59:59Z'],
    ]);
    expect(second.out.records().map((r) => r.id)).toEqual(['t1', 't2']);
  });

  it('reads the parent incrementally with incremental_dependency and keeps its state under parent_state', async () => {
    let projects = [
      { id: 'p1', updated_at: '2024-01-02T00:00:00Z' },
      { id: 'p2', updated_at: '2024-01-04T00:00:00Z' },
    ];
    api = await api_(
      () => projects,
      () => ({ p1: [], p2: [], p3: [{ id: 't3', updated_at: '2024-01-10T00:00:00Z' }] }),
    );
    const m = manifest(
      '            incremental_dependency: true',
      `              incremental_sync:${CURSOR.replace(/\n/g, '\n          ')}`,
    );
    const first = await read(m, { base_url: api.base }, [{ name: 'tasks', incremental: true }]);
    expect(first.code).toBe(0);
    const saved = first.out.states().at(-1)!;
    expect(saved.parent_state).toEqual({ projects: { updated_at: '2024-01-04T00:00:00Z' } });
    // no task record: the partitions keep the sync's start, the global cursor is not set
    expect(saved.state).toBeUndefined();
    expect(saved.lookback_window).toBe(0);

    projects = [...projects, { id: 'p3', updated_at: '2024-01-06T00:00:00Z' }];
    api.seen.length = 0;
    const second = await read(
      m,
      { base_url: api.base },
      [{ name: 'tasks', incremental: true }],
      stateOf('tasks', saved),
    );
    expect(api.seen[0]).toMatchObject({ path: '/projects', query: { since: '2024-01-04T00:00:00Z' } });
    expect(second.out.records().map((r) => r.id)).toEqual(['t3']);
    expect(second.out.states().at(-1)!.parent_state).toEqual({
      projects: { updated_at: '2024-01-06T00:00:00Z' },
    });
  });

  it('with global_substream_cursor keeps only the global cursor', async () => {
    api = await api_(
      () => [{ id: 'p1' }, { id: 'p2' }],
      () => ({ p1: [{ id: 't1', updated_at: '2024-01-05T00:00:00Z' }], p2: [] }),
    );
    const m = manifest('', '', '      global_substream_cursor: true');
    const { out } = await read(m, { base_url: api.base }, [{ name: 'tasks', incremental: true }]);
    expect(out.states().at(-1)).toEqual({
      use_global_cursor: true,
      state: { updated_at: '2024-01-05T00:00:00Z' },
      lookback_window: 1,
      parent_state: {},
    });
  });

  it('takes a legacy flat state as the global cursor of every partition', async () => {
    api = await api_(
      () => [{ id: 'p1' }],
      () => ({ p1: [] }),
    );
    await read(
      manifest(),
      { base_url: api.base },
      [{ name: 'tasks', incremental: true }],
      stateOf('tasks', { updated_at: '2024-01-07T00:00:00Z' }),
    );
    expect(api.seen[1]).toMatchObject({
      path: '/projects/p1/tasks',
      query: { since: '2024-01-07T00:00:00Z' },
    });
  });
});
