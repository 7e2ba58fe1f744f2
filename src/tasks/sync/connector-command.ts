// Which program a sync side runs: a built-in connector by its short name (`postgres` under `source:` is
// `source-postgres`), or any Airbyte-protocol executable given as an argv.
import { fileURLToPath } from 'node:url';
import { BUILT_IN_CONNECTORS, builtInConnector } from '../../connectors/registry.js';
import type { ConnectorSide } from './state-store.js';

/** The sluice CLI, relative to this module in both src/ and dist/. */
const SLUICE_BIN = fileURLToPath(new URL('../../../bin/sluice.js', import.meta.url));

export interface ConnectorRef {
  connector?: string;
  command?: string[];
}

export function connectorCommand(side: ConnectorSide, ref: ConnectorRef): string[] {
  if (ref.command !== undefined) return ref.command;
  const short = ref.connector!;
  const name = short.startsWith(`${side}-`) ? short : `${side}-${short}`;
  if (!builtInConnector(name)) {
    const known = BUILT_IN_CONNECTORS.filter((c) => c.kind === side)
      .map((c) => c.name.slice(side.length + 1))
      .join(', ');
    throw new Error(
      `${side}.connector: no built-in ${side} named ${JSON.stringify(short)} (built in: ${known})`,
    );
  }
  // the connector runs as its own process, as an outside one would: a crash or a leak stays its own
  return [process.execPath, SLUICE_BIN, 'connector', name];
}
