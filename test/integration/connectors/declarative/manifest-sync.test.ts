import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, expect, test } from 'vitest';
import { ensureCliBuilt, runCli } from '../../../support/cli.js';
import { type MockApi, mockApi } from './mock-api.js';

// A sync task whose source is a declarative manifest, named by a path relative to the flow file, run
// by `sluice flow run` into destination-file.

const MANIFEST = `
version: 6.44.0
type: DeclarativeSource
check:
  type: CheckStream
  stream_names: [notes]
streams:
  - type: DeclarativeStream
    name: notes
    primary_key: [id]
    retriever:
      type: SimpleRetriever
      requester:
        type: HttpRequester
        url_base: "{{ config['base_url'] }}"
        path: /notes
        request_headers:
          X-Flow-Var: "{{ config.get('label', 'none') }}"
      record_selector:
        type: RecordSelector
        extractor: { type: DpathExtractor, field_path: [notes] }
    schema_loader:
      type: InlineSchemaLoader
      schema: { type: object, properties: { id: { type: integer } } }
spec:
  type: Spec
  connection_specification:
    type: object
    required: [base_url]
    properties:
      base_url: { type: string }
`;

let api: MockApi;
let dir: string;
beforeAll(() => ensureCliBuilt(), 120_000);
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sluice-manifest-sync-'));
  api = await mockApi(() => ({ json: { notes: [{ id: 1 }, { id: 2 }] } }));
});
afterEach(async () => {
  await api.close();
  await rm(dir, { recursive: true, force: true });
});

test('a sync reads a manifest named relative to the flow file, its Jinja left to the connector', async () => {
  await writeFile(path.join(dir, 'notes.yaml'), MANIFEST);
  const flow = `
id: notes
namespace: test.manifest
inputs:
  - { id: label, type: STRING, defaults: from-flow }
tasks:
  - id: sync
    type: sync
    source:
      connector: declarative-manifest
      manifest: notes.yaml
      config:
        base_url: ${api.base}
        label: "{{ inputs.label }}"
    destination:
      connector: file
      config: { destination_path: ${path.join(dir, 'out')}, format: { format_type: JSONL } }
`;
  await writeFile(path.join(dir, 'flow.yaml'), flow);
  const run = await runCli(['flow', 'run', path.join(dir, 'flow.yaml'), '--json'], { timeoutMs: 60_000 });
  expect(run.code, run.stderr).toBe(0);
  const execution = JSON.parse(run.stdout) as { taskRunList: { outputs?: { recordsCommitted?: number } }[] };
  expect(execution.taskRunList[0]!.outputs?.recordsCommitted).toBe(2);
  const files = await readdir(path.join(dir, 'out'), { recursive: true });
  const notes = files.find((f) => f.includes('notes') && f.endsWith('.jsonl'))!;
  const lines = (await readFile(path.join(dir, 'out', notes), 'utf8')).trim().split('\n');
  expect(lines).toHaveLength(2);
  // the config went through the flow's templating, the manifest's Jinja through the connector's
  expect(api.seen.every((r) => r.headers['x-flow-var'] === 'from-flow')).toBe(true);
}, 90_000);

test('a manifest with an unsupported component fails the sync with its JSON path', async () => {
  const custom = MANIFEST.replace(
    'record_selector:',
    'partition_router: { type: CustomPartitionRouter, class_name: x.Y }\n      record_selector:',
  );
  await writeFile(path.join(dir, 'custom.yaml'), custom);
  const flow = `
id: custom
namespace: test.manifest
tasks:
  - id: sync
    type: sync
    source: { connector: declarative-manifest, manifest: custom.yaml, config: { base_url: ${api.base} } }
    destination: { connector: file, config: { destination_path: ${path.join(dir, 'out')}, format: { format_type: JSONL } } }
`;
  await writeFile(path.join(dir, 'flow.yaml'), flow);
  const run = await runCli(['flow', 'run', path.join(dir, 'flow.yaml')], { timeoutMs: 60_000 });
  expect(run.code).toBe(1);
  expect(run.stdout + run.stderr).toContain(
    'streams.0.retriever.partition_router: CustomPartitionRouter is not supported',
  );
  expect(api.seen).toHaveLength(0);
}, 90_000);

test('a second `flow run` with the same data dir resumes from the state the first committed', async () => {
  await api.close();
  const seenSince: string[] = [];
  api = await mockApi((req) => {
    seenSince.push(req.query.since ?? '');
    return { json: { notes: [{ id: 1, updated_at: '2024-03-02T08:00:00Z' }] } };
  });
  const incremental = MANIFEST.replace(
    '    schema_loader:',
    `    incremental_sync:
      type: DatetimeBasedCursor
      cursor_field: updated_at
      datetime_format: "%Y-%m-%dT%H:%M:%SZ"
      start_datetime: "2024-03-01T00:00:00Z"
      end_datetime: "2024-03-03T00:00:00Z"
      start_time_option: { type: RequestOption, inject_into: request_parameter, field_name: since }
    schema_loader:`,
  );
  await writeFile(path.join(dir, 'notes.yaml'), incremental);
  const flow = `
id: resume
namespace: test.manifest
tasks:
  - id: sync
    type: sync
    source: { connector: declarative-manifest, manifest: notes.yaml, config: { base_url: ${api.base} } }
    destination: { connector: file, config: { destination_path: ${path.join(dir, 'out')}, format: { format_type: JSONL } } }
    streams: [{ name: notes, syncMode: incremental_append }]
`;
  await writeFile(path.join(dir, 'flow.yaml'), flow);
  const dataDir = path.join(dir, 'data');
  for (let i = 0; i < 2; i++) {
    const run = await runCli(['flow', 'run', path.join(dir, 'flow.yaml')], { dataDir, timeoutMs: 60_000 });
    expect(run.code, run.stdout + run.stderr).toBe(0);
  }
  // the check reads the first slice too; the reads are the 2nd and 4th requests
  expect(seenSince.filter((_, i) => i % 2 === 1)).toEqual(['2024-03-01T00:00:00Z', '2024-03-02T08:00:00Z']);
}, 120_000);
