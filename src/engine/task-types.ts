import { findFlowable } from './flowables/index.js';

// Canonical names of the flowable task types the executor resolves itself. Every other task type is
// runnable and goes to a worker. (The flow loader turns aliases and short names into these.)
export const FLOWABLE = {
  forEach: 'io.kestra.plugin.core.flow.ForEach',
  eachSequential: 'io.kestra.plugin.core.flow.EachSequential',
  eachParallel: 'io.kestra.plugin.core.flow.EachParallel',
  switch: 'io.kestra.plugin.core.flow.Switch',
  dag: 'io.kestra.plugin.core.flow.Dag',
  allowFailure: 'io.kestra.plugin.core.flow.AllowFailure',
  pause: 'io.kestra.plugin.core.flow.Pause',
  subflow: 'io.kestra.plugin.core.flow.Subflow',
} as const;

const FLOWABLE_TYPES: ReadonlySet<string> = new Set(Object.values(FLOWABLE));

export function isFlowable(type: string): boolean {
  return FLOWABLE_TYPES.has(type) || findFlowable(type) !== undefined;
}
