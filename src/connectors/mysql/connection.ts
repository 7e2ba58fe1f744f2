// One mysql2 connection from a connector configuration, its session in UTC and utf8mb4. `preferred`
// tries SSL and falls back to a plain connection when the server has none.
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import mysql from 'mysql2';
import { ConfigError, TransientError } from '../../cdk/errors.js';
import type { MysqlConnectionConfig, MysqlSsl } from './spec.js';

export function sslMode(config: MysqlConnectionConfig): MysqlSsl {
  if (config.ssl_mode) return config.ssl_mode;
  if (config.ssl !== undefined) return { mode: config.ssl ? 'required' : 'disabled' };
  return { mode: 'preferred' };
}

function tlsOptions(ssl: MysqlSsl): TlsOptions {
  if (ssl.mode !== 'verify_ca' && ssl.mode !== 'verify_identity') return { rejectUnauthorized: false };
  return {
    rejectUnauthorized: true,
    ca: ssl.ca_certificate,
    cert: ssl.client_certificate,
    key: ssl.client_key,
    passphrase: ssl.client_key_password,
    ...(ssl.mode === 'verify_ca' ? { checkServerIdentity: () => undefined } : {}),
  };
}

function attempt(config: MysqlConnectionConfig, ssl: MysqlSsl | undefined): Promise<mysql.Connection> {
  const connection = mysql.createConnection({
    host: config.host,
    port: config.port,
    database: config.database,
    user: config.username,
    password: config.password || undefined,
    ssl: ssl && (tlsOptions(ssl) as mysql.SslOptions),
    charset: 'utf8mb4',
    timezone: 'Z',
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    connectTimeout: 15_000,
  });
  return new Promise((resolve, reject) => {
    connection.connect((error) => {
      if (!error) return resolve(connection);
      connection.destroy();
      reject(error);
    });
  });
}

const SSL_REFUSED = /does not support secure connection/i;

export async function connect(config: MysqlConnectionConfig): Promise<mysql.Connection> {
  const ssl = sslMode(config);
  let connection: mysql.Connection;
  try {
    try {
      connection = await attempt(config, ssl.mode === 'disabled' ? undefined : ssl);
    } catch (error) {
      if (ssl.mode !== 'preferred' || !SSL_REFUSED.test(String(error))) throw error;
      connection = await attempt(config, undefined);
    }
  } catch (error) {
    throw connectionError(config, ssl, error);
  }
  // an error on an idle connection surfaces on the next query instead
  connection.on('error', () => {});
  await connection.promise().query("SET time_zone = '+00:00'");
  return connection;
}

/** Interrupts the statement `connection` is running, from a connection of its own: closing a connection
 * does not stop its query (the server finishes it, and the client waits for the result). */
export async function killQuery(config: MysqlConnectionConfig, connection: mysql.Connection): Promise<void> {
  const killer = await connect(config);
  try {
    await killer.promise().query('KILL QUERY ?', [connection.threadId]);
  } finally {
    killer.destroy();
  }
}

const CONFIG_CODES = new Set([
  'ER_ACCESS_DENIED_ERROR',
  'ER_DBACCESS_DENIED_ERROR',
  'ER_BAD_DB_ERROR',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'HANDSHAKE_NO_SSL_SUPPORT',
]);

function connectionError(config: MysqlConnectionConfig, ssl: MysqlSsl, error: unknown): Error {
  const { code, message } = error as { code?: string; message?: string };
  const text =
    `could not connect to MySQL at ${config.host}:${config.port} (database ${JSON.stringify(config.database)}, ` +
    `user ${JSON.stringify(config.username)}, ssl_mode ${ssl.mode}): ${message || code || String(error)}`;
  if ((code && CONFIG_CODES.has(code)) || /SSL|secure connection|certificate/i.test(message ?? '')) {
    return new ConfigError(text, { cause: error });
  }
  return new TransientError(text, { cause: error });
}
