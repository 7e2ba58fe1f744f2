// Shared by the SQL connector tests: a database of their own per test file, config/catalog files, and
// connectors run in this process with messages on a stdin of the test's making.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import pg from 'pg';
import type { Source } from '../../../src/cdk/connector.js';
import { type ConnectorIo, runSource } from '../../../src/cdk/run.js';
import type {
  AirbyteMessage,
  AirbyteStream,
  CatalogMessage,
  ConfiguredAirbyteCatalog,
  DestinationSyncMode,
  JsonObject,
  StateMessage,
  SyncMode,
} from '../../../src/protocol/messages.js';
import { REPO_ROOT } from '../../support/cli.js';
import { databaseUrl, testDatabaseName } from '../../support/postgres-urls.js';

export const POSTGRES_URL = process.env.SLUICE_TEST_DATABASE_URL;
export const SKIP_POSTGRES = POSTGRES_URL
  ? false
  : 'SLUICE_TEST_DATABASE_URL is not set: these tests need a real PostgreSQL';

export interface TestPostgres {
  url: string;
  name: string;
  client: pg.Client;
  /** the connector configuration of this database */
  config(extra?: JsonObject): JsonObject;
  drop(): Promise<void>;
}

/** A database of the file's own (the global setup drops leftovers named sluice_test_…). */
export async function createTestPostgres(): Promise<TestPostgres> {
  const name = testDatabaseName('conn');
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = databaseUrl(POSTGRES_URL!, name);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const u = new URL(url);
  return {
    url,
    name,
    client,
    config: (extra = {}) => ({
      host: u.hostname,
      port: Number(u.port || 5432),
      database: name,
      username: decodeURIComponent(u.username),
      password: decodeURIComponent(u.password),
      ssl_mode: { mode: 'disable' },
      ...extra,
    }),
    async drop() {
      await client.end();
      const drop = new pg.Client({ connectionString: POSTGRES_URL });
      await drop.connect();
      await drop.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await drop.end();
    },
  };
}

export class Files {
  private dir?: string;

  async file(name: string, content: unknown): Promise<string> {
    this.dir ??= await mkdtemp(path.join(tmpdir(), 'sluice-sql-connector-'));
    const target = path.join(this.dir, name);
    await writeFile(target, typeof content === 'string' ? content : JSON.stringify(content));
    return target;
  }

  async remove(): Promise<void> {
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }
}

export function parseMessages(text: string): AirbyteMessage[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AirbyteMessage);
}

export type Run = (argv: readonly string[], io?: ConnectorIo) => Promise<number>;

/** Runs a connector in this process with `input` (messages or raw lines) on its stdin. Records are
 * written with their fields in the order a source's MessageWriter writes them, data last. */
export async function runConnector(
  run: Run,
  argv: string[],
  input: (AirbyteMessage | string)[] = [],
): Promise<{ code: number; messages: AirbyteMessage[]; text: string }> {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  let text = '';
  stdout.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  stdin.end(input.map((m) => (typeof m === 'string' ? m : JSON.stringify(asWritten(m)))).join('\n'));
  const code = await run(argv, { stdin, stdout });
  return { code, messages: parseMessages(text), text };
}

/** A source's discovered streams for `config`. */
export async function discoverStreams(run: Run, files: Files, config: JsonObject): Promise<AirbyteStream[]> {
  const { messages } = await runConnector(run, ['discover', '--config', await files.file('d.json', config)]);
  return (messages.find((m) => m.type === 'CATALOG') as CatalogMessage).catalog.streams;
}

/** A source's `read` of `streams` for `config`, from `state` when given. */
export async function readStreams(
  source: Source,
  files: Files,
  config: JsonObject,
  streams: ConfiguredAirbyteCatalog['streams'],
  state?: unknown,
): Promise<{ code: number; messages: AirbyteMessage[]; text: string }> {
  const argv = [
    'read',
    '--config',
    await files.file('r.json', config),
    '--catalog',
    await files.file('rc.json', { streams }),
    ...(state === undefined ? [] : ['--state', await files.file('rs.json', state)]),
  ];
  return runConnector((a, io) => runSource(source, a, io), argv);
}

/** A destination's `write` as a process of the sluice CLI (`sluice connector <name> write`), `input`
 * on its stdin; its exit code and its messages. */
export async function writeThroughCli(
  name: string,
  files: Files,
  config: JsonObject,
  streams: ConfiguredAirbyteCatalog['streams'],
  input: AirbyteMessage[],
): Promise<{ code: number | null; messages: AirbyteMessage[] }> {
  const argv = [
    path.join(REPO_ROOT, 'bin', 'sluice.js'),
    'connector',
    name,
    'write',
    '--config',
    await files.file('proc-config.json', config),
    '--catalog',
    await files.file('proc-catalog.json', { streams }),
  ];
  const child = spawn(process.execPath, argv, { stdio: ['pipe', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  child.stdin.end(input.map((m) => JSON.stringify(m)).join('\n'));
  return { code: await exited, messages: parseMessages(stdout) };
}

function asWritten(message: AirbyteMessage): AirbyteMessage {
  if (message.type !== 'RECORD') return message;
  const { namespace, stream, emitted_at, data, ...rest } = message.record;
  const record = { ...(namespace === undefined ? {} : { namespace }), stream, emitted_at, data, ...rest };
  return { ...message, record };
}

export const recordsOf = (messages: AirbyteMessage[], stream?: string): JsonObject[] =>
  messages.flatMap((m) =>
    m.type === 'RECORD' && (!stream || m.record.stream === stream) ? [m.record.data] : [],
  );

export const statesOf = (messages: AirbyteMessage[]): StateMessage[] =>
  messages.filter((m): m is StateMessage => m.type === 'STATE');

export function record(stream: string, data: JsonObject, namespace?: string): AirbyteMessage {
  return {
    type: 'RECORD',
    record: { stream, data, emitted_at: 1_700_000_000_000, ...(namespace ? { namespace } : {}) },
  };
}

export function streamState(stream: string, value: JsonObject, namespace?: string): StateMessage {
  return {
    type: 'STATE',
    state: {
      type: 'STREAM',
      stream: {
        stream_descriptor: { name: stream, ...(namespace ? { namespace } : {}) },
        stream_state: value,
      },
    },
  };
}

export function configured(
  stream: AirbyteStream,
  destinationSyncMode: DestinationSyncMode,
  options: { syncMode?: SyncMode; cursor?: string; primaryKey?: string[] } = {},
): ConfiguredAirbyteCatalog['streams'][number] {
  return {
    stream,
    sync_mode: options.syncMode ?? 'full_refresh',
    destination_sync_mode: destinationSyncMode,
    ...(options.cursor ? { cursor_field: [options.cursor] } : {}),
    ...(options.primaryKey ? { primary_key: options.primaryKey.map((k) => [k]) } : {}),
  };
}

export function stream(name: string, properties: JsonObject, namespace?: string): AirbyteStream {
  return {
    name,
    ...(namespace ? { namespace } : {}),
    json_schema: { type: 'object', properties },
    supported_sync_modes: ['full_refresh', 'incremental'],
  };
}

/** A suite's title, saying why it is skipped when it is. */
export const suiteTitle = (name: string, skip: string | false): string =>
  skip ? `${name} (skipped: ${skip})` : name;

/** The platform's word that a stream's input is whole (Airbyte's stream status COMPLETE): a
 * destination replaces an overwrite's table only after it. */
export function complete(stream: string, namespace?: string): AirbyteMessage {
  return {
    type: 'TRACE',
    trace: {
      type: 'STREAM_STATUS',
      emitted_at: 1_700_000_000_000,
      stream_status: {
        stream_descriptor: { name: stream, ...(namespace ? { namespace } : {}) },
        status: 'COMPLETE',
      },
    },
  };
}
