import type { TaskDef } from '../../flow/model.js';
import type { RunContext } from '../types.js';

export interface TargetExecution {
  namespace: string;
  flowId: string;
  executionId: string;
}

/** The execution a task points at, by Kestra's rule: `executionId` alone is an execution of the
 * task's own flow; with `namespace` and `flowId` it is one of that flow; neither is the running
 * execution. Setting only part of them is an error. */
export async function targetExecution(task: TaskDef, ctx: RunContext): Promise<TargetExecution> {
  const render = async (value: unknown) =>
    value === undefined || value === null ? undefined : ctx.renderString(String(value));
  const [executionId, namespace, flowId] = await Promise.all(
    [task.executionId, task.namespace, task.flowId].map(render),
  );
  if (executionId === undefined) {
    if (namespace !== undefined || flowId !== undefined) {
      throw new Error('`namespace` and `flowId` should only be set when `executionId` is set.');
    }
    return { ...ctx.execution, executionId: ctx.execution.id };
  }
  if ((namespace === undefined) !== (flowId === undefined)) {
    throw new Error('Both `namespace` and `flowId` must be set when `executionId` is set.');
  }
  return {
    namespace: namespace ?? ctx.execution.namespace,
    flowId: flowId ?? ctx.execution.flowId,
    executionId,
  };
}

/** A rendered list of strings (a list, or an expression rendering to one). */
export async function renderedList(
  ctx: RunContext,
  value: unknown,
  name: string,
): Promise<string[] | undefined> {
  if (value === undefined || value === null) return undefined;
  const rendered = await ctx.render(value);
  const list = typeof rendered === 'string' ? parseList(rendered, name) : rendered;
  if (!Array.isArray(list)) throw new Error(`property '${name}' must be a list`);
  return list.map(String);
}

function parseList(text: string, name: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`property '${name}' must be a list, got ${JSON.stringify(text.slice(0, 80))}`);
  }
}

/** An ISO date-time property rendered, checked and made canonical (Kestra parses ZonedDateTime). */
export async function renderedDate(
  ctx: RunContext,
  value: unknown,
  name: string,
): Promise<string | undefined> {
  if (value === undefined || value === null) return undefined;
  const text = await ctx.renderString(String(value));
  const time = Date.parse(text);
  if (!/^\d{4}-\d\d-\d\dT/.test(text) || Number.isNaN(time)) {
    throw new Error(
      `property '${name}' must be an ISO date-time such as 2024-01-31T12:00:00Z, got ${JSON.stringify(text)}`,
    );
  }
  return new Date(time).toISOString();
}
