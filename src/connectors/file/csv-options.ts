// The CSV options of a source-file configuration: the typed fields, or Airbyte's `reader_options`
// (pandas `read_csv` arguments as JSON text) for the few of those that mean the same here.
import { ConfigError } from '../../cdk/errors.js';
import type { FileSourceConfig } from './source-spec.js';

export interface CsvOptions {
  delimiter: string;
  quote: string;
  /** the first row names the columns */
  header: boolean;
  /** column names given by the configuration, replacing the header's or f0, f1, … */
  names?: string[];
  encoding: string;
}

type Typed = Partial<Omit<CsvOptions, 'names'>> & { names?: string[] };

const READER_OPTIONS = ['sep', 'delimiter', 'header', 'names', 'quotechar', 'encoding'];

function fromReaderOptions(text: string): Typed {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`config.reader_options: not JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError('config.reader_options: must be a JSON object');
  }
  const options = parsed as Record<string, unknown>;
  const unknown = Object.keys(options).filter((key) => !READER_OPTIONS.includes(key));
  if (unknown.length > 0) {
    throw new ConfigError(
      `config.reader_options: ${unknown.join(', ')} not supported (supported: ${READER_OPTIONS.join(', ')})`,
    );
  }
  const typed: Typed = {};
  if (options.sep !== undefined && options.delimiter !== undefined) {
    throw new ConfigError('config.reader_options: sep and delimiter are the same option: give one');
  }
  const delimiter = options.sep ?? options.delimiter;
  if (delimiter !== undefined) typed.delimiter = oneChar(delimiter, 'config.reader_options.sep');
  if (options.quotechar !== undefined)
    typed.quote = oneChar(options.quotechar, 'config.reader_options.quotechar');
  if (options.header !== undefined) {
    // pandas: 0 or "infer" = the first row is the header, None (null) = there is none
    if (options.header === 0 || options.header === 'infer') typed.header = true;
    else if (options.header === null) typed.header = false;
    else throw new ConfigError('config.reader_options.header: must be 0, "infer" or null');
  }
  if (options.names !== undefined) {
    const names = options.names;
    if (!Array.isArray(names) || names.length === 0 || !names.every((n) => typeof n === 'string')) {
      throw new ConfigError('config.reader_options.names: must be a non-empty list of strings');
    }
    typed.names = names as string[];
  }
  if (options.encoding !== undefined) {
    if (typeof options.encoding !== 'string')
      throw new ConfigError('config.reader_options.encoding: must be a string');
    typed.encoding = options.encoding;
  }
  return typed;
}

function oneChar(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length !== 1)
    throw new ConfigError(`${field}: must be one character`);
  return value;
}

export function csvOptions(config: FileSourceConfig): CsvOptions {
  const typed: Typed = {
    delimiter: config.delimiter,
    quote: config.quote_char,
    header: config.header,
    encoding: config.encoding,
  };
  const fromReader = config.reader_options === undefined ? {} : fromReaderOptions(config.reader_options);
  const typedNames: Record<string, string> = {
    delimiter: 'delimiter',
    quote: 'quote_char',
    header: 'header',
    encoding: 'encoding',
  };
  for (const [key, field] of Object.entries(typedNames)) {
    if (typed[key as keyof Typed] !== undefined && fromReader[key as keyof Typed] !== undefined) {
      throw new ConfigError(`config.${field}: also set in config.reader_options: give it once`);
    }
  }
  const encoding = fromReader.encoding ?? typed.encoding ?? 'utf-8';
  try {
    new TextDecoder(encoding);
  } catch {
    throw new ConfigError(`config.encoding: unknown encoding ${JSON.stringify(encoding)}`);
  }
  const options: CsvOptions = {
    delimiter: fromReader.delimiter ?? typed.delimiter ?? ',',
    quote: fromReader.quote ?? typed.quote ?? '"',
    header: fromReader.header ?? typed.header ?? true,
    encoding,
    ...(fromReader.names ? { names: fromReader.names } : {}),
  };
  if (options.delimiter === options.quote || /[\r\n]/.test(options.delimiter + options.quote)) {
    throw new ConfigError('config.delimiter: must differ from the quote character and not be a line break');
  }
  return options;
}
