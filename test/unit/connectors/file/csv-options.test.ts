import { describe, expect, test } from 'vitest';
import { csvOptions } from '../../../../src/connectors/file/csv-options.js';
import type { FileSourceConfig } from '../../../../src/connectors/file/source-spec.js';

const config = (fields: Partial<FileSourceConfig>): FileSourceConfig => ({
  dataset_name: 's',
  format: 'csv',
  url: '/x.csv',
  provider: { storage: 'local' },
  infer_datatypes: true,
  schema_inference_rows: 10,
  ...fields,
});

describe('csvOptions', () => {
  test('defaults: comma, double quote, a header, UTF-8', () => {
    expect(csvOptions(config({}))).toEqual({ delimiter: ',', quote: '"', header: true, encoding: 'utf-8' });
  });

  test('reader_options as Airbyte writes them: sep, header null, names, quotechar, encoding', () => {
    const options = csvOptions(
      config({
        reader_options: '{"sep":";","header":null,"names":["a","b"],"quotechar":"\'","encoding":"latin1"}',
      }),
    );
    expect(options).toEqual({
      delimiter: ';',
      quote: "'",
      header: false,
      names: ['a', 'b'],
      encoding: 'latin1',
    });
  });

  test('an option given both typed and in reader_options is refused', () => {
    expect(() => csvOptions(config({ delimiter: ';', reader_options: '{"sep":";"}' }))).toThrow(
      'config.delimiter: also set in config.reader_options: give it once',
    );
  });

  test('reader_options that are not a JSON object, or unsupported, are refused by name', () => {
    expect(() => csvOptions(config({ reader_options: '[1]' }))).toThrow(
      'config.reader_options: must be a JSON object',
    );
    expect(() => csvOptions(config({ reader_options: '{"header": 3}' }))).toThrow(
      'config.reader_options.header: must be 0, "infer" or null',
    );
    expect(() => csvOptions(config({ reader_options: '{"dtype": {}}' }))).toThrow(/dtype not supported/);
  });

  test('an unknown encoding, or a delimiter equal to the quote, is refused', () => {
    expect(() => csvOptions(config({ encoding: 'klingon' }))).toThrow(
      'config.encoding: unknown encoding "klingon"',
    );
    expect(() => csvOptions(config({ delimiter: '"' }))).toThrow(/must differ from the quote character/);
  });
});
