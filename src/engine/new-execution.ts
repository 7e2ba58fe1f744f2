import type { Flow } from '../flow/model.js';
import { type Execution, type ExecutionTrigger, newId } from './execution.js';
import { newState } from './state.js';

export const CORRELATION_ID = 'system.correlationId';

export interface NewExecutionOptions {
  labels?: Record<string, string>;
  parentId?: string;
  trigger?: ExecutionTrigger;
  now?: Date;
}

/** A fresh execution of a flow in CREATED state; inputs must already be resolved and valid. */
export function newExecution(
  flow: Flow,
  inputs: Record<string, unknown>,
  options: NewExecutionOptions = {},
): Execution {
  const id = newId();
  // flow labels first, then the caller's, which win on the same key (as Kestra merges them); every
  // execution carries a correlation id, its own unless it inherits its root's (subflows)
  const labels = { ...flow.labels, ...options.labels };
  labels[CORRELATION_ID] ??= id;
  return {
    id,
    namespace: flow.namespace,
    flowId: flow.id,
    flowRevision: flow.revision ?? 1,
    state: newState(options.now),
    inputs,
    outputs: null,
    labels: Object.entries(labels).map(([key, value]) => ({ key, value })),
    taskRunList: [],
    originalId: id,
    ...(options.parentId ? { parentId: options.parentId } : {}),
    ...(options.trigger ? { trigger: options.trigger } : {}),
  };
}
