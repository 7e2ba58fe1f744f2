import { describe, expect, test } from 'vitest';
import type { ConditionContext, JudgedExecution } from '../../../src/conditions/types.js';
import { type EndedExecution, flowTriggerFires } from '../../../src/engine/flow-trigger.js';
import type { PreconditionStore } from '../../../src/engine/preconditions.js';
import type { TriggerDef } from '../../../src/flow/model.js';
import { loadFlow } from '../../../src/flow/load.js';

const ended = (over: Partial<EndedExecution> = {}): EndedExecution => ({
  executionId: 'e1',
  namespace: 'company.team',
  flowId: 'upstream',
  flowRevision: 1,
  state: 'SUCCESS',
  outputs: null,
  ...over,
});

// these triggers have no preconditions: a window read would be a mistake of the evaluation
const noWindows: PreconditionStore = {
  merge: () => Promise.reject(new Error('no window expected')),
  delete: () => Promise.reject(new Error('no window expected')),
  purgeExpired: () => Promise.reject(new Error('no window expected')),
};

/** The trigger as the flow loader produces it, so condition types come out canonical. */
function trigger(yaml: string): TriggerDef {
  const { flow, errors } = loadFlow(
    `id: listener\nnamespace: company.team\ntasks:\n  - id: r\n    type: return\n    format: x\ntriggers:\n  - id: t\n    type: io.kestra.plugin.core.trigger.Flow\n${yaml
      .split('\n')
      .map((l) => `    ${l}`)
      .join('\n')}`,
    'listener.yaml',
  );
  expect(errors).toEqual([]);
  return flow!.triggers[0];
}

async function fires(
  t: TriggerDef,
  e: EndedExecution,
  labels: JudgedExecution['labels'] = [],
): Promise<boolean> {
  const ctx: ConditionContext = {
    flow: { namespace: 'company.team', id: 'listener' },
    execution: async () => ({ ...e, labels, attempts: [] }),
    variables: async () => ({ labels: Object.fromEntries(labels.map((l) => [l.key, l.value])) }),
  };
  return flowTriggerFires({
    flow: ctx.flow,
    trigger: t,
    ended: e,
    ctx,
    store: noWindows,
    now: new Date(),
    onError: () => {},
  });
}

describe('flowTriggerFires', () => {
  test('without conditions any ended execution fires it, SKIPPED and RETRIED included', async () => {
    expect(await fires(trigger('disabled: false'), ended())).toBe(true);
    expect(await fires(trigger('disabled: false'), ended({ state: 'RETRIED' }))).toBe(true);
  });

  test('states limits the end states that fire it', async () => {
    expect(await fires(trigger('states: [FAILED]'), ended())).toBe(false);
    expect(await fires(trigger('states: [FAILED]'), ended({ state: 'FAILED' }))).toBe(true);
  });

  test.each([
    'io.kestra.plugin.core.condition.ExecutionFlow',
    'io.kestra.plugin.core.condition.ExecutionFlowCondition',
    'io.kestra.core.models.conditions.types.ExecutionFlowCondition',
  ])('an ExecutionFlow condition named %s matches the upstream flow only', async (type) => {
    const on = (flowId: string) =>
      trigger(`conditions:\n  - type: ${type}\n    namespace: company.team\n    flowId: ${flowId}`);
    expect(await fires(on('upstream'), ended())).toBe(true);
    expect(await fires(on('other'), ended())).toBe(false);
  });

  test('ExecutionStatus and ExecutionFlow together need both to hold', async () => {
    const t = trigger(
      [
        'conditions:',
        '  - type: io.kestra.plugin.core.condition.ExecutionStatus',
        '    in: [SUCCESS]',
        '  - type: io.kestra.plugin.core.condition.ExecutionFlow',
        '    namespace: company.team',
        '    flowId: upstream',
      ].join('\n'),
    );
    expect(await fires(t, ended())).toBe(true);
    expect(await fires(t, ended({ state: 'FAILED' }))).toBe(false);
    expect(await fires(t, ended({ flowId: 'other' }))).toBe(false);
  });

  test('a disabled trigger never fires', async () => {
    expect(await fires(trigger('disabled: true'), ended())).toBe(false);
  });

  test('a condition that cannot be evaluated does not hold, and is reported', async () => {
    const t = trigger(
      'conditions:\n  - type: io.kestra.plugin.core.condition.Expression\n    expression: "{{ nope.x }}"',
    );
    const reported: unknown[] = [];
    const ctx: ConditionContext = {
      flow: { namespace: 'company.team', id: 'listener' },
      variables: async () => ({}),
    };
    const result = await flowTriggerFires({
      flow: ctx.flow,
      trigger: t,
      ended: ended(),
      ctx,
      store: noWindows,
      now: new Date(),
      onError: (_c, error) => reported.push(error),
    });
    expect(result).toBe(false);
    expect(String(reported[0])).toMatch(/nope/);
  });
});
