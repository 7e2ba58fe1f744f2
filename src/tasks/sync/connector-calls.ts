// The short connector commands a sync makes before moving data: spec, check and discover, each one
// process (or a call in this process, for a sync of two built-ins) whose few messages are collected,
// its failure turned into the sync's failure.
import type {
  AirbyteCatalog,
  AirbyteMessage,
  ConfiguredAirbyteCatalog,
  ConnectorSpecification,
  JsonObject,
} from '../../protocol/messages.js';
import { validateConfig } from '../../protocol/config-validation.js';
import type { Destination, Source } from '../../cdk/connector.js';
import { runInProcess } from './in-process.js';
import { type ConnectorExit, type ConnectorLaunch, runConnector } from './launcher.js';
import { builtInOf } from './connector-command.js';
import type { ConnectorSide } from './state-store.js';
import { SyncFailure } from './sync-failure.js';

export { SyncFailure };

export interface ConnectorCall {
  side: ConnectorSide;
  command: readonly string[];
  /** the built-in connector `command` runs, to call in this process instead (in-process.ts) */
  inProcess?: Source | Destination;
  signal?: AbortSignal;
  onLog?: (line: string) => void;
}

export async function specOf(call: ConnectorCall): Promise<ConnectorSpecification> {
  const spec = await single(call, { verb: 'spec' }, 'SPEC');
  return spec.spec;
}

/** The configuration as given, once it is known to fit the spec; else a config_error naming every bad
 * field. The spec's defaults are the connector's to apply: Airbyte's platform passes configurations
 * as they are, and a connector may tell an absent field from its default. */
export function validated(side: ConnectorSide, spec: ConnectorSpecification, config: JsonObject): JsonObject {
  const result = validateConfig(spec.connectionSpecification, structuredClone(config));
  if (result.ok) return config;
  throw new SyncFailure('config_error', `${side}.config is invalid: ${result.errors.join('; ')}`);
}

export async function check(call: ConnectorCall, config: JsonObject): Promise<void> {
  const { connectionStatus } = await single(call, { verb: 'check', config }, 'CONNECTION_STATUS');
  if (connectionStatus.status !== 'SUCCEEDED') {
    throw new SyncFailure(
      'config_error',
      `${call.side} check failed: ${connectionStatus.message ?? 'the connector gave no reason'}`,
    );
  }
}

export async function discover(call: ConnectorCall, config: JsonObject): Promise<AirbyteCatalog> {
  const { catalog } = await single(call, { verb: 'discover', config }, 'CATALOG');
  return catalog;
}

/**
 * What the destination committed in earlier attempts of this sync (its streams' `sync_id`), when it can
 * say (Destination.committedState: the built-in SQL destinations); undefined for any other destination,
 * which the platform cannot ask and whose resumption stays at least once.
 */
export async function committedState(
  call: ConnectorCall,
  config: JsonObject,
  catalog: ConfiguredAirbyteCatalog,
): Promise<AirbyteMessage[] | undefined> {
  const builtIn = builtInOf(call.command);
  const implementation =
    call.inProcess ?? (builtIn?.kind === 'destination' ? await builtIn.load() : undefined);
  if (!implementation || !('committedState' in implementation) || !implementation.committedState) {
    return undefined;
  }
  const { messages, exit } = call.inProcess
    ? await runInProcess(call.inProcess, 'committed-state', config, catalog)
    : await runConnector({
        verb: 'committed-state',
        config,
        catalog,
        command: call.command,
        signal: call.signal,
        onStderr: call.onLog,
        configFd: true,
      });
  if (exit.cancelled) throw new SyncFailure('system_error', `${call.side} committed-state was cancelled`);
  const failure = failureOfExit(call.side, 'committed-state', exit);
  if (failure) throw failure;
  return messages.map((m) => m.message);
}

/** Turns a connector's failed exit into the sync's failure. */
export function failureOfExit(
  side: ConnectorSide,
  verb: string,
  exit: ConnectorExit,
): SyncFailure | undefined {
  if (!exit.failure) return undefined;
  const { failureType, message } = exit.failure;
  return new SyncFailure(failureType, `${side} ${verb} failed (${failureType}): ${message}`);
}

async function single<T extends AirbyteMessage['type']>(
  call: ConnectorCall,
  launch: Pick<ConnectorLaunch, 'verb' | 'config'>,
  type: T,
): Promise<Extract<AirbyteMessage, { type: T }>> {
  const { messages, exit } = call.inProcess
    ? await runInProcess(
        call.inProcess,
        launch.verb as 'spec' | 'check' | 'discover',
        launch.config as JsonObject,
      )
    : await runConnector({
        ...launch,
        command: call.command,
        signal: call.signal,
        onStderr: call.onLog,
        configFd: builtInOf(call.command) !== undefined,
      });
  if (exit.cancelled) throw new SyncFailure('system_error', `${call.side} ${launch.verb} was cancelled`);
  const failure = failureOfExit(call.side, launch.verb, exit);
  if (failure) throw failure;
  for (const { message } of messages) if (message.type === 'LOG') call.onLog?.(message.log.message);
  const found = messages.find((m) => m.message.type === type)?.message;
  if (!found) {
    throw new SyncFailure('system_error', `${call.side} ${launch.verb} ended without a ${type} message`);
  }
  return found as Extract<AirbyteMessage, { type: T }>;
}
