import type { ConnectorSpecification } from '../../protocol/messages.js';

// Field names are those of Airbyte's source-faker, so a configuration moves between the two; the
// fields of theirs that tune its own machinery (parallelism, always_updated) are accepted and ignored.
export interface FakerConfig {
  [key: string]: unknown;
  count: number;
  seed: number;
  records_per_slice: number;
}

export const fakerSpec: ConnectorSpecification = {
  documentationUrl: 'https://github.com/sluice/sluice/blob/main/docs/connectors.md',
  supportsIncremental: true,
  connectionSpecification: {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'Faker Source Spec',
    type: 'object',
    required: [],
    additionalProperties: true,
    properties: {
      count: {
        title: 'Count',
        description: 'How many records each stream holds (users, products and purchases alike).',
        type: 'integer',
        minimum: 1,
        default: 1000,
        order: 0,
      },
      seed: {
        title: 'Seed',
        description: 'The same seed gives the same records; -1 picks a new seed at each read.',
        type: 'integer',
        default: -1,
        order: 1,
      },
      records_per_slice: {
        title: 'Records per slice',
        description: 'How many records between two state checkpoints.',
        type: 'integer',
        minimum: 1,
        default: 1000,
        order: 2,
      },
    },
  },
};
