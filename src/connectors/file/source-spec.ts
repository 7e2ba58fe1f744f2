import type { ConnectorSpecification } from '../../protocol/messages.js';

// The field names of Airbyte's source-file (`dataset_name`, `format`, `url`, `provider`,
// `reader_options`), so a configuration moves between the two, plus typed CSV options of our own
// for what Airbyte leaves to pandas options inside `reader_options`.
export interface FileSourceConfig {
  [key: string]: unknown;
  dataset_name: string;
  format: 'csv' | 'jsonl' | 'parquet';
  url: string;
  provider: { storage: 'local' };
  reader_options?: string;
  delimiter?: string;
  header?: boolean;
  quote_char?: string;
  encoding?: string;
  infer_datatypes: boolean;
  schema_inference_rows: number;
}

export const fileSourceSpec: ConnectorSpecification = {
  documentationUrl: 'https://github.com/sluice/sluice/blob/main/docs/connectors.md#source-file',
  supportsIncremental: true,
  connectionSpecification: {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'File Source Spec',
    type: 'object',
    required: ['dataset_name', 'url'],
    additionalProperties: false,
    properties: {
      dataset_name: {
        title: 'Dataset name',
        description: 'The name of the stream the files are read as.',
        type: 'string',
        minLength: 1,
        order: 0,
      },
      format: {
        title: 'File format',
        type: 'string',
        enum: ['csv', 'jsonl', 'parquet'],
        default: 'csv',
        order: 1,
      },
      url: {
        title: 'URL',
        description:
          'A local file path, or a glob over several (`*`, `?`, `[a-z]`, `**` for any depth), e.g. /data/2024-*.csv. `file://` is allowed.',
        type: 'string',
        minLength: 1,
        examples: ['/data/orders.csv', '/data/2024-*.jsonl'],
        order: 2,
      },
      provider: {
        title: 'Storage provider',
        type: 'object',
        required: ['storage'],
        additionalProperties: false,
        default: { storage: 'local' },
        properties: { storage: { type: 'string', const: 'local', default: 'local' } },
        order: 3,
      },
      reader_options: {
        title: 'Reader options',
        description:
          'Airbyte-style JSON text of CSV options: sep (or delimiter), header (0 = the first row names the columns, null = no header), names, quotechar, encoding.',
        type: 'string',
        examples: ['{"sep": "\\t", "header": null}'],
        order: 4,
      },
      delimiter: { title: 'CSV delimiter', type: 'string', minLength: 1, maxLength: 1, order: 5 },
      header: {
        title: 'CSV header',
        description: 'Whether the first row names the columns (default true); without it they are f0, f1, …',
        type: 'boolean',
        order: 6,
      },
      quote_char: { title: 'CSV quote character', type: 'string', minLength: 1, maxLength: 1, order: 7 },
      encoding: {
        title: 'CSV encoding',
        description: 'A WHATWG encoding label (utf-8, latin1, windows-1252, utf-16le…); default utf-8.',
        type: 'string',
        order: 8,
      },
      infer_datatypes: {
        title: 'Infer CSV data types',
        description:
          'Type CSV columns as integer, number or boolean when every sampled value is one; otherwise every column is a string.',
        type: 'boolean',
        default: true,
        order: 9,
      },
      schema_inference_rows: {
        title: 'Rows sampled for the schema',
        type: 'integer',
        minimum: 1,
        default: 1000,
        order: 10,
      },
    },
  },
};
