import { render } from '../expression/index.js';
import type { ConditionContext } from './types.js';

export async function renderIn(ctx: ConditionContext, template: string): Promise<string> {
  return render(template, await ctx.variables());
}

/** Kestra's Expression rule, looser than If's: only blank text and `false` are false. */
export function expressionHolds(rendered: string): boolean {
  const trimmed = rendered.trim();
  return !(trimmed === '' || trimmed === 'false');
}

/** The execution a condition judges; a condition that needs one fails where there is none. */
export async function judged(ctx: ConditionContext, type: string) {
  if (!ctx.execution) throw new Error(`${type} judges an execution: it applies to Flow triggers only`);
  return ctx.execution();
}

/** Kestra's old names of a condition: the `…Condition` name in both packages. */
export function oldNames(short: string, legacy = `${short}Condition`): string[] {
  return [
    `io.kestra.core.models.conditions.types.${legacy}`,
    `io.kestra.plugin.core.condition.${short}Condition`,
  ];
}

export const CONDITION_PACKAGE = 'io.kestra.plugin.core.condition';
