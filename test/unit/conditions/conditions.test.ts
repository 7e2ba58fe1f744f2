import { describe, expect, test } from 'vitest';
import { conditionSchema, testCondition } from '../../../src/conditions/registry.js';
import { issueMessage } from '../../../src/flow/issues.js';
import { formatFlowError, loadFlow } from '../../../src/flow/load.js';
import type { ConditionContext, ConditionDef, JudgedExecution } from '../../../src/conditions/types.js';

const upstream = (over: Partial<JudgedExecution> = {}): JudgedExecution => ({
  namespace: 'shop.orders',
  flowId: 'ingest',
  state: 'SUCCESS',
  outputs: null,
  labels: [],
  attempts: [],
  ...over,
});

function context(execution?: JudgedExecution, variables: Record<string, unknown> = {}): ConditionContext {
  return {
    flow: { namespace: 'shop.reports', id: 'daily' },
    ...(execution ? { execution: async () => execution } : {}),
    variables: async () => variables,
  };
}

/** A condition as a flow would give it: parsed (defaults applied, type canonical), then tested. */
async function holds(raw: Record<string, unknown>, ctx: ConditionContext): Promise<boolean> {
  const parsed = conditionSchema('flow').safeParse(raw);
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => i.message).join('; '));
  return testCondition(parsed.data as ConditionDef, ctx);
}

const P = 'io.kestra.plugin.core.condition';

describe('execution conditions', () => {
  test('ExecutionNamespace: EQUALS by default, prefix: true or PREFIX, SUFFIX', async () => {
    const ctx = context(upstream());
    expect(await holds({ type: `${P}.ExecutionNamespace`, namespace: 'shop' }, ctx)).toBe(false);
    expect(await holds({ type: `${P}.ExecutionNamespace`, namespace: 'shop', prefix: true }, ctx)).toBe(true);
    expect(
      await holds({ type: `${P}.ExecutionNamespace`, namespace: 'shop', comparison: 'PREFIX' }, ctx),
    ).toBe(true);
    expect(
      await holds({ type: `${P}.ExecutionNamespace`, namespace: '.orders', comparison: 'SUFFIX' }, ctx),
    ).toBe(true);
  });

  test('ExecutionStatus: in and notIn', async () => {
    const ctx = context(upstream({ state: 'WARNING' }));
    expect(await holds({ type: `${P}.ExecutionStatus`, in: ['SUCCESS', 'WARNING'] }, ctx)).toBe(true);
    expect(await holds({ type: `${P}.ExecutionStatus`, notIn: ['WARNING'] }, ctx)).toBe(false);
  });

  test('ExecutionLabels: every label given, as a map or a list of key/value', async () => {
    const ctx = context(upstream({ labels: [{ key: 'team', value: 'ops' }] }));
    expect(await holds({ type: `${P}.ExecutionLabels`, labels: { team: 'ops' } }, ctx)).toBe(true);
    expect(
      await holds(
        {
          type: `${P}.ExecutionLabels`,
          labels: [
            { key: 'team', value: 'ops' },
            { key: 'tier', value: 'gold' },
          ],
        },
        ctx,
      ),
    ).toBe(false);
  });

  test('ExecutionOutputs: reads trigger.outputs, and never holds for an execution without outputs', async () => {
    const expression = '{{ trigger.outputs.rows > 10 }}';
    expect(
      await holds(
        { type: `${P}.ExecutionOutputs`, expression },
        context(upstream({ outputs: { rows: 12 } })),
      ),
    ).toBe(true);
    expect(
      await holds({ type: `${P}.ExecutionOutputs`, expression }, context(upstream({ outputs: { rows: 3 } }))),
    ).toBe(false);
    // not even rendered: a template that would fail does not matter
    expect(
      await holds({ type: `${P}.ExecutionOutputs`, expression: '{{ missing.x }}' }, context(upstream())),
    ).toBe(false);
  });

  test('HasRetryAttempt: only task runs with more than one attempt count', async () => {
    const retried = context(upstream({ attempts: [['FAILED', 'SUCCESS'], ['KILLED']] }));
    expect(await holds({ type: `${P}.HasRetryAttempt`, in: ['FAILED'] }, retried)).toBe(true);
    expect(await holds({ type: `${P}.HasRetryAttempt`, in: ['KILLED'] }, retried)).toBe(false);
    expect(
      await holds({ type: `${P}.HasRetryAttempt` }, context(upstream({ attempts: [['SUCCESS']] }))),
    ).toBe(false);
  });

  test('Expression: only blank text and false are false (0 holds, unlike If)', async () => {
    const ctx = context(upstream(), { flow: { id: 'daily' }, n: 0 });
    expect(await holds({ type: `${P}.Expression`, expression: "{{ flow.id == 'daily' }}" }, ctx)).toBe(true);
    expect(await holds({ type: `${P}.Expression`, expression: '{{ n }}' }, ctx)).toBe(true);
    expect(await holds({ type: `${P}.Expression`, expression: '  ' }, ctx)).toBe(false);
  });

  test('Not holds when none holds; Or when any does', async () => {
    const ctx = context(upstream());
    const success = { type: `${P}.ExecutionStatus`, in: ['SUCCESS'] };
    const failed = { type: `${P}.ExecutionStatus`, in: ['FAILED'] };
    expect(await holds({ type: `${P}.Not`, conditions: [failed] }, ctx)).toBe(true);
    expect(await holds({ type: `${P}.Not`, conditions: [failed, success] }, ctx)).toBe(false);
    expect(await holds({ type: `${P}.Or`, conditions: [failed, success] }, ctx)).toBe(true);
    expect(await holds({ type: `${P}.Or`, conditions: [failed] }, ctx)).toBe(false);
  });

  test('an execution condition where no execution is judged cannot be evaluated', async () => {
    await expect(holds({ type: `${P}.ExecutionStatus`, in: ['SUCCESS'] }, context())).rejects.toThrow(
      /Flow triggers/,
    );
  });
});

describe('date conditions', () => {
  const at = (date: string) => context(undefined, { trigger: { date } });

  test('DayWeek and Weekend read the date in its own offset', async () => {
    // Saturday 23:30 in New York is Sunday in UTC: the date as written decides
    const ctx = at('2025-03-01T23:30:00-05:00');
    expect(await holds({ type: `${P}.DayWeek`, dayOfWeek: 'SATURDAY' }, ctx)).toBe(true);
    expect(await holds({ type: `${P}.Weekend` }, ctx)).toBe(true);
    expect(await holds({ type: `${P}.Weekend`, date: '2025-03-03' }, ctx)).toBe(false);
  });

  test.each([
    ['2025-06-02', 'MONDAY', 'FIRST', true],
    ['2025-06-09', 'MONDAY', 'FIRST', false],
    ['2025-06-09', 'MONDAY', 'SECOND', true],
    ['2025-06-16', 'MONDAY', 'THIRD', true],
    ['2025-06-23', 'MONDAY', 'FOURTH', true],
    ['2025-06-30', 'MONDAY', 'LAST', true],
    ['2025-06-23', 'MONDAY', 'LAST', false],
    ['2025-06-05', 'THURSDAY', 'FIRST', true],
  ])('DayWeekInMonth: %s is the %s %s of its month: %s', async (date, dayOfWeek, dayInMonth, expected) => {
    expect(await holds({ type: `${P}.DayWeekInMonth`, date, dayOfWeek, dayInMonth }, at(''))).toBe(expected);
  });

  test('DateTimeBetween compares instants, bounds excluded', async () => {
    const ctx = at('2025-01-10T12:00:00+01:00');
    const c = (after?: string, before?: string) => ({ type: `${P}.DateTimeBetween`, after, before });
    expect(await holds(c('2025-01-10T10:59:59Z', '2025-01-10T11:00:01Z'), ctx)).toBe(true);
    expect(await holds(c('2025-01-10T11:00:00Z'), ctx)).toBe(false);
    expect(await holds(c(undefined, '2025-01-10T11:00:01Z'), ctx)).toBe(true);
  });

  test('TimeBetween compares times of day with their offsets', async () => {
    const ctx = at('2025-01-10T08:30:00+02:00');
    expect(await holds({ type: `${P}.TimeBetween`, after: '06:00:00Z', before: '07:00:00Z' }, ctx)).toBe(
      true,
    );
    expect(
      await holds({ type: `${P}.TimeBetween`, after: '08:00:00+02:00', before: '08:15:00+02:00' }, ctx),
    ).toBe(false);
  });

  test('PublicHoliday: a country, a subdivision, and Easter-based days', async () => {
    const c = (date: string, country?: string, subDivision?: string) => ({
      type: `${P}.PublicHoliday`,
      date,
      country,
      subDivision,
    });
    expect(await holds(c('2025-07-14', 'FR'), at(''))).toBe(true);
    expect(await holds(c('2025-07-15', 'FR'), at(''))).toBe(false);
    // Whit Monday 2025 is 9 June; Women's Day is a holiday in Berlin only
    expect(await holds(c('2025-06-09', 'DE'), at(''))).toBe(true);
    expect(await holds(c('2025-03-08', 'DE'), at(''))).toBe(false);
    expect(await holds(c('2025-03-08', 'DE', 'BE'), at(''))).toBe(true);
    // Thanksgiving, the fourth Thursday of November, with the default country
    expect(await holds(c('2025-11-27'), at(''))).toBe(true);
  });

  test('a date that does not parse cannot be evaluated', async () => {
    await expect(holds({ type: `${P}.Weekend` }, at('next friday'))).rejects.toThrow(/next friday/);
  });
});

describe('condition validation', () => {
  const problems = (raw: unknown, site: 'flow' | 'schedule' = 'flow') => {
    const parsed = conditionSchema(site).safeParse(raw, { error: issueMessage });
    return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  test('an unknown type is refused with the closest name', () => {
    expect(problems({ type: `${P}.ExecutionStatu`, in: ['SUCCESS'] })).toEqual([
      `type: unknown condition type '${P}.ExecutionStatu' (did you mean '${P}.ExecutionStatus'?)`,
    ]);
    expect(problems({ type: 'com.example.DayOfWeek' })[0]).toMatch(/did you mean '.*\.DayWeek'/);
  });

  test('a nested condition is checked too, at its line in the flow', () => {
    const { errors } = loadFlow(
      [
        'id: listener',
        'namespace: shop.reports',
        'tasks:',
        '  - id: r',
        '    type: return',
        '    format: x',
        'triggers:',
        '  - id: t',
        '    type: io.kestra.plugin.core.trigger.Flow',
        '    conditions:',
        `      - type: ${P}.Not`,
        '        conditions:',
        `          - type: ${P}.Weekend`,
        '            colour: red',
      ].join('\n'),
      'listener.yaml',
    );
    expect(errors.map(formatFlowError)).toEqual([
      "listener.yaml:14:13: trigger 't': unknown property 'conditions[0].conditions[0].colour'",
    ]);
  });

  test('a Schedule trigger refuses a condition that judges an execution', () => {
    expect(problems({ type: `${P}.ExecutionStatus`, in: ['SUCCESS'] }, 'schedule')[0]).toMatch(
      /Schedule trigger has none/,
    );
    expect(problems({ type: `${P}.DayWeek`, dayOfWeek: 'MONDAY' }, 'schedule')).toEqual([]);
  });

  test('literal dates, times and countries are checked when the flow is saved', () => {
    expect(problems({ type: `${P}.TimeBetween`, after: '25:00' })[0]).toMatch(/^after: /);
    expect(problems({ type: `${P}.DateTimeBetween` })[0]).toMatch(/after/);
    expect(problems({ type: `${P}.PublicHoliday`, country: 'XX' })[0]).toMatch(
      /^country: no public holidays/,
    );
  });
});
