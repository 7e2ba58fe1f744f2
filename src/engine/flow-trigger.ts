import type { TriggerDef } from '../flow/model.js';
import type { StateType } from './state.js';

export const FLOW_TRIGGER = 'io.kestra.plugin.core.trigger.Flow';

/** What the executor tells the scheduler when an execution ends. */
export interface EndedExecution {
  executionId: string;
  namespace: string;
  flowId: string;
  flowRevision: number;
  state: StateType;
  outputs: Record<string, unknown> | null;
}

const TERMINAL_DEFAULT: StateType[] = ['SUCCESS', 'WARNING', 'FAILED', 'KILLED', 'CANCELLED'];

/** The last segment of a condition type: Kestra's old and new packages name the same conditions. */
function kind(type: unknown): string {
  return (
    String(type ?? '')
      .split('.')
      .pop() ?? ''
  );
}

function namespaceMatches(actual: string, expected: string, comparison: string): boolean {
  if (comparison === 'PREFIX') return actual === expected || actual.startsWith(`${expected}.`);
  if (comparison === 'SUFFIX') return actual.endsWith(expected);
  return actual === expected;
}

/** Whether an ended execution fires a Flow trigger: its `states` (default every end state), its
 * `conditions` (flow, namespace and state conditions, Kestra's names) and the `flows` of its
 * `preconditions`, all of which must hold. Unknown condition types never match, so a flow is never
 * started on a condition Sluice cannot check. */
export function flowTriggerFires(trigger: TriggerDef, ended: EndedExecution): boolean {
  if (trigger.disabled) return false;
  const states = (trigger.states as StateType[] | undefined) ?? TERMINAL_DEFAULT;
  if (!states.includes(ended.state)) return false;
  for (const c of (trigger.conditions as Array<Record<string, unknown>> | undefined) ?? []) {
    switch (kind(c.type)) {
      case 'ExecutionFlowCondition':
        if (c.namespace !== ended.namespace || c.flowId !== ended.flowId) return false;
        break;
      case 'ExecutionNamespaceCondition': {
        const comparison = String(c.comparison ?? (c.prefix === true ? 'PREFIX' : 'EQUALS'));
        if (!namespaceMatches(ended.namespace, String(c.namespace), comparison)) return false;
        break;
      }
      case 'ExecutionStatusCondition': {
        const inStates = c.in as string[] | undefined;
        const notIn = c.notIn as string[] | undefined;
        if (inStates && !inStates.includes(ended.state)) return false;
        if (notIn?.includes(ended.state)) return false;
        break;
      }
      default:
        return false;
    }
  }
  const flows = (trigger.preconditions as { flows?: Array<Record<string, unknown>> } | undefined)?.flows;
  if (flows && flows.length > 0) {
    const any = flows.some(
      (f) =>
        (f.namespace === undefined || f.namespace === ended.namespace) &&
        (f.flowId === undefined || f.flowId === ended.flowId) &&
        (!Array.isArray(f.states) || (f.states as string[]).includes(ended.state)),
    );
    if (!any) return false;
  }
  return true;
}
