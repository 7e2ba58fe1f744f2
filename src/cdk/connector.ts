// What a connector written with the cdk implements. The cdk does the rest: the command line, reading
// and validating the files, the spec's defaults, output, and turning thrown errors into TRACE errors.
import type {
  AirbyteCatalog,
  AirbyteConnectionStatus,
  AirbyteMessage,
  ConfiguredAirbyteCatalog,
  ConnectorSpecification,
  JsonObject,
} from '../protocol/messages.js';
import type { InputState } from './state.js';
import type { MessageWriter } from './writer.js';

export interface Source<Config extends JsonObject = JsonObject> {
  spec(): ConnectorSpecification;
  /** Throw a ConfigError, or return FAILED, when the configuration cannot work. */
  check(config: Config): Promise<AirbyteConnectionStatus>;
  discover(config: Config): Promise<AirbyteCatalog>;
  read(
    config: Config,
    catalog: ConfiguredAirbyteCatalog,
    state: InputState,
    out: MessageWriter,
  ): Promise<void>;
}

export interface Destination<Config extends JsonObject = JsonObject> {
  spec(): ConnectorSpecification;
  check(config: Config): Promise<AirbyteConnectionStatus>;
  /** Emit each STATE from `input` only once everything before it is committed. */
  write(
    config: Config,
    catalog: ConfiguredAirbyteCatalog,
    input: AsyncIterable<AirbyteMessage>,
    out: MessageWriter,
  ): Promise<void>;
}
