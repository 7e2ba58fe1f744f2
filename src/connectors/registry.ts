// The built-in connectors, by their Airbyte image names. Each loads its implementation only when run,
// so listing them, or running one, never loads the others (or their database drivers).
import type { Destination, Source } from '../cdk/connector.js';
import type { ConnectorIo } from '../cdk/run.js';

interface Entry<Kind extends 'source' | 'destination', Impl> {
  name: string;
  kind: Kind;
  description: string;
  /** the implementation, imported on first use */
  load(): Promise<Impl>;
}

export type BuiltInConnector = Entry<'source', Source> | Entry<'destination', Destination>;

export const BUILT_IN_CONNECTORS: readonly BuiltInConnector[] = [
  {
    name: 'source-faker',
    kind: 'source',
    description: 'generated users, products and purchases, deterministic by seed',
    async load() {
      const { fakerSource } = await import('./faker/source.js');
      return fakerSource;
    },
  },
  {
    name: 'source-file',
    kind: 'source',
    description: 'local CSV, JSON Lines or Parquet files (a path or a glob), incremental by new files',
    async load() {
      const { fileSource } = await import('./file/source.js');
      return fileSource;
    },
  },
  {
    name: 'source-declarative-manifest',
    kind: 'source',
    description:
      "Airbyte's low-code (declarative manifest) connectors, the manifest under __injected_declarative_manifest",
    async load() {
      const { declarativeManifestSource } = await import('./declarative/source.js');
      return declarativeManifestSource;
    },
  },
  {
    name: 'destination-file',
    kind: 'destination',
    description: 'one JSONL, CSV or Parquet file per stream and sync in a local folder: overwrite or append',
    async load() {
      const { fileDestination } = await import('./file/destination.js');
      return fileDestination;
    },
  },
  {
    name: 'source-postgres',
    kind: 'source',
    description: 'tables and views of PostgreSQL schemas, full refresh or incremental by a cursor column',
    async load() {
      const { postgresSource } = await import('./postgres/source.js');
      return postgresSource();
    },
  },
  {
    name: 'destination-postgres',
    kind: 'destination',
    description: 'typed PostgreSQL tables loaded with COPY: overwrite, append or append_dedup',
    async load() {
      const { postgresDestination } = await import('./postgres/destination.js');
      return postgresDestination();
    },
  },
  {
    name: 'source-mysql',
    kind: 'source',
    description:
      'tables and views of a MySQL or MariaDB database, full refresh or incremental by a cursor column',
    async load() {
      const { mysqlSource } = await import('./mysql/source.js');
      return mysqlSource();
    },
  },
  {
    name: 'destination-mysql',
    kind: 'destination',
    description: 'typed MySQL or MariaDB tables loaded with LOAD DATA: overwrite, append or append_dedup',
    async load() {
      const { mysqlDestination } = await import('./mysql/destination.js');
      return mysqlDestination();
    },
  },
];

export function builtInConnector(name: string): BuiltInConnector | undefined {
  return BUILT_IN_CONNECTORS.find((c) => c.name === name);
}

/** Runs one Airbyte command (`spec`, `check --config F`, …) of a built-in connector; resolves to the
 * exit code. */
export async function runBuiltIn(
  connector: BuiltInConnector,
  argv: readonly string[],
  io?: ConnectorIo,
): Promise<number> {
  const { runDestination, runSource } = await import('../cdk/run.js');
  return connector.kind === 'source'
    ? runSource(await connector.load(), argv, io)
    : runDestination(await connector.load(), argv, io);
}
