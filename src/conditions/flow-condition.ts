import { z } from 'zod';
import { text } from '../flow/schemas.js';
import { CONDITION_PACKAGE } from './render.js';
import type { ConditionType } from './types.js';

/** Deprecated in Kestra: judges the flow that owns the trigger, not an execution. */
export const flowCondition: ConditionType = {
  type: `${CONDITION_PACKAGE}.FlowCondition`,
  aliases: ['io.kestra.core.models.conditions.types.FlowCondition'],
  description: 'The flow owning the trigger is the given one (deprecated).',
  properties: z.strictObject({ namespace: text(), flowId: text() }),
  onSchedule: false,
  async test(c, ctx) {
    return ctx.flow.namespace === c.namespace && ctx.flow.id === c.flowId;
  },
};

export const flowNamespaceCondition: ConditionType = {
  type: `${CONDITION_PACKAGE}.FlowNamespaceCondition`,
  aliases: ['io.kestra.core.models.conditions.types.FlowNamespaceCondition'],
  description: 'The namespace of the flow owning the trigger is, or starts with, `namespace` (deprecated).',
  properties: z.strictObject({ namespace: text(), prefix: z.boolean().default(false) }),
  onSchedule: false,
  async test(c, ctx) {
    const namespace = String(c.namespace);
    return c.prefix ? ctx.flow.namespace.startsWith(namespace) : ctx.flow.namespace === namespace;
  },
};
