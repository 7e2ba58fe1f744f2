// The API's documents, as the server defines them (type-only imports: nothing of the server is bundled).
export type { Execution, TaskRun } from '../../src/engine/execution.js';
export type { State, StateType } from '../../src/engine/state.js';
export type { Flow, InputDef, TaskDef } from '../../src/flow/model.js';
export type { FlowSummary } from '../../src/db/flow-repository.js';
export type { StoredLogLine as LogLine } from '../../src/db/log-search.js';

export interface Page<T> {
  results: T[];
  total: number;
}
