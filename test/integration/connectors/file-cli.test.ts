// The file connectors as processes, through `sluice connector …`: source-file's read printed by the
// CLI, and a sync in miniature where the launcher pipes source-file's records into destination-file.
import { readdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { AirbyteMessage } from '../../../src/protocol/messages.js';
import { launchConnector } from '../../../src/tasks/sync/launcher.js';
import { REPO_ROOT, ensureCliBuilt, lines, runCli } from '../../support/cli.js';
import { Workspace, configured, recordsOf, streamOf } from '../../unit/connectors/file/harness.js';

const connector = (name: string) => [
  process.execPath,
  path.join(REPO_ROOT, 'bin', 'sluice.js'),
  'connector',
  name,
];

let ws: Workspace;
beforeAll(async () => {
  ws = await Workspace.create('file-cli');
  await mkdir(ws.path('in'));
  await writeFile(ws.path('in', 'a.csv'), 'id,name\n1,Ada\n2,"Grace, H."\n');
  await ensureCliBuilt();
}, 120_000);
afterAll(() => ws.remove());

const sourceConfig = () => ({ dataset_name: 'people', url: ws.path('in', '*.csv') });
const STREAM = {
  name: 'people',
  json_schema: {
    type: 'object',
    properties: { id: { type: ['null', 'integer'] }, name: { type: ['null', 'string'] } },
  },
  supported_sync_modes: ['full_refresh' as const, 'incremental' as const],
};

test('sluice connector list names both file connectors', async () => {
  const { stdout } = await runCli(['connector', 'list']);
  expect(stdout).toMatch(/^source-file\tsource\t/m);
  expect(stdout).toMatch(/^destination-file\tdestination\t/m);
});

test('sluice connector source-file read prints the records and a state', async () => {
  const { code, stdout } = await runCli([
    'connector',
    'source-file',
    'read',
    '--config',
    await ws.json('cli-config.json', sourceConfig()),
    '--catalog',
    await ws.json('cli-catalog.json', configured(STREAM, 'incremental')),
  ]);
  const messages = lines(stdout).map((line) => JSON.parse(line) as AirbyteMessage);
  expect(code).toBe(0);
  expect(messages.map((m) => (m.type === 'RECORD' ? m.record.data.name : m.type))).toEqual([
    'Ada',
    'Grace, H.',
    'STATE',
  ]);
});

test('source-file read piped into destination-file write, both as processes', async () => {
  const destination = ws.path('out');
  // Parquet columns come from the schema: the discovered one, with the source-file fields
  const discovered = streamOf(await ws.source('discover', sourceConfig()));
  const catalog = configured(discovered, 'incremental', 'append');
  const source = await launchConnector({
    command: connector('source-file'),
    verb: 'read',
    config: sourceConfig(),
    catalog,
  });
  const sink = await launchConnector({
    command: connector('destination-file'),
    verb: 'write',
    config: { destination_path: destination, format: { format_type: 'Parquet' } },
    catalog,
  });
  const acknowledged: AirbyteMessage[] = [];
  const reading = (async () => {
    for await (const { message } of sink.messages) acknowledged.push(message);
  })();
  for await (const { raw } of source.messages) sink.stdin!.write(Buffer.concat([raw, Buffer.from('\n')]));
  sink.stdin!.end();
  await reading;
  expect([(await source.exit).failure, (await sink.exit).failure]).toEqual([undefined, undefined]);
  expect(acknowledged.map((m) => m.type)).toEqual(['STATE']);
  expect(readdirSync(path.join(destination, 'people'))).toEqual([expect.stringMatching(/_0\.parquet$/)]);
  const written = {
    dataset_name: 'people',
    format: 'parquet',
    url: path.join(destination, 'people', '*.parquet'),
  };
  const readBack = await ws.source(
    'read',
    written,
    configured(streamOf(await ws.source('discover', written))),
  );
  expect(recordsOf(readBack)).toEqual([
    { id: 1, name: 'Ada' },
    { id: 2, name: 'Grace, H.' },
  ]);
});
