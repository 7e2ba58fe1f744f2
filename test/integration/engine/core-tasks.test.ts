import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startExecution, waitForExecutionEnd } from '../../../src/app/executions.js';
import { testDialects } from '../../support/databases.js';
import { runOf, runsOf, startTestEngine, type TestEngine } from '../../support/engine.js';

describe.each(testDialects())('core tasks on $name', (dialect) => {
  let engine: TestEngine;
  beforeAll(async () => {
    engine = await startTestEngine(dialect);
  });
  afterAll(async () => engine?.stop());

  test('Return renders flow, task, execution and taskrun variables', async () => {
    const exec = await engine.run(`
id: ctx
namespace: test.core
tasks:
  - id: r
    type: io.kestra.plugin.core.debug.Return
    format: "{{ flow.id }}@{{ flow.namespace }}/{{ task.id }}/{{ execution.id }}"
`);
    expect(exec.state.current).toBe('SUCCESS');
    expect(runOf(exec, 'r').outputs).toEqual({ value: `ctx@test.core/r/${exec.id}` });
    expect(exec.state.histories.map((h) => h.state)).toEqual(['CREATED', 'RUNNING', 'SUCCESS']);
    expect(runOf(exec, 'r').state.histories.map((h) => h.state)).toEqual(['CREATED', 'RUNNING', 'SUCCESS']);
    expect(runOf(exec, 'r').attempts).toHaveLength(1);
  });

  test('Log writes its rendered message to the execution logs at its level', async () => {
    const exec = await engine.run(`
id: logs
namespace: test.core
tasks:
  - id: say
    type: log
    level: WARN
    message: "hello {{ flow.id }}"
`);
    expect(exec.state.current).toBe('SUCCESS');
    const logs = await engine.logs(exec.id);
    expect(logs.map((l) => [l.taskId, l.level, l.message])).toContainEqual(['say', 'WARN', 'hello logs']);
  });

  test('Echo (and its pre-0.17 name) logs its rendered format at its level and has no outputs', async () => {
    const exec = await engine.run(`
id: echo
namespace: test.core
tasks:
  - id: now
    type: io.kestra.plugin.core.debug.Echo
    format: "echo from {{ task.id }}"
  - id: old
    type: io.kestra.core.tasks.debugs.Echo
    level: ERROR
    format: "{{ flow.id }} said so"
`);
    expect(exec.state.current).toBe('SUCCESS');
    expect(runOf(exec, 'now').outputs ?? {}).toEqual({});
    const logs = await engine.logs(exec.id);
    expect(logs.map((l) => [l.taskId, l.level, l.message])).toEqual(
      expect.arrayContaining([
        ['now', 'INFO', 'echo from now'],
        ['old', 'ERROR', 'echo said so'],
      ]),
    );
  });

  test('Labels sets labels from a JSON expression, a map and a list, overriding flow and execution labels', async () => {
    const flow = await engine.deploy(`
id: relabel
namespace: test.core
labels:
  team: data
  stage: flow-value
inputs:
  - id: json
    type: JSON
  - id: n
    type: INT
tasks:
  - id: from-json
    type: io.kestra.plugin.core.execution.Labels
    labels: "{{ inputs.json }}"
  - id: from-map
    type: io.kestra.core.tasks.executions.Labels
    labels:
      "{{ 'computed' ~ '-key' }}": "{{ inputs.n }}"
      stage: "{{ flow.namespace }}.{{ flow.id }}"
  - id: from-list
    type: labels
    labels:
      - key: origin
        value: "{{ taskrun.id }}"
  - id: read
    type: return
    format: "{{ labels.stage }}/{{ labels['computed-key'] }}"
`);
    const started = await startExecution(
      engine.db,
      flow,
      { json: { fromJson: 'yes', answer: 42 }, n: 7 },
      { labels: { run: 'manual', origin: 'execution-value' } },
    );
    const exec = await waitForExecutionEnd(engine.db, started.id, 100);
    expect(exec.state.current).toBe('SUCCESS');
    const labels = Object.fromEntries(exec.labels.map((l) => [l.key, l.value]));
    expect(labels).toMatchObject({
      team: 'data',
      stage: 'test.core.relabel',
      run: 'manual',
      origin: runOf(exec, 'from-list').id,
      fromJson: 'yes',
      answer: '42',
      'computed-key': '7',
    });
    expect(exec.labels.filter((l) => l.key === 'stage')).toHaveLength(1);
    expect(runOf(exec, 'read').outputs).toEqual({ value: 'test.core.relabel/7' });
  });

  test('Labels refuses a system label and leaves the execution labels as they were', async () => {
    const exec = await engine.run(`
id: relabel-system
namespace: test.core
tasks:
  - id: sneaky
    type: labels
    labels:
      system.correlationId: forged
`);
    expect(exec.state.current).toBe('FAILED');
    expect(runOf(exec, 'sneaky').state.current).toBe('FAILED');
    expect(exec.labels.find((l) => l.key === 'system.correlationId')?.value).not.toBe('forged');
  });

  test('OutputValues exposes rendered values to later tasks', async () => {
    const exec = await engine.run(`
id: ov
namespace: test.core
tasks:
  - id: out
    type: io.kestra.plugin.core.output.OutputValues
    values:
      a: "{{ 1 + 2 }}"
      b: plain
  - id: use
    type: return
    format: "{{ outputs.out.values.a }}-{{ outputs.out.values.b }}"
`);
    expect(runOf(exec, 'out').outputs).toEqual({ values: { a: '3', b: 'plain' } });
    expect(runOf(exec, 'use').outputs).toEqual({ value: '3-plain' });
  });

  test('Sequential runs children in order and stops at the first failure', async () => {
    const exec = await engine.run(`
id: seq
namespace: test.core
tasks:
  - id: s
    type: io.kestra.plugin.core.flow.Sequential
    tasks:
      - id: one
        type: return
        format: "1"
      - id: boom
        type: fail
        errorMessage: stop here
      - id: never
        type: return
        format: "x"
`);
    expect(exec.state.current).toBe('FAILED');
    expect(runOf(exec, 's').state.current).toBe('FAILED');
    expect(runOf(exec, 'boom').error).toBe('stop here');
    expect(runsOf(exec, 'never')).toHaveLength(0);
  });

  test('Parallel nested in Parallel runs every branch once and keeps Sequential order', async () => {
    const exec = await engine.run(`
id: par
namespace: test.core
tasks:
  - id: fan
    type: io.kestra.plugin.core.flow.Parallel
    tasks:
      - id: a
        type: return
        format: "a"
      - id: inner
        type: parallel
        concurrent: 1
        tasks:
          - id: chain
            type: sequential
            tasks:
              - id: c1
                type: return
                format: "x"
              - id: c2
                type: return
                format: "{{ outputs.c1.value }}y"
          - id: b
            type: log
            message: b
  - id: after
    type: return
    format: "{{ outputs.c2.value }}"
`);
    expect(exec.state.current).toBe('SUCCESS');
    expect(exec.taskRunList).toHaveLength(8);
    expect(runOf(exec, 'after').outputs).toEqual({ value: 'xy' });
  });

  test('ForEach keys outputs by value and runs iterations one at a time by default', async () => {
    const exec = await engine.run(`
id: loop
namespace: test.core
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: ["oslo", "lisbon"]
    tasks:
      - id: len
        type: return
        format: "{{ taskrun.value | length }}"
      - id: report
        type: return
        format: "{{ taskrun.value }}={{ outputs.len[taskrun.value].value }}"
  - id: summary
    type: return
    format: "{{ outputs.report.oslo.value }};{{ outputs.report['lisbon'].value }}"
`);
    expect(exec.state.current).toBe('SUCCESS');
    expect(exec.taskRunList).toHaveLength(6);
    expect(runsOf(exec, 'len').map((r) => [r.value, r.outputs])).toEqual([
      ['oslo', { value: '4' }],
      ['lisbon', { value: '6' }],
    ]);
    expect(runOf(exec, 'summary').outputs).toEqual({ value: 'oslo=4;lisbon=6' });
    const [osloEnd, lisbonStart] = [
      runsOf(exec, 'report')[0].state.endDate!,
      runsOf(exec, 'len')[1].state.startDate,
    ];
    expect(Date.parse(lisbonStart)).toBeGreaterThanOrEqual(Date.parse(osloEnd));
  });

  test('ForEach of objects gives each child the object as compact JSON', async () => {
    const exec = await engine.run(`
id: loop-objects
namespace: test.core
tasks:
  - id: each
    type: for-each
    concurrencyLimit: 0
    values: '[{"k": 1}, {"k": 2}]'
    tasks:
      - id: k
        type: return
        format: "{{ taskrun.value }}"
`);
    expect(runsOf(exec, 'k').map((r) => r.value)).toEqual(['{"k":1}', '{"k":2}']);
  });

  test('EachSequential and EachParallel run their tasks per value', async () => {
    const exec = await engine.run(`
id: each-old
namespace: test.core
tasks:
  - id: seq
    type: io.kestra.core.tasks.flows.EachSequential
    value: [1, 2, 3]
    tasks:
      - id: s
        type: return
        format: "s{{ taskrun.value }}"
  - id: par
    type: io.kestra.plugin.core.flow.EachParallel
    value: '["a", "b"]'
    tasks:
      - id: p
        type: return
        format: "p{{ taskrun.value }}"
`);
    expect(exec.state.current).toBe('SUCCESS');
    expect(runsOf(exec, 's').map((r) => r.outputs?.value)).toEqual(['s1', 's2', 's3']);
    expect(
      runsOf(exec, 'p')
        .map((r) => r.outputs?.value)
        .sort(),
    ).toEqual(['pa', 'pb']);
  });

  test('If runs then on a true condition and else on a Kestra-falsy one', async () => {
    const exec = await engine.run(`
id: branch
namespace: test.core
tasks:
  - id: yes
    type: io.kestra.plugin.core.flow.If
    condition: "{{ 1 < 2 }}"
    then:
      - id: t1
        type: return
        format: then
    else:
      - id: e1
        type: return
        format: else
  - id: no
    type: if
    condition: "0"
    then:
      - id: t2
        type: return
        format: then
    else:
      - id: e2
        type: return
        format: else
`);
    expect(exec.state.current).toBe('SUCCESS');
    expect(runsOf(exec, 't1')).toHaveLength(1);
    expect(runsOf(exec, 'e1')).toHaveLength(0);
    expect(runsOf(exec, 't2')).toHaveLength(0);
    expect(runsOf(exec, 'e2')).toHaveLength(1);
  });

  test('Switch runs the matching case, else defaults, and reports which', async () => {
    const flow = (mode: string) => `
id: sw-${mode.toLowerCase()}
namespace: test.core
tasks:
  - id: route
    type: io.kestra.plugin.core.flow.Switch
    value: "${mode}"
    cases:
      A:
        - id: a_only
          type: return
          format: alpha
    defaults:
      - id: fallback
        type: return
        format: default
`;
    const matched = await engine.run(flow('A'));
    expect(runOf(matched, 'route').outputs).toEqual({ value: 'A', defaults: false });
    expect(runsOf(matched, 'fallback')).toHaveLength(0);
    const other = await engine.run(flow('Z'));
    expect(runOf(other, 'route').outputs).toEqual({ value: 'Z', defaults: true });
    expect(runOf(other, 'fallback').state.current).toBe('SUCCESS');
  });

  test('Switch without a matching case and without defaults fails', async () => {
    const exec = await engine.run(`
id: sw-nomatch
namespace: test.core
tasks:
  - id: route
    type: switch
    value: "Q"
    cases:
      A:
        - id: a
          type: return
          format: a
`);
    expect(exec.state.current).toBe('FAILED');
    expect(runOf(exec, 'route').state.current).toBe('FAILED');
  });

  test('Dag starts a task only after everything it depends on succeeded', async () => {
    const exec = await engine.run(`
id: dag
namespace: test.core
tasks:
  - id: graph
    type: io.kestra.plugin.core.flow.Dag
    tasks:
      - task:
          id: last
          type: return
          format: "{{ outputs.left.value }}{{ outputs.right.value }}"
        dependsOn: [left, right]
      - task:
          id: left
          type: return
          format: L
        dependsOn: [root]
      - task:
          id: right
          type: return
          format: R
        dependsOn: [root]
      - task:
          id: root
          type: return
          format: "0"
`);
    expect(exec.state.current).toBe('SUCCESS');
    expect(runOf(exec, 'last').outputs).toEqual({ value: 'LR' });
    const start = (id: string) => Date.parse(runOf(exec, id).state.startDate);
    const end = (id: string) => Date.parse(runOf(exec, id).state.endDate!);
    expect(start('left')).toBeGreaterThanOrEqual(end('root'));
    expect(start('last')).toBeGreaterThanOrEqual(Math.max(end('left'), end('right')));
  });

  test('AllowFailure turns a failing child into WARNING and the execution goes on', async () => {
    const exec = await engine.run(`
id: allow
namespace: test.core
tasks:
  - id: tolerant
    type: io.kestra.plugin.core.flow.AllowFailure
    tasks:
      - id: bad
        type: fail
  - id: next
    type: return
    format: ran
`);
    expect(runOf(exec, 'bad').state.current).toBe('FAILED');
    expect(runOf(exec, 'tolerant').state.current).toBe('WARNING');
    expect(runOf(exec, 'next').state.current).toBe('SUCCESS');
    expect(exec.state.current).toBe('WARNING');
  });

  test('Fail with a false condition succeeds and with a true one fails with its message', async () => {
    const exec = await engine.run(`
id: fail-cond
namespace: test.core
tasks:
  - id: quiet
    type: io.kestra.plugin.core.execution.Fail
    condition: "{{ 1 > 2 }}"
  - id: loud
    type: fail
    condition: "{{ 2 > 1 }}"
    errorMessage: "broken {{ flow.id }}"
`);
    expect(runOf(exec, 'quiet').state.current).toBe('SUCCESS');
    expect(runOf(exec, 'loud').state.current).toBe('FAILED');
    expect(runOf(exec, 'loud').error).toBe('broken fail-cond');
  });

  test('Sleep waits its duration', async () => {
    const exec = await engine.run(`
id: nap
namespace: test.core
tasks:
  - id: z
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT0.3S
`);
    const tr = runOf(exec, 'z');
    expect(tr.state.current).toBe('SUCCESS');
    expect(
      Date.parse(tr.attempts[0].state.endDate!) - Date.parse(tr.attempts[0].state.startDate),
    ).toBeGreaterThanOrEqual(290);
  });
});
