// Configuration of source-postgres and destination-postgres, with the field names of Airbyte's
// connectors of the same names so that a configuration moves between the two. Fields of theirs that
// tune their own machinery (jdbc_url_params, replication_method, tunnel_method…) are accepted and
// ignored: the schema allows additional properties.
import type { ConnectorSpecification, JsonObject } from '../../protocol/messages.js';
import { type SslModeChoice, sslModeSpec } from '../sql/ssl-mode-spec.js';

export type SslMode = 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';

export interface PostgresSsl {
  mode: SslMode;
  ca_certificate?: string;
  client_certificate?: string;
  client_key?: string;
  client_key_password?: string;
}

export interface PostgresConnectionConfig {
  [key: string]: unknown;
  host: string;
  port: number;
  database: string;
  username: string;
  password?: string;
  ssl_mode: PostgresSsl;
}

export interface PostgresSourceConfig extends PostgresConnectionConfig {
  schemas?: string[];
}

export interface PostgresDestinationConfig extends PostgresConnectionConfig {
  schema: string;
}

const sslModes: (SslModeChoice & { mode: SslMode })[] = [
  { mode: 'disable', description: 'Never use SSL.', verifies: false },
  { mode: 'allow', description: 'Try without SSL first, then with it.', verifies: false },
  { mode: 'prefer', description: 'Try SSL first, then without it.', verifies: false },
  {
    mode: 'require',
    description: 'Always SSL; the certificate is not checked.',
    verifies: false,
  },
  {
    mode: 'verify-ca',
    description: 'Always SSL; the server certificate must be signed by the given CA.',
    verifies: true,
  },
  {
    mode: 'verify-full',
    description: 'Always SSL; the certificate must be signed by the CA and name the host.',
    verifies: true,
  },
];

const sslModeSchema = sslModeSpec('How the connection uses SSL, as libpq’s sslmode.', sslModes, 'prefer');

const connectionProperties: JsonObject = {
  host: { title: 'Host', description: 'Hostname of the database.', type: 'string', order: 0 },
  port: {
    title: 'Port',
    description: 'Port of the database.',
    type: 'integer',
    minimum: 0,
    maximum: 65536,
    default: 5432,
    examples: ['5432'],
    order: 1,
  },
  database: { title: 'Database Name', type: 'string', order: 2 },
  username: { title: 'Username', type: 'string', order: 4 },
  password: {
    title: 'Password',
    description: 'May be empty or absent for trust authentication.',
    type: 'string',
    airbyte_secret: true,
    order: 5,
  },
  ssl_mode: sslModeSchema,
};

const DOCS = 'https://github.com/sluice/sluice/blob/main/docs/connectors.md';

export const sourceSpec: ConnectorSpecification = {
  documentationUrl: DOCS,
  supportsIncremental: true,
  connectionSpecification: {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'Postgres Source Spec',
    type: 'object',
    required: ['host', 'port', 'database', 'username'],
    additionalProperties: true,
    properties: {
      ...connectionProperties,
      schemas: {
        title: 'Schemas',
        description: 'The schemas to discover; absent or empty: every schema but the system ones.',
        type: 'array',
        items: { type: 'string' },
        uniqueItems: true,
        order: 3,
      },
    },
  },
};

export const destinationSpec: ConnectorSpecification = {
  documentationUrl: DOCS,
  supportsIncremental: true,
  supported_destination_sync_modes: ['overwrite', 'append', 'append_dedup'],
  connectionSpecification: {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'Postgres Destination Spec',
    type: 'object',
    required: ['host', 'port', 'database', 'schema', 'username'],
    additionalProperties: true,
    properties: {
      ...connectionProperties,
      schema: {
        title: 'Default Schema',
        description: 'The schema of streams without a namespace; created when missing.',
        type: 'string',
        default: 'public',
        examples: ['public'],
        order: 3,
      },
    },
  },
};
