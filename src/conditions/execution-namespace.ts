import { z } from 'zod';
import { text } from '../flow/schemas.js';
import { CONDITION_PACKAGE, judged, oldNames } from './render.js';
import type { ConditionType } from './types.js';

const COMPARE = {
  EQUALS: (actual: string, expected: string) => actual === expected,
  // Kestra's PREFIX is String.startsWith: `company` matches `companyx` too
  PREFIX: (actual: string, expected: string) => actual.startsWith(expected),
  SUFFIX: (actual: string, expected: string) => actual.endsWith(expected),
};

export const executionNamespace: ConditionType = {
  type: `${CONDITION_PACKAGE}.ExecutionNamespace`,
  aliases: oldNames('ExecutionNamespace'),
  description: "The judged execution's namespace equals, starts or ends with `namespace`.",
  properties: z.strictObject({
    namespace: text(),
    comparison: z.enum(['EQUALS', 'PREFIX', 'SUFFIX']).optional(),
    prefix: z.boolean().default(false),
  }),
  onSchedule: false,
  async test(c, ctx) {
    const comparison = (c.comparison as keyof typeof COMPARE | undefined) ?? (c.prefix ? 'PREFIX' : 'EQUALS');
    return COMPARE[comparison]((await judged(ctx, 'ExecutionNamespace')).namespace, String(c.namespace));
  },
};
