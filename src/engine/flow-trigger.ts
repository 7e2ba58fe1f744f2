import { conditionsHold, testCondition } from '../conditions/registry.js';
import { preconditionMembers, type Preconditions, type SetMember } from '../conditions/preconditions.js';
import type { TimeWindow } from '../conditions/time-window.js';
import type { ConditionContext, ConditionDef } from '../conditions/types.js';
import type { TriggerDef } from '../flow/model.js';
import { type PreconditionStore, windowBounds } from './preconditions.js';
import { type StateType, TERMINAL_STATES } from './state.js';

export const FLOW_TRIGGER = 'io.kestra.plugin.core.trigger.Flow';
const MULTIPLE_CONDITION = 'io.kestra.plugin.core.condition.MultipleCondition';

/** What the executor tells the scheduler when an execution ends, or enters another state on its way
 * (RUNNING, PAUSED…: outputs are then null). */
export interface EndedExecution {
  executionId: string;
  namespace: string;
  flowId: string;
  flowRevision: number;
  state: StateType;
  outputs: Record<string, unknown> | null;
  /** the trigger of its own flow that started it, if one did (for that trigger's `stopAfter`) */
  triggerId?: string;
}

/** Named conditions that must all be met within one window: a `preconditions` block or a
 * MultipleCondition. */
interface ConditionSet {
  id: string;
  timeWindow?: TimeWindow;
  resetOnSuccess: boolean;
  members: Record<string, SetMember>;
}

function conditionSets(trigger: TriggerDef): ConditionSet[] {
  const sets: ConditionSet[] = [];
  for (const c of (trigger.conditions as ConditionDef[] | undefined) ?? []) {
    if (c.type !== MULTIPLE_CONDITION) continue;
    const members: Record<string, SetMember> = {};
    for (const [name, nested] of Object.entries(c.conditions as Record<string, ConditionDef>))
      members[name] = (ctx) => testCondition(nested, ctx);
    // the deprecated `window` and `windowAdvance` fill the time window, as Kestra's setters do
    const timeWindow = {
      type: 'DURATION_WINDOW' as const,
      ...(c.window ? { window: c.window as string } : {}),
      ...(c.windowAdvance ? { windowAdvance: c.windowAdvance as string } : {}),
      ...(c.timeWindow as TimeWindow | undefined),
    };
    sets.push({ id: String(c.id), timeWindow, resetOnSuccess: c.resetOnSuccess !== false, members });
  }
  const p = trigger.preconditions as Preconditions | undefined;
  if (p) {
    sets.push({
      id: p.id ?? trigger.id,
      timeWindow: p.timeWindow,
      resetOnSuccess: p.resetOnSuccess,
      members: preconditionMembers(p),
    });
  }
  return sets;
}

export interface FlowTriggerInput {
  /** the flow owning the trigger */
  flow: { namespace: string; id: string };
  trigger: TriggerDef;
  ended: EndedExecution;
  /** what the conditions see of the ended execution and its variables */
  ctx: ConditionContext;
  store: PreconditionStore;
  now: Date;
  onError: (condition: unknown, error: unknown) => void;
}

/** Whether an ended execution fires a Flow trigger: its state is one of `states`, every condition
 * holds, and every set of preconditions (and MultipleCondition) has been met within its window, the
 * ended execution having met at least one of them now. A met set starts over unless it says
 * `resetOnSuccess: false`. */
export async function flowTriggerFires(input: FlowTriggerInput): Promise<boolean> {
  const { trigger, ended, ctx, store, now, onError } = input;
  if (trigger.disabled) return false;
  const states = (trigger.states as StateType[] | undefined) ?? TERMINAL_STATES;
  if (!states.includes(ended.state)) return false;
  const conditions = (trigger.conditions as ConditionDef[] | undefined) ?? [];
  const plain = conditions.filter((c) => c.type !== MULTIPLE_CONDITION);
  if (!(await conditionsHold(plain, ctx, onError))) return false;

  const complete = new Map<string, boolean>();
  for (const set of conditionSets(trigger)) {
    const names = Object.keys(set.members);
    const met: string[] = [];
    for (const name of names) {
      try {
        if (await set.members[name](ctx)) met.push(name);
      } catch (error) {
        onError(name, error);
      }
    }
    const key = {
      namespace: input.flow.namespace,
      flowId: input.flow.id,
      triggerId: trigger.id,
      conditionId: set.id,
    };
    const window = await store.merge(key, windowBounds(set.timeWindow, now), met, now);
    const done = met.length > 0 && window !== undefined && names.every((n) => window.met.includes(n));
    complete.set(set.id, done);
    if (done && set.resetOnSuccess) await store.delete(key);
  }
  return [...complete.values()].every(Boolean);
}
