// CSV files as records. Values are text; a column the schema types integer, number or boolean is
// written as that JSON type when its text is one (the text itself goes into the JSON: it is a JSON
// number already, so nothing is rounded), and kept as a string, with a warning, when it is not.
import { createReadStream } from 'node:fs';
import { ConfigError, ConnectorError } from '../../cdk/errors.js';
import { type CsvField, CsvParser, CsvSyntaxError } from './csv.js';
import type { CsvOptions } from './csv-options.js';
import { type MatchedFile, fileReadError } from './files.js';
import { type FormatReader, recordLayout } from './format-reader.js';

type Kind = 'integer' | 'number' | 'boolean' | 'string';

/** JSON's own number grammar: text that matches goes into the record's JSON unchanged */
const INTEGER = /^-?(?:0|[1-9]\d*)$/;
const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const BOOLEANS = new Map([
  ['true', 'true'],
  ['True', 'true'],
  ['TRUE', 'true'],
  ['false', 'false'],
  ['False', 'false'],
  ['FALSE', 'false'],
]);

interface Row {
  fields: CsvField[];
  line: number;
}

const CHUNK_BYTES = 1024 * 1024;

/** Batches of rows as the file is read: at most one chunk's worth in memory. */
async function* rowBatches(file: MatchedFile, options: CsvOptions): AsyncGenerator<Row[]> {
  let batch: Row[] = [];
  const parser = new CsvParser((fields, line) => batch.push({ fields, line }), options);
  const decoder = new TextDecoder(options.encoding, { fatal: true });
  const decode = (bytes?: Buffer): string => {
    try {
      return bytes ? decoder.decode(bytes, { stream: true }) : decoder.decode();
    } catch {
      throw new ConfigError(
        `${file.path}:${parser.currentLine}: bytes that are not ${options.encoding} near this line`,
      );
    }
  };
  const parse = (text: string | undefined): void => {
    try {
      if (text === undefined) parser.end();
      else parser.push(text);
    } catch (error) {
      if (error instanceof CsvSyntaxError) throw new ConfigError(`${file.path}:${error.message}`);
      throw error;
    }
  };
  try {
    for await (const chunk of createReadStream(file.path, { highWaterMark: CHUNK_BYTES })) {
      parse(decode(chunk as Buffer));
      if (batch.length > 0) {
        yield batch;
        batch = [];
      }
    }
    parse(decode());
    parse(undefined);
  } catch (error) {
    throw error instanceof ConnectorError ? error : fileReadError(file.path, error);
  }
  if (batch.length > 0) yield batch;
}

/** Reads the file's rows after its header, knowing the column names. */
async function* rows(
  file: MatchedFile,
  options: CsvOptions,
): AsyncGenerator<{ names: string[]; batch: Row[] }> {
  let names = options.names;
  let headerDone = !options.header;
  for await (const batch of rowBatches(file, options)) {
    let start = 0;
    if (!headerDone) {
      headerDone = true;
      start = 1;
      names ??= columnNames(file, batch[0]);
    }
    names ??= batch[0].fields.map((_, i) => `f${i}`);
    for (let i = start; i < batch.length; i++) {
      const { fields, line } = batch[i];
      if (fields.length !== names.length) {
        throw new ConfigError(
          `${file.path}:${line}: ${fields.length} fields where the ${options.header && !options.names ? 'header has' : 'file has'} ${names.length} columns`,
        );
      }
    }
    yield { names, batch: start === 0 ? batch : batch.slice(start) };
  }
}

function columnNames(file: MatchedFile, header: Row): string[] {
  const names = header.fields.map((name, i) => (name === null || name === '' ? `f${i}` : name));
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name))
      throw new ConfigError(`${file.path}:${header.line}: the header names column "${name}" twice`);
    seen.add(name);
  }
  return names;
}

function kindOf(text: string): Kind {
  if (INTEGER.test(text)) return 'integer';
  if (NUMBER.test(text)) return 'number';
  return BOOLEANS.has(text) ? 'boolean' : 'string';
}

function widen(a: Kind | undefined, b: Kind): Kind {
  if (a === undefined || a === b) return b;
  if ((a === 'integer' && b === 'number') || (a === 'number' && b === 'integer')) return 'number';
  return 'string';
}

/** the non-null type a property's schema declares, when it is one of those CSV text can hold */
function declaredKind(schema: unknown): Kind {
  const type = (schema as { type?: unknown } | undefined)?.type;
  const types = (Array.isArray(type) ? type : [type]).filter((t) => t !== 'null');
  return types.length === 1 && ['integer', 'number', 'boolean'].includes(types[0] as string)
    ? (types[0] as Kind)
    : 'string';
}

export function csvReader(options: CsvOptions, inferTypes: boolean): FormatReader {
  return {
    async sample(files, limit) {
      const kinds = new Map<string, Kind | undefined>();
      let seen = 0;
      for (const file of files) {
        for await (const { names, batch } of rows(file, options)) {
          for (const name of names) if (!kinds.has(name)) kinds.set(name, undefined);
          for (const { fields } of batch) {
            if (seen++ === limit) break;
            fields.forEach((text, i) => {
              if (text !== null && inferTypes) kinds.set(names[i], widen(kinds.get(names[i]), kindOf(text)));
            });
          }
          if (seen > limit) break;
        }
        if (seen > limit) break;
      }
      // a CSV field can always be empty, so every column may be null
      return Object.fromEntries(
        [...kinds].map(([name, kind]) => [
          name,
          { type: ['null', inferTypes ? (kind ?? 'string') : 'string'] },
        ]),
      );
    },

    async read(file, properties, context) {
      let count = 0;
      let layout: (ReturnType<typeof recordLayout> & { kinds: Kind[]; names: string[] }) | undefined;
      const warned = new Set<number>();
      const value = (text: CsvField, column: number, line: number): string => {
        if (text === null) return 'null';
        const kind = layout!.kinds[column];
        if (kind === 'string') return JSON.stringify(text);
        if (kind === 'integer' ? INTEGER.test(text) : kind === 'number' && NUMBER.test(text)) return text;
        const boolean = kind === 'boolean' ? BOOLEANS.get(text) : undefined;
        if (boolean !== undefined) return boolean;
        if (!warned.has(column)) {
          warned.add(column);
          context.warn(
            `${file.path}:${line}: column ${layout!.names[column]} is typed ${kind} but holds ${JSON.stringify(text)}: kept as a string (later ones in this file are not reported)`,
          );
        }
        return JSON.stringify(text);
      };
      for await (const { names, batch } of rows(file, options)) {
        layout ??= {
          ...recordLayout(file, names),
          names,
          kinds: names.map((n) => declaredKind(properties[n])),
        };
        const { columns, keys, close } = layout;
        for (const { fields, line } of batch) {
          let json = '{';
          for (const i of columns) json += `${keys[i]}${value(fields[i], i, line)},`;
          const pending = context.emit(json + close);
          if (pending) await pending;
          count++;
        }
      }
      return count;
    },
  };
}
