// destination-file: each stream's records of one sync into one new file (JSONL, CSV or Parquet).
//
// When a STATE is acknowledged:
// - every stream appends JSONL or CSV: right away, once every open file is written out and fsynced.
//   Those files are written under their final names; a write that fails truncates each back to its
//   size at the last acknowledged state (or removes it when none covered it).
// - a stream overwrites, or the format is Parquet (readable only once its footer is written): at the
//   end, after every file is complete, fsynced and renamed from its hidden temporary name, and the
//   overwritten streams' previous files are removed. A write that fails removes its temporary files
//   and leaves the previous ones as they were.
import { mkdirSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Destination } from '../../cdk/connector.js';
import { ConfigError } from '../../cdk/errors.js';
import type {
  ConfiguredAirbyteStream,
  JsonObject,
  StateMessage,
  StreamDescriptor,
} from '../../protocol/messages.js';
import { truncates } from '../../protocol/generations.js';
import { streamKey } from '../../protocol/state.js';
import {
  EXTENSIONS,
  type NewFile,
  createFile,
  ownFiles,
  streamFolder,
  syncFolder,
  syncStamp,
} from './destination-layout.js';
import { type FileDestinationConfig, fileDestinationSpec } from './destination-spec.js';
import {
  type Column,
  CsvRecordFile,
  JsonlRecordFile,
  ParquetRecordFile,
  type RecordFile,
  columnsOf,
} from './record-files.js';

interface OpenFile {
  record: RecordFile;
  paths: NewFile;
  /** written under the temporary name, renamed at the end */
  hidden: boolean;
  /** the file's size at the last acknowledged state */
  ackedBytes: number;
}

interface StreamOutput {
  descriptor: StreamDescriptor;
  overwrite: boolean;
  folder: string;
  columns: Column[];
  file?: OpenFile;
  records: number;
}

function outputsOf(
  config: FileDestinationConfig,
  streams: readonly ConfiguredAirbyteStream[],
): Map<string, StreamOutput> {
  const outputs = new Map<string, StreamOutput>();
  for (const configured of streams) {
    const { stream, destination_sync_mode: mode } = configured;
    const descriptor = stream.namespace
      ? { name: stream.name, namespace: stream.namespace }
      : { name: stream.name };
    if (mode !== 'append' && mode !== 'overwrite') {
      throw new ConfigError(
        `stream ${stream.name}: destination_sync_mode ${mode} is not supported by destination-file (append or overwrite)`,
      );
    }
    outputs.set(streamKey(descriptor), {
      descriptor,
      // a truncating refresh keeps no earlier generation's files, as an overwrite
      overwrite: mode === 'overwrite' || truncates(configured),
      folder: streamFolder(config.destination_path, descriptor),
      columns: columnsOf(stream.json_schema),
      records: 0,
    });
  }
  return outputs;
}

function openFile(config: FileDestinationConfig, output: StreamOutput, stamp: string): OpenFile {
  const {
    format_type: format,
    delimiter = ',',
    flattening,
    compression_codec: codec = 'SNAPPY',
  } = config.format;
  const hidden = format === 'Parquet' || output.overwrite;
  mkdirSync(output.folder, { recursive: true });
  const paths = createFile(output.folder, stamp, EXTENSIONS[format], hidden);
  const name = output.descriptor.name;
  let record: RecordFile;
  if (format === 'JSONL') record = new JsonlRecordFile(paths.fd);
  else if (format === 'CSV') {
    const flat = flattening !== 'No flattening' && output.columns.length > 0;
    record = new CsvRecordFile(paths.fd, name, flat ? output.columns : undefined, delimiter);
  } else record = new ParquetRecordFile(paths.fd, name, output.columns, codec);
  return { record, paths, hidden, ackedBytes: 0 };
}

/** Completes every file, makes it visible, and replaces what overwritten streams had before. */
function commit(outputs: Iterable<StreamOutput>): void {
  for (const output of outputs) {
    const file = output.file;
    if (file) {
      file.record.finish();
      if (file.hidden) renameSync(file.paths.temp, file.paths.final);
    }
    if (output.overwrite) {
      const kept = file ? path.basename(file.paths.final) : undefined;
      for (const name of ownFiles(output.folder)) {
        if (name !== kept) rmSync(path.join(output.folder, name));
      }
    }
    if (file || output.overwrite) syncFolder(output.folder);
  }
}

/** Leaves the folders as the acknowledged states describe them. */
function rollBack(outputs: Iterable<StreamOutput>): void {
  for (const { file } of outputs) {
    if (!file) continue;
    try {
      file.record.abort();
    } catch {
      // the file was closed already (the failure came while committing): the cleanup below still holds
    }
    if (file.hidden) rmSync(file.paths.temp, { force: true });
    else if (file.ackedBytes === 0) rmSync(file.paths.final, { force: true });
    else truncateSync(file.paths.final, file.ackedBytes);
  }
}

export const fileDestination: Destination<FileDestinationConfig> = {
  spec: () => fileDestinationSpec,

  async check(config) {
    const probe = path.join(config.destination_path, `.sluice-check-${process.pid}`);
    try {
      mkdirSync(config.destination_path, { recursive: true });
      writeFileSync(probe, '');
      rmSync(probe);
      return { status: 'SUCCEEDED' };
    } catch (error) {
      return {
        status: 'FAILED',
        message: `cannot write to ${config.destination_path}: ${(error as Error).message}`,
      };
    }
  },

  async write(config, catalog, input, out) {
    const outputs = outputsOf(config, catalog.streams);
    const stamp = syncStamp(new Date());
    const holdStates =
      config.format.format_type === 'Parquet' || [...outputs.values()].some((o) => o.overwrite);
    const held: StateMessage[] = [];
    let sinceState = 0;
    try {
      for await (const message of input) {
        if (message.type === 'RECORD') {
          const { stream, namespace, data } = message.record;
          const output = outputs.get(streamKey({ name: stream, namespace }));
          if (!output) {
            throw new Error(
              `a record of stream ${namespace ? `${namespace}.` : ''}${stream}, which the catalog does not have`,
            );
          }
          output.file ??= openFile(config, output, stamp);
          output.file.record.write(data as JsonObject, ++output.records);
          sinceState++;
        } else if (message.type === 'STATE') {
          const ack: StateMessage = {
            type: 'STATE',
            state: { ...message.state, destinationStats: { recordCount: sinceState } },
          };
          sinceState = 0;
          if (holdStates) {
            held.push(ack);
            continue;
          }
          for (const { file } of outputs.values()) {
            if (!file) continue;
            file.record.sync();
            file.ackedBytes = file.record.syncedBytes;
          }
          // acknowledged now, not when the output buffer happens to fill: the platform saves states as
          // they come, and a sync that fails later resumes from the last one it has
          await out.message(ack);
          await out.flush();
        }
      }
      commit(outputs.values());
    } catch (error) {
      rollBack(outputs.values());
      throw error;
    }
    for (const ack of held) await out.message(ack);
  },
};
