// Runs a cdk connector for one Airbyte command and returns its exit code: 0, or 1 after a TRACE error
// on stdout, which is how Airbyte connectors report a failure to the platform.
import { readFile as readFileAt } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import { decodeMessageBatches, flatten } from '../protocol/codec.js';
import { validateConfig } from '../protocol/config-validation.js';
import type { AirbyteMessage, ConfiguredAirbyteCatalog, JsonObject } from '../protocol/messages.js';
import type { MessageOutput } from './output.js';
import type { RowBatch } from './rows.js';
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
  const verbs: Verb[] = ['spec', 'check', 'write'];
  if (destination.committedState) verbs.push('committed-state');
  return run(destination, argv, verbs, io, async (args, config, out) => {
    const catalog = await readJson<ConfiguredAirbyteCatalog>(args.catalog!, 'catalog');
    if (args.verb === 'committed-state') await destination.committedState!(config, catalog, out);
    else await destination.write(config, catalog, messagesFrom(io.stdin ?? process.stdin), out);
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
  return reported(
    out,
    () => verb,
    async () => {
      const args = parseArgs(argv, verbs);
      verb = args.verb;
      if (args.verb === 'spec' || args.verb === 'check') {
        const config = args.verb === 'check' ? await readJson(args.config!, 'config') : undefined;
        await answer(connector, args.verb, config, out);
      } else {
        await act(args, await loadConfig<C>(args.config!, connector.spec().connectionSpecification), out);
      }
    },
  );
}

async function answer<C extends JsonObject>(
  connector: Connector<C>,
  verb: 'spec' | 'check',
  config: unknown,
  out: MessageOutput,
): Promise<void> {
  const spec = connector.spec();
  if (verb === 'spec') {
    await out.message({ type: 'SPEC', spec });
  } else {
    const valid = validConfig<C>(spec.connectionSpecification, config);
    await out.message({ type: 'CONNECTION_STATUS', connectionStatus: await connector.check(valid) });
  }
}

/** `spec`, `check` or a source's `discover` in the caller's process; see readInProcess. */
export function callInProcess(
  connector: Source | Destination,
  verb: 'spec' | 'check' | 'discover',
  config: JsonObject | undefined,
  out: MessageOutput,
): Promise<number> {
  return reported(
    out,
    () => verb,
    async () => {
      if (verb !== 'discover') return answer(connector, verb, config, out);
      if (!('discover' in connector)) throw new Error('a destination has no discover');
      const valid = validConfig(connector.spec().connectionSpecification, config);
      await out.message({ type: 'CATALOG', catalog: await connector.discover(valid) });
    },
  );
}

/**
 * A source's `read` in the caller's process (the platform's in-process path for built-in connectors):
 * the configuration, catalog and state as values rather than files, the messages to `out` as objects,
 * a failure reported exactly as the command line reports it. Resolves to the exit code the command
 * would have had.
 */
export function readInProcess<C extends JsonObject>(
  source: Source<C>,
  config: JsonObject,
  catalog: ConfiguredAirbyteCatalog,
  state: unknown,
  out: MessageOutput,
): Promise<number> {
  return reported(
    out,
    () => 'read',
    async () => {
      const valid = validConfig<C>(source.spec().connectionSpecification, config);
      await source.read(valid, catalog, new InputState(state), out);
    },
  );
}

/** A destination's `write` in the caller's process; see readInProcess. */
export function writeInProcess<C extends JsonObject>(
  destination: Destination<C>,
  config: JsonObject,
  catalog: ConfiguredAirbyteCatalog,
  input: AsyncIterable<AirbyteMessage | RowBatch>,
  out: MessageOutput,
): Promise<number> {
  return reported(
    out,
    () => 'write',
    async () => {
      const valid = validConfig<C>(destination.spec().connectionSpecification, config);
      await destination.write(valid, catalog, input, out);
    },
  );
}

/** A destination's `committed-state` in the caller's process; see readInProcess. */
export function committedStateInProcess<C extends JsonObject>(
  destination: Destination<C>,
  config: JsonObject,
  catalog: ConfiguredAirbyteCatalog,
  out: MessageOutput,
): Promise<number> {
  return reported(
    out,
    () => 'committed-state',
    async () => {
      const valid = validConfig<C>(destination.spec().connectionSpecification, config);
      await destination.committedState!(valid, catalog, out);
    },
  );
}

/** Runs a command's work and turns what it throws into Airbyte's way of failing: 0 on success, else 1
 * after a TRACE error (or, for check, a FAILED status when the configuration is at fault). */
async function reported(
  out: MessageOutput,
  verb: () => Verb | undefined,
  work: () => Promise<void>,
): Promise<number> {
  try {
    await work();
    await out.flush();
    return 0;
  } catch (error) {
    const failure = error instanceof ConnectorError ? error : undefined;
    const failureType = failure?.failureType ?? 'system_error';
    const message = error instanceof Error ? error.message : String(error);
    // Airbyte's check reports a configuration it cannot use as a FAILED status, not as a crash
    if (verb() === 'check' && failureType === 'config_error') {
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
  return validConfig<C>(connectionSpecification, await readJson(file, 'config'));
}

/** The configuration checked against the spec, its defaults applied. */
function validConfig<C extends JsonObject>(connectionSpecification: JsonObject, config: unknown): C {
  const result = validateConfig(connectionSpecification, config);
  if (!result.ok) throw new ConfigError(`invalid configuration: ${result.errors.join('; ')}`);
  return result.config as C;
}

/** `/dev/fd/N`: the platform passes the config through an inherited descriptor, not a file
 * (src/tasks/sync/launcher.ts). Read from the descriptor itself: it is a socket, which a path to it
 * cannot open. */
const DESCRIPTOR = /^\/dev\/fd\/(\d+)$/;

async function readJson<T = unknown>(file: string, what: string): Promise<T> {
  let text: string;
  try {
    const fd = DESCRIPTOR.exec(file)?.[1];
    text = fd === undefined ? await readFile(file, 'utf8') : await readDescriptor(Number(fd));
  } catch (error) {
    throw new ConfigError(`cannot read the ${what} file ${file}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new ConfigError(`the ${what} file ${file} is not JSON: ${(error as Error).message}`);
  }
}

function readDescriptor(fd: number): Promise<string> {
  return new Promise((resolve, reject) =>
    readFileAt(fd, 'utf8', (error, text) => (error ? reject(error) : resolve(text))),
  );
}

function messagesFrom(stdin: Readable): AsyncIterableIterator<AirbyteMessage> {
  return flatten(messageBatches(stdin));
}

async function* messageBatches(stdin: Readable): AsyncGenerator<AirbyteMessage[]> {
  for await (const batch of decodeMessageBatches(stdin, { lazyData: true })) {
    yield batch.map((decoded) => decoded.message);
  }
}
