// Parquet files as records, one row group at a time (the memory a read needs is one row group's).
// Types map to JSON as Airbyte's file sources map them: 64-bit integers stay exact (their digits go
// into the JSON text), timestamps and dates become ISO-8601 strings at the file's own precision,
// decimals numbers, byte arrays without a text annotation base64 strings, lists arrays, structs and
// maps objects.
import { open } from 'node:fs/promises';
import {
  type AsyncBuffer,
  type FileMetaData,
  type ParquetParsers,
  type SchemaTree,
  parquetMetadataAsync,
  parquetReadObjects,
  parquetSchema,
} from 'hyparquet';
import { ConfigError, ConnectorError } from '../../cdk/errors.js';
import type { JsonObject } from '../../protocol/messages.js';
import { type MatchedFile, fileReadError } from './files.js';
import { type FormatReader, recordLayout } from './format-reader.js';
import { PARQUET_DECOMPRESSORS } from './parquet-codecs.js';

const DAY_MS = 86_400_000;

/** `2024-01-02T03:04:05` followed by the fraction digits the unit has, and `Z` */
function isoFromUnits(value: bigint, perSecond: bigint, digits: number): string {
  let seconds = value / perSecond;
  let fraction = value % perSecond;
  if (fraction < 0n) {
    fraction += perSecond;
    seconds -= 1n;
  }
  const whole = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  return `${whole}.${fraction.toString().padStart(digits, '0')}Z`;
}

const PARSERS: Partial<ParquetParsers> = {
  timestampFromMilliseconds: (ms) => isoFromUnits(BigInt(ms), 1000n, 3),
  timestampFromMicroseconds: (us) => isoFromUnits(BigInt(us), 1_000_000n, 6),
  timestampFromNanoseconds: (ns) => isoFromUnits(BigInt(ns), 1_000_000_000n, 9),
  dateFromDays: (days) => new Date(days * DAY_MS).toISOString().slice(0, 10),
};

/** A value of a decoded row as JSON text. */
function jsonText(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      // JSON has no NaN or infinities: null is what JSON.stringify writes for them too
      return Number.isFinite(value) ? String(value) : 'null';
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      return 'null';
  }
  if (value === null) return 'null';
  if (value instanceof Uint8Array) return JSON.stringify(Buffer.from(value).toString('base64'));
  if (value instanceof Date)
    return Number.isNaN(value.getTime()) ? 'null' : JSON.stringify(value.toISOString());
  if (Array.isArray(value) || ArrayBuffer.isView(value)) {
    return `[${Array.from(value as ArrayLike<unknown>, jsonText).join(',')}]`;
  }
  const entries = value instanceof Map ? [...value] : Object.entries(value as object);
  return `{${entries.map(([k, v]) => `${JSON.stringify(String(k))}:${jsonText(v)}`).join(',')}}`;
}

function nullable(tree: SchemaTree, schema: JsonObject): JsonObject {
  if (tree.element.repetition_type !== 'OPTIONAL' || schema.type === undefined) return schema;
  return { ...schema, type: ['null', schema.type as string] };
}

/** The JSON schema of one Parquet column (a leaf or a group). */
function columnSchema(tree: SchemaTree): JsonObject {
  const { element, children } = tree;
  const logical = element.logical_type?.type;
  const converted = element.converted_type;
  let schema: JsonObject;
  if (children.length > 0) {
    if (logical === 'LIST' || converted === 'LIST') {
      // three levels (LIST group → repeated group → element) or the legacy two
      const repeated = children[0];
      const item = repeated.children.length === 1 ? repeated.children[0] : repeated;
      schema = {
        type: 'array',
        items: columnSchema({ ...item, element: { ...item.element, repetition_type: 'OPTIONAL' } }),
      };
    } else if (logical === 'MAP' || converted === 'MAP' || converted === 'MAP_KEY_VALUE') {
      schema = { type: 'object' };
    } else {
      schema = {
        type: 'object',
        properties: Object.fromEntries(children.map((c) => [c.element.name, columnSchema(c)])),
      };
    }
  } else {
    schema = leafSchema(tree);
  }
  if (element.repetition_type === 'REPEATED' && logical !== 'LIST' && converted !== 'LIST') {
    return { type: 'array', items: schema };
  }
  return nullable(tree, schema);
}

function leafSchema({ element }: SchemaTree): JsonObject {
  const logical = element.logical_type;
  const converted = element.converted_type;
  if (
    logical?.type === 'TIMESTAMP' ||
    converted === 'TIMESTAMP_MILLIS' ||
    converted === 'TIMESTAMP_MICROS' ||
    element.type === 'INT96'
  ) {
    const utc = logical?.type !== 'TIMESTAMP' || logical.isAdjustedToUTC;
    return {
      type: 'string',
      format: 'date-time',
      airbyte_type: utc ? 'timestamp_with_timezone' : 'timestamp_without_timezone',
    };
  }
  if (logical?.type === 'DATE' || converted === 'DATE') return { type: 'string', format: 'date' };
  if (logical?.type === 'DECIMAL' || converted === 'DECIMAL') return { type: 'number' };
  if (logical?.type === 'UUID') return { type: 'string', format: 'uuid' };
  if (logical?.type === 'JSON' || converted === 'JSON') return {};
  if (
    logical?.type === 'STRING' ||
    logical?.type === 'ENUM' ||
    converted === 'UTF8' ||
    converted === 'ENUM'
  ) {
    return { type: 'string' };
  }
  if (logical?.type === 'FLOAT16') return { type: 'number' };
  switch (element.type) {
    case 'BOOLEAN':
      return { type: 'boolean' };
    case 'INT32':
    case 'INT64':
      return { type: 'integer' };
    case 'FLOAT':
    case 'DOUBLE':
      return { type: 'number' };
    default:
      return { type: 'string', contentEncoding: 'base64' };
  }
}

interface ParquetFile {
  buffer: AsyncBuffer;
  metadata: FileMetaData;
  close(): Promise<void>;
}

async function openParquet(file: MatchedFile): Promise<ParquetFile> {
  let handle;
  try {
    handle = await open(file.path, 'r');
  } catch (error) {
    throw fileReadError(file.path, error);
  }
  const opened = handle;
  const { size } = await opened.stat();
  const buffer: AsyncBuffer = {
    byteLength: size,
    async slice(start, end = size) {
      const bytes = new Uint8Array(end - start);
      await opened.read(bytes, 0, bytes.length, start);
      return bytes.buffer;
    },
  };
  try {
    return { buffer, metadata: await parquetMetadataAsync(buffer), close: () => opened.close() };
  } catch (error) {
    await opened.close();
    throw new ConfigError(`${file.path}: not a readable Parquet file: ${(error as Error).message}`);
  }
}

async function withParquet<T>(file: MatchedFile, use: (parquet: ParquetFile) => Promise<T>): Promise<T> {
  const parquet = await openParquet(file);
  try {
    return await use(parquet);
  } catch (error) {
    if (error instanceof ConnectorError) throw error;
    throw new ConnectorError('system_error', `${file.path}: ${(error as Error).message}`, { cause: error });
  } finally {
    await parquet.close();
  }
}

export const parquetReader: FormatReader = {
  async sample(files) {
    // the schema is in every file's footer: all of them are read, none of their rows
    const properties: JsonObject = {};
    for (const file of files) {
      await withParquet(file, async ({ metadata }) => {
        for (const column of parquetSchema(metadata).children) {
          properties[column.element.name] ??= columnSchema(column);
        }
      });
    }
    return properties;
  },

  read(file, _properties, context) {
    return withParquet(file, async ({ buffer, metadata }) => {
      const names = parquetSchema(metadata).children.map((c) => c.element.name);
      const { columns, keys, close } = recordLayout(file, names);
      let rowStart = 0;
      let count = 0;
      for (const [group, { num_rows }] of metadata.row_groups.entries()) {
        const rowEnd = rowStart + Number(num_rows);
        let rows: Record<string, unknown>[];
        try {
          rows = await parquetReadObjects({
            file: buffer,
            metadata,
            rowStart,
            rowEnd,
            parsers: PARSERS,
            utf8: false,
            compressors: PARQUET_DECOMPRESSORS,
          });
        } catch (error) {
          throw new ConfigError(
            `${file.path}: row group ${group}: cannot decode: ${(error as Error).message}`,
          );
        }
        for (const row of rows) {
          let json = '{';
          for (const i of columns) json += `${keys[i]}${jsonText(row[names[i]])},`;
          const pending = context.emit(json + close);
          if (pending) await pending;
          count++;
        }
        rowStart = rowEnd;
      }
      return count;
    });
  },
};
