import { describe, expect, test } from 'vitest';
import { type EndedExecution, flowTriggerFires } from '../../../src/engine/flow-trigger.js';
import type { TriggerDef } from '../../../src/flow/model.js';

const ended = (over: Partial<EndedExecution> = {}): EndedExecution => ({
  executionId: 'e1',
  namespace: 'company.team',
  flowId: 'upstream',
  flowRevision: 1,
  state: 'SUCCESS',
  outputs: null,
  ...over,
});
const trigger = (props: Record<string, unknown>): TriggerDef => ({
  id: 't',
  type: 'io.kestra.plugin.core.trigger.Flow',
  ...props,
});

describe('flowTriggerFires', () => {
  test('without conditions any ended execution fires it', () => {
    expect(flowTriggerFires(trigger({}), ended())).toBe(true);
  });

  test('states limits the end states that fire it', () => {
    expect(flowTriggerFires(trigger({ states: ['FAILED'] }), ended())).toBe(false);
    expect(flowTriggerFires(trigger({ states: ['FAILED'] }), ended({ state: 'FAILED' }))).toBe(true);
  });

  test('an ExecutionFlowCondition (old or new package) names the upstream flow', () => {
    const on = (flowId: string) =>
      trigger({
        conditions: [
          {
            type: 'io.kestra.core.models.conditions.types.ExecutionFlowCondition',
            namespace: 'company.team',
            flowId,
          },
        ],
      });
    expect(flowTriggerFires(on('upstream'), ended())).toBe(true);
    expect(flowTriggerFires(on('other'), ended())).toBe(false);
  });

  test('an ExecutionNamespaceCondition compares EQUALS by default, or PREFIX', () => {
    const on = (props: Record<string, unknown>) =>
      trigger({
        conditions: [{ type: 'io.kestra.plugin.core.condition.ExecutionNamespaceCondition', ...props }],
      });
    expect(flowTriggerFires(on({ namespace: 'company' }), ended())).toBe(false);
    expect(flowTriggerFires(on({ namespace: 'company', comparison: 'PREFIX' }), ended())).toBe(true);
    expect(flowTriggerFires(on({ namespace: 'comp', comparison: 'PREFIX' }), ended())).toBe(false);
  });

  test('an ExecutionStatusCondition checks in and notIn', () => {
    const on = (props: Record<string, unknown>) =>
      trigger({
        conditions: [{ type: 'io.kestra.plugin.core.condition.ExecutionStatusCondition', ...props }],
      });
    expect(flowTriggerFires(on({ in: ['SUCCESS'] }), ended())).toBe(true);
    expect(flowTriggerFires(on({ notIn: ['SUCCESS'] }), ended())).toBe(false);
  });

  test('preconditions.flows fires on any listed flow in its states', () => {
    const t = trigger({
      preconditions: { flows: [{ namespace: 'company.team', flowId: 'upstream', states: ['SUCCESS'] }] },
    });
    expect(flowTriggerFires(t, ended())).toBe(true);
    expect(flowTriggerFires(t, ended({ state: 'FAILED' }))).toBe(false);
  });

  test('an unknown condition type never fires, and a disabled trigger neither', () => {
    expect(flowTriggerFires(trigger({ conditions: [{ type: 'x.DayWeekCondition' }] }), ended())).toBe(false);
    expect(flowTriggerFires(trigger({ disabled: true }), ended())).toBe(false);
  });
});
