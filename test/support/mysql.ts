// A MySQL (or MariaDB) database of a test file's own, on the server SLUICE_TEST_MYSQL_URL names
// (CI: mysql://root@127.0.0.1:3306/test); tests skip when it is unset.
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';

export const MYSQL_URL = process.env.SLUICE_TEST_MYSQL_URL;
export const SKIP_MYSQL = MYSQL_URL
  ? false
  : 'SLUICE_TEST_MYSQL_URL is not set: these tests need a real MySQL or MariaDB';

export interface TestMysql {
  name: string;
  connection: mysql.Connection;
  query<T = mysql.RowDataPacket[]>(sql: string, values?: unknown[]): Promise<T>;
  /** a connector configuration of this database */
  config(extra?: Record<string, unknown>): Record<string, unknown>;
  drop(): Promise<void>;
}

export async function createTestMysql(): Promise<TestMysql> {
  const url = new URL(MYSQL_URL!);
  const name = `sluice_test_${randomBytes(6).toString('hex')}`;
  const base = {
    host: url.hostname,
    port: Number(url.port || 3306),
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password) || undefined,
    multipleStatements: true,
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    timezone: 'Z' as const,
  };
  const admin = await mysql.createConnection(base);
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`);
  await admin.end();
  const connection = await mysql.createConnection({ ...base, database: name });
  await connection.query("SET time_zone = '+00:00'");
  return {
    name,
    connection,
    async query<T>(sql: string, values?: unknown[]) {
      const [rows] = await connection.query(sql, values);
      return rows as T;
    },
    config: (extra = {}) => ({
      host: base.host,
      port: base.port,
      database: name,
      username: base.user,
      password: base.password ?? '',
      ssl_mode: { mode: 'disabled' },
      ...extra,
    }),
    async drop() {
      await connection.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await connection.end();
    },
  };
}
