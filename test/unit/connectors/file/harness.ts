// Runs source-file and destination-file in this process through the cdk, as `sluice connector` does,
// with real files in a temporary folder. Shared by the file connector tests.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { runDestination, runSource } from '../../../../src/cdk/run.js';
import { fileDestination } from '../../../../src/connectors/file/destination.js';
import { fileSource } from '../../../../src/connectors/file/source.js';
import type {
  AirbyteMessage,
  AirbyteStream,
  ConfiguredAirbyteCatalog,
  DestinationSyncMode,
  JsonObject,
  SyncMode,
} from '../../../../src/protocol/messages.js';

export interface Run {
  code: number;
  messages: AirbyteMessage[];
  /** stdout as printed, for what JSON.parse would round (64-bit integers) */
  stdout: string;
}

export class Workspace {
  private constructor(readonly dir: string) {}

  static async create(prefix: string): Promise<Workspace> {
    return new Workspace(await mkdtemp(path.join(tmpdir(), `sluice-${prefix}-`)));
  }

  path(...parts: string[]): string {
    return path.join(this.dir, ...parts);
  }

  async json(name: string, value: unknown): Promise<string> {
    const file = this.path(name);
    await writeFile(file, JSON.stringify(value));
    return file;
  }

  remove(): Promise<void> {
    return rm(this.dir, { recursive: true, force: true });
  }

  /** `source-file <verb>`; a catalog and state are passed when given */
  async source(verb: string, config: JsonObject, catalog?: unknown, state?: unknown): Promise<Run> {
    const argv = [verb, '--config', await this.json('source-config.json', config)];
    if (catalog !== undefined) argv.push('--catalog', await this.json('source-catalog.json', catalog));
    if (state !== undefined) argv.push('--state', await this.json('source-state.json', state));
    return collect((stdout) => runSource(fileSource, argv, { stdout }));
  }

  /** `destination-file check`: its connection status */
  async checkDestination(config: JsonObject): Promise<unknown> {
    const argv = ['check', '--config', await this.json('destination-config.json', config)];
    const run = await collect((stdout) => runDestination(fileDestination, argv, { stdout }));
    const status = run.messages.find((m) => m.type === 'CONNECTION_STATUS');
    return status?.type === 'CONNECTION_STATUS' ? status.connectionStatus : run.messages;
  }

  /** `destination-file write`, with the messages as its stdin */
  async write(
    config: JsonObject,
    catalog: ConfiguredAirbyteCatalog,
    input: readonly unknown[],
  ): Promise<Run> {
    const writing = await this.startWrite(config, catalog);
    for (const message of input) writing.send(message);
    writing.stdin.end();
    return writing.done;
  }

  /** `destination-file write` fed as the test goes: what it printed so far is in `stdout` */
  async startWrite(config: JsonObject, catalog: ConfiguredAirbyteCatalog): Promise<Writing> {
    const argv = [
      'write',
      '--config',
      await this.json('destination-config.json', config),
      '--catalog',
      await this.json('destination-catalog.json', catalog),
    ];
    const stdin = new PassThrough();
    const output = { text: '' };
    const done = collect((stdout) => runDestination(fileDestination, argv, { stdout, stdin }), output);
    return {
      stdin,
      send: (message) => stdin.write(`${JSON.stringify(message)}\n`),
      get stdout() {
        return output.text;
      },
      done,
    };
  }
}

export interface Writing {
  stdin: PassThrough;
  send(message: unknown): void;
  readonly stdout: string;
  done: Promise<Run>;
}

async function collect(run: (stdout: PassThrough) => Promise<number>, output = { text: '' }): Promise<Run> {
  const stdout = new PassThrough();
  stdout.setEncoding('utf8').on('data', (chunk: string) => (output.text += chunk));
  const code = await run(stdout);
  const text = output.text;
  const messages = text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as AirbyteMessage);
  return { code, messages, stdout: text };
}

export function configured(
  stream: AirbyteStream,
  syncMode: SyncMode = 'full_refresh',
  destinationSyncMode: DestinationSyncMode = 'append',
): ConfiguredAirbyteCatalog {
  return { streams: [{ stream, sync_mode: syncMode, destination_sync_mode: destinationSyncMode }] };
}

export function streamOf(run: Run): AirbyteStream {
  const catalog = run.messages.find((m) => m.type === 'CATALOG');
  if (catalog?.type !== 'CATALOG') throw new Error(`no CATALOG in ${JSON.stringify(run.messages)}`);
  return catalog.catalog.streams[0];
}

/** the records' data, without the source-file fields that name where each was read */
export function recordsOf(run: Run): JsonObject[] {
  return run.messages.flatMap((m) => {
    if (m.type !== 'RECORD') return [];
    const { _ab_source_file_url: _url, _ab_source_file_last_modified: _modified, ...data } = m.record.data;
    return [data];
  });
}

export function errorOf(run: Run): { message: string; failure_type?: string } | undefined {
  const trace = run.messages.find((m) => m.type === 'TRACE' && m.trace.type === 'ERROR');
  return trace?.type === 'TRACE' ? trace.trace.error : undefined;
}

export function statesOf(run: Run): JsonObject[] {
  return run.messages.flatMap((m) => (m.type === 'STATE' ? [m.state as JsonObject] : []));
}
