// One pg client from a connector configuration. libpq's sslmodes are honoured: `prefer` tries SSL and
// falls back to a plain connection when the server has none, `allow` the other way round; the
// verifying modes check the certificate against the given CA (and, for verify-full, the host name).
import pg from 'pg';
import type { ConnectionOptions } from 'node:tls';
import { ConfigError, TransientError } from '../../cdk/errors.js';
import type { AirbyteConnectionStatus } from '../../protocol/messages.js';
import type { PostgresConnectionConfig } from './spec.js';

function tlsOptions(config: PostgresConnectionConfig): ConnectionOptions {
  const ssl = config.ssl_mode;
  if (ssl.mode !== 'verify-ca' && ssl.mode !== 'verify-full') return { rejectUnauthorized: false };
  return {
    rejectUnauthorized: true,
    ca: ssl.ca_certificate,
    cert: ssl.client_certificate,
    key: ssl.client_key,
    passphrase: ssl.client_key_password,
    // verify-ca trusts any name the CA signed
    ...(ssl.mode === 'verify-ca' ? { checkServerIdentity: () => undefined } : {}),
  };
}

function clientConfig(config: PostgresConnectionConfig, ssl: boolean): pg.ClientConfig {
  return {
    host: config.host,
    port: config.port,
    database: config.database,
    user: config.username,
    // an empty password means none: trust (or peer) authentication
    password: config.password || undefined,
    ssl: ssl ? tlsOptions(config) : false,
    application_name: 'sluice',
    connectionTimeoutMillis: 15_000,
  };
}

async function attempt(config: PostgresConnectionConfig, ssl: boolean): Promise<pg.Client> {
  const client = new pg.Client(clientConfig(config, ssl));
  // an error on an idle client (the server went away) surfaces on the next query instead
  client.on('error', () => {});
  try {
    await client.connect();
    return client;
  } catch (error) {
    await client.end().catch(() => {});
    throw error;
  }
}

const SSL_REFUSED = /does not support SSL|no pg_hba\.conf entry .*SSL off|no encryption/i;

/** A connected client, its session in UTC with ISO dates (what the connectors' SQL relies on). */
export async function connect(config: PostgresConnectionConfig): Promise<pg.Client> {
  const mode = config.ssl_mode.mode;
  let client: pg.Client;
  try {
    const first = mode !== 'disable' && mode !== 'allow';
    try {
      client = await attempt(config, first);
    } catch (error) {
      const retry =
        (mode === 'prefer' || mode === 'allow') && (mode === 'allow' || SSL_REFUSED.test(String(error)));
      if (!retry) throw error;
      client = await attempt(config, !first);
    }
  } catch (error) {
    throw connectionError(config, error);
  }
  await client.query("SET TIME ZONE 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'iso_8601'");
  return client;
}

/** A connector's check: FAILED with the reason when no connection can be made, else what `probe`
 * finds on one (closed after). */
export async function checkConnection(
  config: PostgresConnectionConfig,
  probe: (client: pg.Client) => Promise<AirbyteConnectionStatus>,
): Promise<AirbyteConnectionStatus> {
  let client: pg.Client;
  try {
    client = await connect(config);
  } catch (error) {
    return { status: 'FAILED', message: (error as Error).message };
  }
  try {
    return await probe(client);
  } finally {
    await client.end();
  }
}

// SQLSTATE classes a retry does not fix: invalid authorization (28), invalid catalog name (3D)
const CONFIG_STATES = /^(28|3D)/;
const CONFIG_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED']);

function connectionError(config: PostgresConnectionConfig, error: unknown): Error {
  const { code, message } = error as { code?: string; message?: string };
  const text =
    `could not connect to PostgreSQL at ${config.host}:${config.port} (database ${JSON.stringify(config.database)}, ` +
    `user ${JSON.stringify(config.username)}, ssl_mode ${config.ssl_mode.mode}): ${message ?? String(error)}`;
  if (code && (CONFIG_STATES.test(code) || CONFIG_CODES.has(code)))
    return new ConfigError(text, { cause: error });
  if (/SSL|certificate/i.test(message ?? '')) return new ConfigError(text, { cause: error });
  return new TransientError(text, { cause: error });
}
