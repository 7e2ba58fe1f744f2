// The Airbyte protocol v0 messages, as they cross stdin/stdout one JSON object per line. Every object
// may carry fields this version does not know (`[key: string]: unknown`): they are kept and passed on.
// Payload fields are snake_case except `connectionStatus`, `connectorConfig` and the spec's camelCase
// fields, which the protocol has always spelled that way.

export type JsonObject = { [key: string]: unknown };

interface Open {
  [key: string]: unknown;
}

export type SyncMode = 'full_refresh' | 'incremental';
export type DestinationSyncMode = 'append' | 'overwrite' | 'append_dedup' | 'update' | 'soft_delete';
export type FailureType = 'config_error' | 'system_error' | 'transient_error';
export type LogLevel = 'FATAL' | 'ERROR' | 'WARN' | 'INFO' | 'DEBUG' | 'TRACE';

export interface StreamDescriptor extends Open {
  name: string;
  namespace?: string;
}

// ---------------------------------------------------------------------------------------- catalog

export interface AirbyteStream extends Open {
  name: string;
  namespace?: string;
  json_schema: JsonObject;
  supported_sync_modes: SyncMode[];
  source_defined_cursor?: boolean;
  default_cursor_field?: string[];
  source_defined_primary_key?: string[][];
  is_resumable?: boolean;
  is_file_based?: boolean;
}

export interface AirbyteCatalog extends Open {
  streams: AirbyteStream[];
}

export interface ConfiguredAirbyteStream extends Open {
  stream: AirbyteStream;
  sync_mode: SyncMode;
  destination_sync_mode: DestinationSyncMode;
  cursor_field?: string[];
  primary_key?: string[][];
  destination_object_name?: string;
  generation_id?: number;
  minimum_generation_id?: number;
  sync_id?: number;
  include_files?: boolean;
}

export interface ConfiguredAirbyteCatalog extends Open {
  streams: ConfiguredAirbyteStream[];
}

// ---------------------------------------------------------------------------------------- payloads

export interface AirbyteRecordMessageMetaChange extends Open {
  field: string;
  change: 'NULLED' | 'TRUNCATED';
  reason: string;
}

export interface AirbyteRecordMessage extends Open {
  stream: string;
  namespace?: string;
  data: JsonObject;
  emitted_at: number;
  meta?: { changes?: AirbyteRecordMessageMetaChange[] } & Open;
  file_reference?: Open;
}

export interface AirbyteStreamState extends Open {
  stream_descriptor: StreamDescriptor;
  /** null means the stream was reset */
  stream_state?: JsonObject | null;
}

export interface AirbyteGlobalState extends Open {
  shared_state?: JsonObject | null;
  stream_states: AirbyteStreamState[];
}

export interface AirbyteStateStats extends Open {
  recordCount?: number;
  rejectedRecordCount?: number;
}

/** `type` absent means LEGACY: the state is the `data` blob. */
export interface AirbyteStateMessage extends Open {
  type?: 'STREAM' | 'GLOBAL' | 'LEGACY';
  stream?: AirbyteStreamState;
  global?: AirbyteGlobalState;
  data?: unknown;
  sourceStats?: AirbyteStateStats;
  destinationStats?: AirbyteStateStats;
}

export interface AirbyteLogMessage extends Open {
  level: LogLevel;
  message: string;
  stack_trace?: string;
}

export interface ConnectorSpecification extends Open {
  connectionSpecification: JsonObject;
  documentationUrl?: string;
  changelogUrl?: string;
  supportsIncremental?: boolean;
  supportsNormalization?: boolean;
  supportsDBT?: boolean;
  supported_destination_sync_modes?: DestinationSyncMode[];
  protocol_version?: string;
}

export interface AirbyteConnectionStatus extends Open {
  status: 'SUCCEEDED' | 'FAILED';
  message?: string;
}

export interface AirbyteErrorTraceMessage extends Open {
  message: string;
  internal_message?: string;
  stack_trace?: string;
  failure_type?: FailureType;
  stream_descriptor?: StreamDescriptor;
}

export interface AirbyteEstimateTraceMessage extends Open {
  name: string;
  type: 'STREAM' | 'SYNC';
  namespace?: string;
  row_estimate?: number;
  byte_estimate?: number;
}

export interface AirbyteStreamStatusTraceMessage extends Open {
  stream_descriptor: StreamDescriptor;
  status: 'STARTED' | 'RUNNING' | 'COMPLETE' | 'INCOMPLETE';
  reasons?: ({ type: 'RATE_LIMITED'; rate_limited?: { quota_reset?: number } } & Open)[];
}

export interface AirbyteAnalyticsTraceMessage extends Open {
  type: string;
  value?: string;
}

export interface AirbyteTraceMessage extends Open {
  type: 'ERROR' | 'ESTIMATE' | 'STREAM_STATUS' | 'ANALYTICS';
  emitted_at: number;
  error?: AirbyteErrorTraceMessage;
  estimate?: AirbyteEstimateTraceMessage;
  stream_status?: AirbyteStreamStatusTraceMessage;
  analytics?: AirbyteAnalyticsTraceMessage;
}

export interface AirbyteControlMessage extends Open {
  type: 'CONNECTOR_CONFIG';
  emitted_at: number;
  connectorConfig?: { config: JsonObject } & Open;
}

export interface DestinationCatalog extends Open {
  operations: ({
    object_name: string;
    sync_mode: DestinationSyncMode;
    json_schema: JsonObject;
    matching_keys?: string[][];
  } & Open)[];
}

// ---------------------------------------------------------------------------------------- messages

interface Envelope<T extends string> extends Open {
  type: T;
}

export interface RecordMessage extends Envelope<'RECORD'> {
  record: AirbyteRecordMessage;
}
export interface StateMessage extends Envelope<'STATE'> {
  state: AirbyteStateMessage;
}
export interface LogMessage extends Envelope<'LOG'> {
  log: AirbyteLogMessage;
}
export interface SpecMessage extends Envelope<'SPEC'> {
  spec: ConnectorSpecification;
}
export interface ConnectionStatusMessage extends Envelope<'CONNECTION_STATUS'> {
  connectionStatus: AirbyteConnectionStatus;
}
export interface CatalogMessage extends Envelope<'CATALOG'> {
  catalog: AirbyteCatalog;
}
export interface TraceMessage extends Envelope<'TRACE'> {
  trace: AirbyteTraceMessage;
}
export interface ControlMessage extends Envelope<'CONTROL'> {
  control: AirbyteControlMessage;
}
export interface DestinationCatalogMessage extends Envelope<'DESTINATION_CATALOG'> {
  destination_catalog: DestinationCatalog;
}

export type AirbyteMessage =
  | RecordMessage
  | StateMessage
  | LogMessage
  | SpecMessage
  | ConnectionStatusMessage
  | CatalogMessage
  | TraceMessage
  | ControlMessage
  | DestinationCatalogMessage;

export type MessageType = AirbyteMessage['type'];

/** Which payload field each message type carries its content in. */
export const PAYLOAD_FIELD: { readonly [T in MessageType]: string } = {
  RECORD: 'record',
  STATE: 'state',
  LOG: 'log',
  SPEC: 'spec',
  CONNECTION_STATUS: 'connectionStatus',
  CATALOG: 'catalog',
  TRACE: 'trace',
  CONTROL: 'control',
  DESTINATION_CATALOG: 'destination_catalog',
};

/** A value is a message when its `type` is one of the protocol's and its payload is an object. The
 * payload's own fields are not checked here: a connector's odd but parseable message is passed on. */
export function isAirbyteMessage(value: unknown): value is AirbyteMessage {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string' || !Object.hasOwn(PAYLOAD_FIELD, type)) return false;
  const payload = (value as Record<string, unknown>)[PAYLOAD_FIELD[type as MessageType]];
  return typeof payload === 'object' && payload !== null && !Array.isArray(payload);
}

/** Why a RECORD payload cannot be written, or undefined when it can. isAirbyteMessage lets odd fields
 * through; these three every destination relies on: a record without them would become a row of NULLs
 * in no stream, dated 1970. */
export function recordProblem(record: Record<string, unknown>): string | undefined {
  const { stream, data, emitted_at: emittedAt } = record;
  if (typeof stream !== 'string' || stream === '') return 'a RECORD without a stream name';
  const what = `a RECORD of stream ${JSON.stringify(stream)}`;
  if (data === undefined) return `${what} without data`;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    const kind = data === null ? 'null' : Array.isArray(data) ? 'an array' : `a ${typeof data}`;
    return `${what} whose data is ${kind}, not an object`;
  }
  if (typeof emittedAt !== 'number' || !Number.isFinite(emittedAt)) {
    return `${what} without a numeric emitted_at`;
  }
  return undefined;
}
