// The validated, normalised shape of a flow. The YAML loader (flow/load.ts) produces it; the engine
// only ever sees this shape, never raw YAML. Field names follow Kestra's flow syntax (the contract).

export type Duration = string; // ISO-8601 duration as written in YAML, e.g. "PT0.2S"

export interface RetryDef {
  /** `airbyte`: Airbyte's sync attempt policy (docs/sync.md, Retries), a Sluice extension */
  type: 'constant' | 'exponential' | 'random' | 'airbyte';
  interval?: Duration; // constant, exponential (initial interval)
  maxInterval?: Duration; // exponential
  delayFactor?: number; // exponential, default 2
  minInterval?: Duration; // random
  maxAttempt?: number; // counts the first try
  maxDuration?: Duration;
  warningOnRetry?: boolean;
  /** flow-level retry: retry the failed task in place (default) or start a new execution */
  behavior?: 'RETRY_FAILED_TASK' | 'CREATE_NEW_EXECUTION';
  /** airbyte: limits on failures without progress (complete) and with some (partial) */
  successiveCompleteFailureLimit?: number;
  totalCompleteFailureLimit?: number;
  successivePartialFailureLimit?: number;
  totalPartialFailureLimit?: number;
}

/** A task as written in YAML, normalised: `type` is the canonical type name (aliases resolved), nested
 * task lists (tasks, errors, finally, cases.*, defaults, then, else, …) are TaskDef too. Type-specific
 * properties stay on the object under their YAML names. */
export interface TaskDef {
  id: string;
  type: string;
  description?: string;
  retry?: RetryDef;
  timeout?: Duration;
  disabled?: boolean;
  allowFailure?: boolean;
  allowWarning?: boolean;
  runIf?: string;
  logLevel?: 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  workerGroup?: { key: string };
  [property: string]: unknown;
}

export type InputType =
  | 'STRING'
  | 'INT'
  | 'FLOAT'
  | 'BOOLEAN'
  | 'BOOL'
  | 'DATETIME'
  | 'DATE'
  | 'TIME'
  | 'DURATION'
  | 'JSON'
  | 'YAML'
  | 'ARRAY'
  | 'ENUM'
  | 'SELECT'
  | 'MULTISELECT'
  | 'FILE'
  | 'SECRET'
  | 'URI'
  | 'EMAIL';

export interface InputDef {
  id: string;
  type: InputType;
  description?: string;
  required: boolean; // default true, as in Kestra
  defaults?: unknown;
  values?: string[]; // ENUM / SELECT / MULTISELECT
  itemType?: InputType; // ARRAY
  min?: number;
  max?: number;
  minLength?: number;
  maxLength?: number;
  validator?: string; // regex for STRING
  allowCustomValue?: boolean;
  /** DATETIME / DATE / TIME bounds, exclusive, in the input's own format */
  after?: string;
  before?: string;
  [property: string]: unknown;
}

export interface OutputDef {
  id: string;
  type: InputType;
  value: unknown;
  description?: string;
  required?: boolean;
}

export interface TriggerDef {
  id: string;
  type: string; // canonical trigger type
  disabled?: boolean;
  [property: string]: unknown;
}

export interface ConcurrencyDef {
  limit: number;
  behavior: 'QUEUE' | 'CANCEL' | 'FAIL';
}

export interface PluginDefault {
  type: string;
  forced?: boolean;
  values: Record<string, unknown>;
}

export interface Flow {
  id: string;
  namespace: string;
  revision?: number;
  description?: string;
  labels: Record<string, string>;
  inputs: InputDef[];
  variables: Record<string, unknown>;
  tasks: TaskDef[];
  errors: TaskDef[];
  finally: TaskDef[];
  /** tasks run once the execution has ended, whatever its state (Kestra's afterExecution) */
  afterExecution?: TaskDef[];
  triggers: TriggerDef[];
  concurrency?: ConcurrencyDef;
  retry?: RetryDef;
  outputs: OutputDef[];
  pluginDefaults: PluginDefault[];
  disabled: boolean;
  /** the YAML text the flow came from, kept verbatim (revisions, UI editor) */
  source: string;
}

/** One mistake in a flow file; the CLI prints it as `file:line:col: message`. */
export interface FlowError {
  file: string;
  line: number;
  col: number;
  message: string;
}
