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
import type { MessageOutput } from './output.js';
import type { RowBatch, RowFormat } from './rows.js';

export interface Source<Config extends JsonObject = JsonObject> {
  spec(): ConnectorSpecification;
  /** Throw a ConfigError, or return FAILED, when the configuration cannot work. */
  check(config: Config): Promise<AirbyteConnectionStatus>;
  discover(config: Config): Promise<AirbyteCatalog>;
  read(
    config: Config,
    catalog: ConfiguredAirbyteCatalog,
    state: InputState,
    out: MessageOutput,
  ): Promise<void>;
}

export interface Destination<Config extends JsonObject = JsonObject> {
  spec(): ConnectorSpecification;
  check(config: Config): Promise<AirbyteConnectionStatus>;
  /** Rows in this format may come instead of records when the platform runs the destination in its own
   * process with a source that can produce them (rows.ts); a destination without it only gets records. */
  readonly rowFormat?: RowFormat;
  /** Emit each STATE from `input` only once everything before it is committed. */
  write(
    config: Config,
    catalog: ConfiguredAirbyteCatalog,
    input: AsyncIterable<AirbyteMessage | RowBatch>,
    out: MessageOutput,
  ): Promise<void>;
  /**
   * Sluice's extension, optional (`committed-state` on the command line): what earlier writes of the
   * sync named by each stream's `sync_id` committed. Emits, oldest first, the last STATE each stream's
   * committed records were acknowledged with (as the write got it), and a COMPLETE stream status for
   * each stream whose every record of that sync is committed. A destination that stores its states with
   * its records this way lets an attempt resume exactly where its commits ended (docs/sync.md).
   */
  committedState?(config: Config, catalog: ConfiguredAirbyteCatalog, out: MessageOutput): Promise<void>;
}
