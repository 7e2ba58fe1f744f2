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
];

export function builtInConnector(name: string): BuiltInConnector | undefined {
  return BUILT_IN_CONNECTORS.find((c) => c.name === name);
}
