// source-mysql: the tables and views of one database, full refresh or incremental by a user-chosen
// cursor column. See docs/connectors.md.
import type { Source } from '../../cdk/connector.js';
import { whenStopped } from '../../cdk/output.js';
import { type ReadOptions, airbyteStream, readSql } from '../sql/source-reader.js';
import { connect, killQuery } from './connection.js';
import { mysqlSourceDatabase } from './source-database.js';
import { type MysqlConnectionConfig, sourceSpec } from './spec.js';

export function mysqlSource(options: ReadOptions = {}): Source<MysqlConnectionConfig> {
  return {
    spec: () => sourceSpec,

    async check(config) {
      try {
        const connection = await connect(config);
        connection.destroy();
        return { status: 'SUCCEEDED' };
      } catch (error) {
        return { status: 'FAILED', message: (error as Error).message };
      }
    },

    async discover(config) {
      const connection = await connect(config);
      try {
        const tables = await mysqlSourceDatabase(connection, config.database).tables();
        return { streams: tables.map(airbyteStream) };
      } finally {
        connection.destroy();
      }
    },

    async read(config, catalog, state, out) {
      const connection = await connect(config);
      const db = connection.promise();
      const stopListening = whenStopped(out, () => void killQuery(config, connection).catch(() => {}));
      try {
        // one snapshot for every stream, and a promise to write nothing
        await db.query('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
        await db.query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
        await readSql(mysqlSourceDatabase(connection, config.database), catalog, state, out, options);
        await db.query('COMMIT');
      } finally {
        stopListening();
        connection.destroy();
      }
    },
  };
}
