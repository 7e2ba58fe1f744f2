// destination-mysql: typed tables in the configured database (or the stream's namespace), bulk loaded
// with LOAD DATA LOCAL. See docs/connectors.md.
import type mysql from 'mysql2';
import type { Destination } from '../../cdk/connector.js';
import { type SqlWriteOptions, writeSql } from '../sql/destination-writer.js';
import { reportCommitted } from '../sql/destination-state.js';
import { type MysqlConnectionConfig, destinationSpec } from './spec.js';
import { connect } from './connection.js';
import { mysqlDestinationDatabase } from './destination-database.js';

export function mysqlDestination(
  options: Omit<SqlWriteOptions, 'defaultSchema'> = {},
): Destination<MysqlConnectionConfig> {
  return {
    spec: () => destinationSpec,

    async check(config) {
      let connection;
      try {
        connection = await connect(config);
      } catch (error) {
        return { status: 'FAILED', message: (error as Error).message };
      }
      try {
        const [[{ local }]] = await connection
          .promise()
          .query<mysql.RowDataPacket[]>('SELECT @@local_infile AS local');
        if (Number(local) !== 1) {
          return { status: 'FAILED', message: 'the server has local_infile off: bulk loads need it on' };
        }
        return { status: 'SUCCEEDED' };
      } finally {
        connection.destroy();
      }
    },

    async write(config, catalog, input, out) {
      const db = mysqlDestinationDatabase(await connect(config));
      try {
        await writeSql(db, catalog, input, out, { ...options, defaultSchema: config.database });
      } finally {
        await db.close().catch(() => {});
      }
    },

    async committedState(config, catalog, out) {
      const db = mysqlDestinationDatabase(await connect(config));
      try {
        await reportCommitted(db, catalog, config.database, out);
      } finally {
        await db.close().catch(() => {});
      }
    },
  };
}
