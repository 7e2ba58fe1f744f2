// The built-in connectors, by their Airbyte image names. Each loads its implementation only when run,
// so listing them, or running one, never loads the others (or their database drivers).
import type { ConnectorIo } from '../cdk/run.js';

export interface BuiltInConnector {
  name: string;
  kind: 'source' | 'destination';
  description: string;
  /** runs one Airbyte command (`spec`, `check --config F`, …) and resolves to the exit code */
  run(argv: readonly string[], io?: ConnectorIo): Promise<number>;
}

export const BUILT_IN_CONNECTORS: readonly BuiltInConnector[] = [
  {
    name: 'source-faker',
    kind: 'source',
    description: 'generated users, products and purchases, deterministic by seed',
    async run(argv, io) {
      const [{ runSource }, { fakerSource }] = await Promise.all([
        import('../cdk/run.js'),
        import('./faker/source.js'),
      ]);
      return runSource(fakerSource, argv, io);
    },
  },
  {
    name: 'source-file',
    kind: 'source',
    description: 'local CSV, JSON Lines or Parquet files (a path or a glob), incremental by new files',
    async run(argv, io) {
      const [{ runSource }, { fileSource }] = await Promise.all([
        import('../cdk/run.js'),
        import('./file/source.js'),
      ]);
      return runSource(fileSource, argv, io);
    },
  },
  {
    name: 'destination-file',
    kind: 'destination',
    description: 'one JSONL, CSV or Parquet file per stream and sync in a local folder: overwrite or append',
    async run(argv, io) {
      const [{ runDestination }, { fileDestination }] = await Promise.all([
        import('../cdk/run.js'),
        import('./file/destination.js'),
      ]);
      return runDestination(fileDestination, argv, io);
    },
  },
  {
    name: 'source-postgres',
    kind: 'source',
    description: 'tables and views of PostgreSQL schemas, full refresh or incremental by a cursor column',
    async run(argv, io) {
      const [{ runSource }, { postgresSource }] = await Promise.all([
        import('../cdk/run.js'),
        import('./postgres/source.js'),
      ]);
      return runSource(postgresSource(), argv, io);
    },
  },
  {
    name: 'destination-postgres',
    kind: 'destination',
    description: 'typed PostgreSQL tables loaded with COPY: overwrite, append or append_dedup',
    async run(argv, io) {
      const [{ runDestination }, { postgresDestination }] = await Promise.all([
        import('../cdk/run.js'),
        import('./postgres/destination.js'),
      ]);
      return runDestination(postgresDestination(), argv, io);
    },
  },
  {
    name: 'source-mysql',
    kind: 'source',
    description:
      'tables and views of a MySQL or MariaDB database, full refresh or incremental by a cursor column',
    async run(argv, io) {
      const [{ runSource }, { mysqlSource }] = await Promise.all([
        import('../cdk/run.js'),
        import('./mysql/source.js'),
      ]);
      return runSource(mysqlSource(), argv, io);
    },
  },
  {
    name: 'destination-mysql',
    kind: 'destination',
    description: 'typed MySQL or MariaDB tables loaded with LOAD DATA: overwrite, append or append_dedup',
    async run(argv, io) {
      const [{ runDestination }, { mysqlDestination }] = await Promise.all([
        import('../cdk/run.js'),
        import('./mysql/destination.js'),
      ]);
      return runDestination(mysqlDestination(), argv, io);
    },
  },
];

export function builtInConnector(name: string): BuiltInConnector | undefined {
  return BUILT_IN_CONNECTORS.find((c) => c.name === name);
}
