// source-postgres: tables and views of the configured schemas, full refresh or incremental by a
// user-chosen cursor column. See docs/connectors.md.
import type { Source } from '../../cdk/connector.js';
import { type ReadOptions, airbyteStream, readSql } from '../sql/source-reader.js';
import { whenStopped } from '../../cdk/output.js';
import { checkConnection, connect } from './connection.js';
import { postgresSourceDatabase } from './source-database.js';
import { type PostgresSourceConfig, sourceSpec } from './spec.js';

export function postgresSource(options: ReadOptions = {}): Source<PostgresSourceConfig> {
  return {
    spec: () => sourceSpec,

    check(config) {
      return checkConnection(config, async (client) => {
        const wanted = config.schemas ?? [];
        const { rows } = await client.query<{ nspname: string }>(
          'SELECT nspname FROM pg_namespace WHERE nspname = ANY($1::text[])',
          [wanted],
        );
        const missing = wanted.filter((s) => !rows.some((r) => r.nspname === s));
        if (missing.length > 0) {
          return {
            status: 'FAILED',
            message: `config.schemas: no schema ${missing.map((s) => JSON.stringify(s)).join(', ')}`,
          };
        }
        return { status: 'SUCCEEDED' };
      });
    },

    async discover(config) {
      const client = await connect(config);
      try {
        const tables = await postgresSourceDatabase(client, config.schemas ?? []).tables();
        return { streams: tables.map(airbyteStream) };
      } finally {
        await client.end();
      }
    },

    async read(config, catalog, state, out) {
      const client = await connect(config);
      const stopListening = whenStopped(out, () => void client.end().catch(() => {}));
      try {
        // one snapshot for every stream, and a promise to write nothing
        await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        await readSql(postgresSourceDatabase(client, config.schemas ?? []), catalog, state, out, options);
        await client.query('COMMIT');
      } finally {
        stopListening();
        await client.end().catch(() => {});
      }
    },
  };
}
