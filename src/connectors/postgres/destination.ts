// destination-postgres: typed final tables in the configured schema (or the stream's namespace), bulk
// loaded with COPY. See docs/connectors.md.
import type { Destination } from '../../cdk/connector.js';
import { type SqlWriteOptions, writeSql } from '../sql/destination-writer.js';
import { reportCommitted } from '../sql/destination-state.js';
import { whenStopped } from '../../cdk/output.js';
import { checkConnection, connect } from './connection.js';
import { postgresDestinationDatabase } from './destination-database.js';
import { type PostgresDestinationConfig, destinationSpec } from './spec.js';

export function postgresDestination(
  options: Omit<SqlWriteOptions, 'defaultSchema'> = {},
): Destination<PostgresDestinationConfig> {
  return {
    spec: () => destinationSpec,
    rowFormat: 'postgres-copy-text',

    check(config) {
      return checkConnection(config, async (client) => {
        // the schema is created at the first write: the user needs CREATE on it, or on the database
        const { rows } = await client.query<{ ok: boolean; exists: boolean }>(
          `SELECT CASE WHEN n.oid IS NULL THEN has_database_privilege(current_database(), 'CREATE')
                       ELSE has_schema_privilege(n.oid, 'CREATE') END AS ok, n.oid IS NOT NULL AS exists
             FROM (SELECT 1) one LEFT JOIN pg_namespace n ON n.nspname = $1`,
          [config.schema],
        );
        if (!rows[0].ok) {
          const on = rows[0].exists
            ? `schema ${JSON.stringify(config.schema)}`
            : `database ${config.database}`;
          return {
            status: 'FAILED',
            message: `user ${JSON.stringify(config.username)} may not CREATE in ${on}`,
          };
        }
        return { status: 'SUCCEEDED' };
      });
    },

    async write(config, catalog, input, out) {
      const client = await connect(config);
      const stopListening = whenStopped(out, () => void client.end().catch(() => {}));
      const db = postgresDestinationDatabase(client);
      try {
        await writeSql(db, catalog, input, out, { ...options, defaultSchema: config.schema });
      } finally {
        stopListening();
        await db.close().catch(() => {});
      }
    },

    async committedState(config, catalog, out) {
      const db = postgresDestinationDatabase(await connect(config));
      try {
        await reportCommitted(db, catalog, config.schema, out);
      } finally {
        await db.close().catch(() => {});
      }
    },
  };
}
