import type { ConnectorSpecification } from '../../protocol/messages.js';

// `destination_path` as Airbyte's local file destinations name it, and `format` in the shape of their
// S3 destination's (`format_type`, `flattening`, `compression_codec`), so configurations read alike.
export type FileFormatType = 'JSONL' | 'CSV' | 'Parquet';
export type ParquetCodec = 'UNCOMPRESSED' | 'SNAPPY' | 'GZIP' | 'BROTLI';

export interface FileDestinationConfig {
  [key: string]: unknown;
  destination_path: string;
  format: {
    format_type: FileFormatType;
    delimiter?: string;
    flattening?: 'No flattening' | 'Root level flattening';
    compression_codec?: ParquetCodec;
  };
}

export const fileDestinationSpec: ConnectorSpecification = {
  documentationUrl: 'https://github.com/sluice/sluice/blob/main/docs/connectors.md#destination-file',
  supported_destination_sync_modes: ['overwrite', 'append'],
  connectionSpecification: {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'File Destination Spec',
    type: 'object',
    required: ['destination_path'],
    additionalProperties: false,
    properties: {
      destination_path: {
        title: 'Destination path',
        description: 'The directory the files go to, one folder per stream (created when missing).',
        type: 'string',
        minLength: 1,
        examples: ['/data/exports'],
        order: 0,
      },
      format: {
        title: 'Output format',
        type: 'object',
        required: ['format_type'],
        additionalProperties: false,
        default: { format_type: 'JSONL' },
        order: 1,
        properties: {
          format_type: { type: 'string', enum: ['JSONL', 'CSV', 'Parquet'], default: 'JSONL' },
          delimiter: {
            title: 'CSV delimiter',
            type: 'string',
            minLength: 1,
            maxLength: 1,
            not: { enum: ['"', '\r', '\n'] },
          },
          flattening: {
            title: 'CSV flattening',
            description:
              'Root level flattening (default): a column per top-level field, nested values as JSON text. No flattening: one _airbyte_data column holding each record as JSON.',
            type: 'string',
            enum: ['No flattening', 'Root level flattening'],
          },
          compression_codec: {
            title: 'Parquet compression codec',
            type: 'string',
            enum: ['UNCOMPRESSED', 'SNAPPY', 'GZIP', 'BROTLI'],
          },
        },
      },
    },
  },
};
