// Filters that turn whole values into other formats or query them: jq, yaml, toIon, className.
import { Fault } from './errors.js';
import { toIon } from './ion.js';
import { JqFailure, runJq } from './jq.js';
import type { FilterDef } from './registry.js';
import { isMap } from './values.js';
import { toYaml } from './yaml-text.js';

/** The Java class Kestra would hold for a value of this JSON type (its jq and number tests print them). */
function className(input: unknown): string | null {
  if (input === null || input === undefined) return null;
  switch (typeof input) {
    case 'string':
      return 'java.lang.String';
    case 'boolean':
      return 'java.lang.Boolean';
    case 'number':
      if (!Number.isInteger(input)) return 'java.lang.Double';
      return Math.abs(input) <= 2147483647 ? 'java.lang.Integer' : 'java.lang.Long';
  }
  if (Array.isArray(input)) return 'java.util.ArrayList';
  if (isMap(input)) return 'java.util.LinkedHashMap';
  return 'java.lang.Object';
}

export const dataFilters: [string, FilterDef][] = [
  [
    'jq',
    {
      args: ['expression'],
      apply(input, args, env) {
        if (input === null) return null;
        try {
          return runJq(args.string('expression'), input, env.budget);
        } catch (error) {
          if (error instanceof JqFailure) throw new Fault(`filter \`jq\` failed: ${error.message}`);
          throw error;
        }
      },
    },
  ],
  [
    'yaml',
    {
      args: [],
      apply: (input, _args, env) =>
        input === null ? 'null' : toYaml(input, env.budget.limits.maxOutputLength, () => env.budget.step()),
    },
  ],
  ['toIon', { args: [], apply: (input, _args, env) => toIon(input, env.budget.limits.maxOutputLength) }],
  ['className', { args: [], apply: className }],
];
