// Runs a cdk connector for one Airbyte command and returns its exit code: 0, or 1 after a TRACE error
// on stdout, which is how Airbyte connectors report a failure to the platform.
import { readFile } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import { decodeMessageBatches, flatten } from '../protocol/codec.js';
import { validateConfig } from '../protocol/config-validation.js';
import type { AirbyteMessage, ConfiguredAirbyteCatalog, JsonObject } from '../protocol/messages.js';
import { type ConnectorArgs, type Verb, parseArgs } from './args.js';
import type { Destination, Source } from './connector.js';
import { ConfigError, ConnectorError } from './errors.js';
import { InputState } from './state.js';
import { MessageWriter } from './writer.js';

export interface ConnectorIo {
  stdout?: Writable;
  stdin?: Readable;
}

export function runSource<C extends JsonObject>(
  source: Source<C>,
  argv: readonly string[],
  io: ConnectorIo = {},
): Promise<number> {
  return run(source, argv, ['spec', 'check', 'discover', 'read'], io, async (args, config, out) => {
    if (args.verb === 'discover') {
      await out.message({ type: 'CATALOG', catalog: await source.discover(config) });
    } else {
      const catalog = await readJson<ConfiguredAirbyteCatalog>(args.catalog!, 'catalog');
      const state = new InputState(
        args.state === undefined ? undefined : await readJson(args.state, 'state'),
      );
      await source.read(config, catalog, state, out);
    }
  });
}

export function runDestination<C extends JsonObject>(
  destination: Destination<C>,
  argv: readonly string[],
  io: ConnectorIo = {},
): Promise<number> {
  return run(destination, argv, ['spec', 'check', 'write'], io, async (args, config, out) => {
    const catalog = await readJson<ConfiguredAirbyteCatalog>(args.catalog!, 'catalog');
    await destination.write(config, catalog, messagesFrom(io.stdin ?? process.stdin), out);
  });
}

type Connector<C extends JsonObject> = Pick<Source<C>, 'spec' | 'check'>;

async function run<C extends JsonObject>(
  connector: Connector<C>,
  argv: readonly string[],
  verbs: readonly Verb[],
  io: ConnectorIo,
  act: (args: ConnectorArgs, config: C, out: MessageWriter) => Promise<void>,
): Promise<number> {
  const out = new MessageWriter(io.stdout ?? process.stdout);
  let verb: Verb | undefined;
  try {
    const args = parseArgs(argv, verbs);
    verb = args.verb;
    const spec = connector.spec();
    if (args.verb === 'spec') {
      await out.message({ type: 'SPEC', spec });
    } else {
      const config = await loadConfig<C>(args.config!, spec.connectionSpecification);
      if (args.verb === 'check') {
        await out.message({ type: 'CONNECTION_STATUS', connectionStatus: await connector.check(config) });
      } else {
        await act(args, config, out);
      }
    }
    await out.flush();
    return 0;
  } catch (error) {
    const failure = error instanceof ConnectorError ? error : undefined;
    const failureType = failure?.failureType ?? 'system_error';
    const message = error instanceof Error ? error.message : String(error);
    // Airbyte's check reports a configuration it cannot use as a FAILED status, not as a crash
    if (verb === 'check' && failureType === 'config_error') {
      await out.message({ type: 'CONNECTION_STATUS', connectionStatus: { status: 'FAILED', message } });
      await out.flush();
      return 0;
    }
    await out.traceError(failureType, message, error instanceof Error && !failure ? error : undefined);
    await out.flush();
    return 1;
  }
}

async function loadConfig<C extends JsonObject>(
  file: string,
  connectionSpecification: JsonObject,
): Promise<C> {
  const result = validateConfig(connectionSpecification, await readJson(file, 'config'));
  if (!result.ok) throw new ConfigError(`invalid configuration: ${result.errors.join('; ')}`);
  return result.config as C;
}

async function readJson<T = unknown>(file: string, what: string): Promise<T> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read the ${what} file ${file}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new ConfigError(`the ${what} file ${file} is not JSON: ${(error as Error).message}`);
  }
}

function messagesFrom(stdin: Readable): AsyncIterableIterator<AirbyteMessage> {
  return flatten(messageBatches(stdin));
}

async function* messageBatches(stdin: Readable): AsyncGenerator<AirbyteMessage[]> {
  for await (const batch of decodeMessageBatches(stdin, { lazyData: true })) {
    yield batch.map((decoded) => decoded.message);
  }
}
