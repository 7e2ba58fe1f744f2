// Configuration of source-mysql and destination-mysql, with the field names of Airbyte's connectors
// of the same names. `database` is the MySQL database (MySQL's schema). Fields of theirs that tune
// their own machinery (jdbc_url_params, replication_method, tunnel_method…) are accepted and ignored.
import type { ConnectorSpecification, JsonObject } from '../../protocol/messages.js';
import { type SslModeChoice, sslModeSpec } from '../sql/ssl-mode-spec.js';

export type MysqlSslModeName = 'disabled' | 'preferred' | 'required' | 'verify_ca' | 'verify_identity';

export interface MysqlSsl {
  mode: MysqlSslModeName;
  ca_certificate?: string;
  client_certificate?: string;
  client_key?: string;
  client_key_password?: string;
}

export interface MysqlConnectionConfig {
  [key: string]: unknown;
  host: string;
  port: number;
  database: string;
  username: string;
  password?: string;
  ssl_mode?: MysqlSsl;
  /** destination-mysql's older switch: true asks for SSL (required), false for none */
  ssl?: boolean;
}

const modes: (SslModeChoice & { mode: MysqlSslModeName })[] = [
  { mode: 'disabled', description: 'Never use SSL.', verifies: false },
  {
    mode: 'preferred',
    description: 'SSL when the server offers it, else a plain connection.',
    verifies: false,
  },
  { mode: 'required', description: 'Always SSL; the certificate is not checked.', verifies: false },
  {
    mode: 'verify_ca',
    description: 'Always SSL, with a certificate signed by the given CA.',
    verifies: true,
  },
  {
    mode: 'verify_identity',
    description: 'As verify_ca, and the certificate must name the host.',
    verifies: true,
  },
];

const connectionProperties: JsonObject = {
  host: { title: 'Host', description: 'Hostname of the database.', type: 'string', order: 0 },
  port: {
    title: 'Port',
    description: 'Port of the database.',
    type: 'integer',
    minimum: 0,
    maximum: 65536,
    default: 3306,
    examples: ['3306'],
    order: 1,
  },
  database: { title: 'Database', description: 'Name of the database.', type: 'string', order: 2 },
  username: { title: 'Username', type: 'string', order: 3 },
  password: {
    title: 'Password',
    description: 'May be empty or absent for an account without one.',
    type: 'string',
    airbyte_secret: true,
    order: 4,
  },
  ssl_mode: sslModeSpec('How the connection uses SSL; default preferred.', modes),
};

const DOCS = 'https://github.com/sluice/sluice/blob/main/docs/connectors.md';

export const sourceSpec: ConnectorSpecification = {
  documentationUrl: DOCS,
  supportsIncremental: true,
  connectionSpecification: {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'MySql Source Spec',
    type: 'object',
    required: ['host', 'port', 'database', 'username'],
    additionalProperties: true,
    properties: connectionProperties,
  },
};

export const destinationSpec: ConnectorSpecification = {
  documentationUrl: DOCS,
  supportsIncremental: true,
  supported_destination_sync_modes: ['overwrite', 'append', 'append_dedup'],
  connectionSpecification: {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'MySQL Destination Spec',
    type: 'object',
    required: ['host', 'port', 'database', 'username'],
    additionalProperties: true,
    properties: {
      ...connectionProperties,
      ssl: {
        title: 'SSL Connection',
        description:
          'Airbyte’s older switch: true requires SSL, false disables it; ssl_mode wins when both are set.',
        type: 'boolean',
        order: 6,
      },
    },
  },
};
