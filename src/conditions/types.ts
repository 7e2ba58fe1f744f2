import type { ZodType } from 'zod';
import type { StateType } from '../engine/state.js';

/** A condition as written in a flow, its type already canonical. */
export interface ConditionDef {
  type: string;
  [property: string]: unknown;
}

/** What Kestra knows about the execution a condition judges (a Flow trigger's upstream execution). */
export interface JudgedExecution {
  namespace: string;
  flowId: string;
  state: StateType;
  /** the execution's flow outputs */
  outputs: Record<string, unknown> | null;
  labels: Array<{ key: string; value: string }>;
  /** the states of the attempts of each task run */
  attempts: StateType[][];
}

/** Everything a condition may look at. What costs a read is fetched only when a condition asks. */
export interface ConditionContext {
  /** the flow whose trigger is being evaluated */
  flow: { namespace: string; id: string };
  /** absent where a trigger has no execution to judge (Schedule, Webhook) */
  execution?: () => Promise<JudgedExecution>;
  /** what the condition's templates see (Kestra's run context for the flow and the execution) */
  variables: () => Promise<Record<string, unknown>>;
}

/** One condition type: its schema, where it may be used and how it decides. */
export interface ConditionType {
  /** canonical name, e.g. io.kestra.plugin.core.condition.ExecutionFlow */
  type: string;
  /** Kestra's older names (`…Condition`, `io.kestra.core.models.conditions.types.*`) */
  aliases: string[];
  description: string;
  /** the properties besides `type` */
  properties: ZodType;
  /** a Schedule trigger evaluates it for each date (Kestra's ScheduleCondition) */
  onSchedule: boolean;
  /** a key holding nested conditions (a list, or a map of named ones), validated as conditions */
  nested?: { key: string; map?: boolean };
  /** `evaluate` decides nested conditions in the same context */
  test(
    condition: ConditionDef,
    ctx: ConditionContext,
    evaluate: (c: ConditionDef) => Promise<boolean>,
  ): Promise<boolean>;
}
