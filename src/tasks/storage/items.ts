import { fromIon } from '../../expression/ion.js';
import type { RunContext } from '../types.js';

/** One line of an Ion file (Kestra's format for rows: `{id:1,name:"ada"}`; a JSON line is Ion too) as
 * the variables an expression about it sees. */
export function itemVariables(line: string, lineNumber: number): Record<string, unknown> {
  let item: unknown;
  try {
    item = fromIon(line);
  } catch (error) {
    throw new Error(`line ${lineNumber} is not an Ion value: ${(error as Error).message}`);
  }
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    throw new Error(`line ${lineNumber} is not an Ion struct (a map of fields)`);
  }
  return item as Record<string, unknown>;
}

/** Renders an expression with the item's fields as variables, over the task's own. */
export function renderAbout(ctx: RunContext, expression: string, line: string, lineNumber: number) {
  return ctx.renderString(expression, itemVariables(line, lineNumber));
}
