// One output file of destination-file in each format. Writes are synchronous: the destination is a
// process of its own that does nothing else meanwhile, and `sync` must mean the bytes are on disk.
import { closeSync, fsyncSync, writeSync } from 'node:fs';
import type { SchemaElement } from 'hyparquet';
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import type { JsonObject } from '../../protocol/messages.js';
import { CsvFormatter, type CsvField } from './csv.js';
import type { ParquetCodec } from './destination-spec.js';
import { PARQUET_COMPRESSORS } from './parquet-codecs.js';

export type ColumnType = 'integer' | 'number' | 'boolean' | 'string' | 'json';

export interface Column {
  name: string;
  type: ColumnType;
}

/** Where a schemaless stream's records go whole, as JSON (Airbyte's name for the raw record). */
const RAW_DATA_COLUMN = '_airbyte_data';

/** The columns a stream's JSON schema declares, in its order; none when it declares no properties. */
export function columnsOf(jsonSchema: JsonObject): Column[] {
  const properties = (jsonSchema.properties ?? {}) as Record<string, { type?: unknown }>;
  return Object.entries(properties).map(([name, schema]) => {
    const type = schema?.type;
    const types = (Array.isArray(type) ? type : [type]).filter((t) => t !== 'null');
    const single = types.length === 1 ? String(types[0]) : '';
    const known = ['integer', 'number', 'boolean', 'string'].includes(single);
    return { name, type: (known ? single : 'json') as ColumnType };
  });
}

export interface RecordFile {
  /** buffers one record; throws when the record does not fit the file's columns */
  write(data: JsonObject, recordNumber: number): void;
  /** writes out what is buffered and fsyncs it: every record written so far is then on disk */
  sync(): void;
  /** completes the file (Parquet's footer), fsyncs and closes it */
  finish(): void;
  /** closes the file as it is, after a failure */
  abort(): void;
  /** the file's size at the last `sync` */
  readonly syncedBytes: number;
}

class RecordError extends Error {
  constructor(stream: string, recordNumber: number, message: string) {
    super(`stream ${stream}: record ${recordNumber}: ${message}`);
    this.name = 'RecordError';
  }
}

function checkFields(
  stream: string,
  data: JsonObject,
  names: ReadonlySet<string>,
  recordNumber: number,
): void {
  for (const key in data) {
    if (!names.has(key)) {
      throw new RecordError(
        stream,
        recordNumber,
        `field "${key}" is not in the stream's catalog schema, and CSV and Parquet columns come from it (JSONL keeps any field)`,
      );
    }
  }
}

const FLUSH_CHARS = 1024 * 1024;

/** JSONL and CSV: text lines, buffered up to about a megabyte. */
abstract class TextRecordFile implements RecordFile {
  private pending = '';
  private written = 0;
  syncedBytes = 0;

  constructor(private readonly fd: number) {}

  abstract write(data: JsonObject, recordNumber: number): void;

  protected append(text: string): void {
    this.pending += text;
    if (this.pending.length >= FLUSH_CHARS) this.flush();
  }

  private flush(): void {
    if (this.pending === '') return;
    const bytes = Buffer.from(this.pending, 'utf8');
    this.pending = '';
    for (let offset = 0; offset < bytes.length;) offset += writeSync(this.fd, bytes, offset);
    this.written += bytes.length;
  }

  sync(): void {
    this.flush();
    fsyncSync(this.fd);
    this.syncedBytes = this.written;
  }

  finish(): void {
    this.sync();
    closeSync(this.fd);
  }

  abort(): void {
    closeSync(this.fd);
  }
}

export class JsonlRecordFile extends TextRecordFile {
  write(data: JsonObject): void {
    this.append(`${JSON.stringify(data)}\n`);
  }
}

function csvText(value: unknown): CsvField {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export class CsvRecordFile extends TextRecordFile {
  private readonly csv: CsvFormatter;
  private readonly names: string[] | undefined;
  private readonly known: ReadonlySet<string>;

  /** `columns` undefined: one `_airbyte_data` column holding the record as JSON */
  constructor(
    fd: number,
    private readonly stream: string,
    columns: readonly Column[] | undefined,
    delimiter: string,
  ) {
    super(fd);
    this.csv = new CsvFormatter(delimiter);
    this.names = columns?.map((c) => c.name);
    this.known = new Set(this.names);
    this.append(this.csv.row(this.names ?? [RAW_DATA_COLUMN]));
  }

  write(data: JsonObject, recordNumber: number): void {
    if (!this.names) {
      this.append(this.csv.row([JSON.stringify(data)]));
      return;
    }
    checkFields(this.stream, data, this.known, recordNumber);
    this.append(this.csv.row(this.names.map((name) => csvText(data[name]))));
  }
}

/** Rows per row group: what a Parquet file holds in memory before writing it out. */
const PARQUET_ROW_GROUP_ROWS = 10_000;

const PARQUET_ELEMENTS: Record<ColumnType, Omit<SchemaElement, 'name'>> = {
  integer: { type: 'INT64' },
  number: { type: 'DOUBLE' },
  boolean: { type: 'BOOLEAN' },
  string: { type: 'BYTE_ARRAY', converted_type: 'UTF8' },
  json: { type: 'BYTE_ARRAY', converted_type: 'JSON' },
};

/** A ByteWriter that hands each completed row group to the file instead of growing. */
class FileByteWriter extends ByteWriter {
  constructor(private readonly fd: number) {
    super(1024 * 1024);
  }

  flush(): void {
    const bytes = new Uint8Array(this.buffer, 0, this.index);
    for (let offset = 0; offset < bytes.length;) offset += writeSync(this.fd, bytes, offset);
    this.index = 0;
  }

  override finish(): void {
    this.flush();
  }
}

export class ParquetRecordFile implements RecordFile {
  private readonly writer: ParquetWriter;
  private readonly columns: Column[];
  private readonly known: ReadonlySet<string>;
  private readonly raw: boolean;
  private values: unknown[][];
  syncedBytes = 0;

  /** `columns` empty: one `_airbyte_data` JSON column holding the whole record */
  constructor(
    private readonly fd: number,
    private readonly stream: string,
    columns: readonly Column[],
    codec: ParquetCodec,
  ) {
    this.raw = columns.length === 0;
    this.columns = this.raw ? [{ name: RAW_DATA_COLUMN, type: 'json' }] : [...columns];
    this.known = new Set(this.columns.map((c) => c.name));
    this.values = this.columns.map(() => []);
    const schema: SchemaElement[] = [
      { name: 'root', num_children: this.columns.length },
      ...this.columns.map((c) => ({
        name: c.name,
        repetition_type: 'OPTIONAL' as const,
        ...PARQUET_ELEMENTS[c.type],
      })),
    ];
    this.writer = new ParquetWriter({
      writer: new FileByteWriter(fd),
      schema,
      codec,
      compressors: PARQUET_COMPRESSORS,
      createdBy: 'sluice destination-file',
    });
  }

  write(data: JsonObject, recordNumber: number): void {
    if (this.raw) {
      this.values[0].push(data);
    } else {
      checkFields(this.stream, data, this.known, recordNumber);
      for (let i = 0; i < this.columns.length; i++) {
        this.values[i].push(this.parquetValue(this.columns[i], data[this.columns[i].name], recordNumber));
      }
    }
    if (this.values[0].length >= PARQUET_ROW_GROUP_ROWS) this.writeRowGroup();
  }

  private parquetValue({ name, type }: Column, value: unknown, recordNumber: number): unknown {
    if (value === null || value === undefined) return null;
    const fits =
      type === 'json' ||
      (type === 'integer' && (Number.isInteger(value) || typeof value === 'bigint')) ||
      (type === 'number' && typeof value === 'number') ||
      (type === 'boolean' && typeof value === 'boolean') ||
      (type === 'string' && typeof value === 'string');
    if (!fits) {
      throw new RecordError(
        this.stream,
        recordNumber,
        `field "${name}" is ${JSON.stringify(value)}, not the ${type} its schema declares`,
      );
    }
    return type === 'integer' ? BigInt(value as number) : value;
  }

  private writeRowGroup(): void {
    const rows = this.values[0].length;
    if (rows === 0) return;
    void this.writer.write({
      columnData: this.columns.map((c, i) => ({ name: c.name, data: this.values[i] })),
      rowGroupSize: rows,
    });
    this.values = this.columns.map(() => []);
  }

  /** A Parquet file is readable only once its footer is written: there is nothing to sync before. */
  sync(): void {}

  finish(): void {
    this.writeRowGroup();
    void this.writer.finish();
    fsyncSync(this.fd);
    closeSync(this.fd);
  }

  abort(): void {
    closeSync(this.fd);
  }
}
