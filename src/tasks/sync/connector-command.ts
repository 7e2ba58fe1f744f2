// What program a sync side runs, with which configuration: a built-in connector by its short name
// (`postgres` under `source:` is `source-postgres`), a registered connector definition, any
// Airbyte-protocol executable given as an argv, or a stored source / destination by id.
import { fileURLToPath } from 'node:url';
import { BUILT_IN_CONNECTORS, type BuiltInConnector, builtInConnector } from '../../connectors/registry.js';
import type { JsonObject } from '../../protocol/messages.js';
import { SyncFailure } from './sync-failure.js';
import type { ConnectorResolver, ConnectorSide, ResolvedConnector } from './state-store.js';

/** The sluice CLI, relative to this module in both src/ and dist/. */
const SLUICE_BIN = fileURLToPath(new URL('../../../bin/sluice.js', import.meta.url));

/** A connector streams many short-lived values: V8's default young generation (16 MiB semi-spaces)
 * grows to hold them for no gain. 4 MiB kept the destination-postgres and source-faker processes
 * ≈ 20 MB smaller each on 300k records, in the same CPU time. */
const CONNECTOR_NODE_OPTIONS = ['--max-semi-space-size=4'];

export interface ConnectorRef {
  connector?: string;
  command?: string[];
  sourceId?: string;
  destinationId?: string;
  config?: JsonObject;
  /** a declarative-manifest source's Airbyte manifest (a map, YAML text or a file path) */
  manifest?: unknown;
}

export async function resolveConnector(
  side: ConnectorSide,
  ref: ConnectorRef,
  resolver: ConnectorResolver | undefined,
): Promise<ResolvedConnector> {
  const id = side === 'source' ? ref.sourceId : ref.destinationId;
  if (id !== undefined) {
    const stored = await resolver?.actor(side, id);
    if (!stored) throw new SyncFailure('config_error', `${side}.${side}Id: no ${side} ${JSON.stringify(id)}`);
    return stored;
  }
  const config = ref.config ?? {};
  if (ref.command !== undefined) return { command: ref.command, config };
  return { command: await namedCommand(side, ref.connector!, resolver), config };
}

export async function namedCommand(
  side: ConnectorSide,
  short: string,
  resolver: ConnectorResolver | undefined,
): Promise<string[]> {
  const name = short.startsWith(`${side}-`) ? short : `${side}-${short}`;
  // as a command, a built-in connector is its own process, as an outside one would be (a sync of two
  // built-ins may run them in process instead: builtInOf)
  if (builtInConnector(name))
    return [process.execPath, ...CONNECTOR_NODE_OPTIONS, SLUICE_BIN, 'connector', name];
  const registered = await resolver?.definition(side, short);
  if (registered) return registered;
  const known = BUILT_IN_CONNECTORS.filter((c) => c.kind === side)
    .map((c) => c.name.slice(side.length + 1))
    .join(', ');
  throw new SyncFailure(
    'config_error',
    `${side}.connector: no built-in or registered ${side} named ${JSON.stringify(short)} (built in: ${known})`,
  );
}

/** The built-in connector a command runs, when it is one of ours as namedCommand spells it. */
export function builtInOf(command: readonly string[]): BuiltInConnector | undefined {
  const options = CONNECTOR_NODE_OPTIONS.length;
  const [node, bin, verb, name] = [command[0], ...command.slice(1 + options)];
  const ours =
    command.length === 4 + options &&
    node === process.execPath &&
    CONNECTOR_NODE_OPTIONS.every((option, i) => command[1 + i] === option) &&
    bin === SLUICE_BIN &&
    verb === 'connector';
  return ours ? builtInConnector(name) : undefined;
}
