// source-file: local CSV, JSON Lines and Parquet files (one path or a glob) read as one stream.
// Incremental reads go by file: the STREAM state lists each file read with its modification time
// and size, so the next read takes only files that are new or have changed since.
import type { Source } from '../../cdk/connector.js';
import { ConfigError } from '../../cdk/errors.js';
import type { AirbyteStream, JsonObject } from '../../protocol/messages.js';
import { csvOptions } from './csv-options.js';
import { csvReader } from './csv-reader.js';
import { type MatchedFile, matchFiles } from './files.js';
import { type FormatReader, SOURCE_FILE_LAST_MODIFIED, SOURCE_FILE_URL } from './format-reader.js';
import { jsonlReader } from './jsonl-reader.js';
import { parquetReader } from './parquet-reader.js';
import { type FileSourceConfig, fileSourceSpec } from './source-spec.js';

interface FileVersion {
  modified_at: string;
  size: number;
}

/** The STREAM state: every file read so far, by path. */
interface FileHistory {
  [key: string]: unknown;
  history: Record<string, FileVersion>;
}

function formatReader(config: FileSourceConfig): FormatReader {
  switch (config.format) {
    case 'csv':
      return csvReader(csvOptions(config), config.infer_datatypes);
    case 'jsonl':
      return jsonlReader;
    case 'parquet':
      return parquetReader;
  }
}

async function discoverStream(config: FileSourceConfig): Promise<AirbyteStream> {
  const files = await matchFiles(config.url);
  const properties = await formatReader(config).sample(files, config.schema_inference_rows);
  return {
    name: config.dataset_name,
    json_schema: {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: {
        ...properties,
        [SOURCE_FILE_LAST_MODIFIED]: {
          type: 'string',
          format: 'date-time',
          airbyte_type: 'timestamp_with_timezone',
        },
        [SOURCE_FILE_URL]: { type: 'string' },
      },
    },
    supported_sync_modes: ['full_refresh', 'incremental'],
    source_defined_cursor: true,
    default_cursor_field: [SOURCE_FILE_LAST_MODIFIED],
    is_resumable: true,
  };
}

function previousHistory(state: JsonObject | undefined): Record<string, FileVersion> {
  const history = (state as FileHistory | undefined)?.history;
  return typeof history === 'object' && history !== null ? history : {};
}

const unchanged = (file: MatchedFile, seen: FileVersion | undefined): boolean =>
  seen !== undefined && seen.modified_at === file.modifiedAt && seen.size === file.size;

export const fileSource: Source<FileSourceConfig> = {
  spec: () => fileSourceSpec,

  async check(config) {
    const reader = formatReader(config);
    const files = await matchFiles(config.url);
    // reading a few rows of the first file proves the path, the permissions and the format
    await reader.sample(files.slice(0, 1), 10);
    return { status: 'SUCCEEDED', message: `${files.length} file(s) match ${config.url}` };
  },

  async discover(config) {
    return { streams: [await discoverStream(config)] };
  },

  async read(config, catalog, state, out) {
    const reader = formatReader(config);
    for (const configured of catalog.streams) {
      if (configured.stream.name !== config.dataset_name) {
        throw new ConfigError(
          `source-file has one stream, ${config.dataset_name} (config.dataset_name); the catalog asks for ${configured.stream.name}`,
        );
      }
      const descriptor = { name: config.dataset_name };
      const properties = (configured.stream.json_schema.properties ?? {}) as JsonObject;
      const incremental = configured.sync_mode === 'incremental';
      const seen = incremental ? previousHistory(state.stream(descriptor)) : {};
      const files = await matchFiles(config.url);
      // files that no longer match are dropped from the history: if one comes back, it is read again
      const history: Record<string, FileVersion> = {};
      for (const file of files) if (seen[file.path]) history[file.path] = seen[file.path];
      const context = {
        emit: (json: string) => out.recordJson(descriptor.name, json),
        warn: (message: string) => void out.log('WARN', message),
      };
      for (const file of files) {
        if (unchanged(file, seen[file.path])) continue;
        const recordCount = await reader.read(file, properties, context);
        history[file.path] = { modified_at: file.modifiedAt, size: file.size };
        await out.streamState(descriptor, { history }, { recordCount });
      }
      // a read with nothing new still checkpoints, so the state stays where it was
      if (files.every((file) => unchanged(file, seen[file.path]))) {
        await out.streamState(descriptor, { history }, { recordCount: 0 });
      }
    }
  },
};
