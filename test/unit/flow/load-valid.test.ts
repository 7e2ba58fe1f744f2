import { describe, expect, test } from 'vitest';
import { formatFlowError, loadFlow } from '../../../src/flow/load.js';
import type { TaskDef } from '../../../src/flow/model.js';
import { flowOf, flowOfFixture, readFixture, withTasks } from './helpers.js';

const KESTRA_SAMPLES = [
  'kestra-basic-context-return.yaml',
  'kestra-errors-flow-level.yaml',
  'kestra-inputs-invalid-missing-required.yaml',
  'kestra-loop-outputs-by-value.yaml',
  'kestra-parallel-nested.yaml',
  'kestra-retry-exhausted.yaml',
  'kestra-subflow-inputs-outputs.yaml',
  'kestra-subflow-inputs-outputs-child.yaml',
  'kestra-switch-defaults.yaml',
];

describe('Kestra acceptance samples', () => {
  test.each(KESTRA_SAMPLES)('%s loads without errors', (name) => {
    const { errors } = loadFlow(readFixture(`valid/${name}`), name);
    expect(errors.map(formatFlowError)).toEqual([]);
  });
});

test('a flow using every task, trigger and input type loads without errors', () => {
  const { errors } = loadFlow(readFixture('valid/everything.yaml'), 'everything.yaml');
  expect(errors.map(formatFlowError)).toEqual([]);
});

test('formatFlowError prints file:line:col: message', () => {
  expect(formatFlowError({ file: 'a.yaml', line: 3, col: 7, message: 'bad' })).toBe('a.yaml:3:7: bad');
});

describe('normalised flow', () => {
  const minimal = withTasks('  - id: hello\n    type: log\n    message: hi\n');

  test('keeps the YAML text verbatim as source', () => {
    expect(flowOf(minimal).source).toBe(minimal);
  });

  test('fills absent sections with empty values and disabled with false', () => {
    const { id, namespace, tasks, source, ...rest } = flowOf(minimal);
    expect(rest).toEqual({
      labels: {},
      inputs: [],
      variables: {},
      errors: [],
      finally: [],
      triggers: [],
      outputs: [],
      pluginDefaults: [],
      disabled: false,
    });
  });

  test('treats a section written empty as absent', () => {
    expect(flowOf(`${minimal}errors:\ntriggers:\n`).errors).toEqual([]);
  });

  test('fills spec defaults such as the log level', () => {
    expect(flowOf(minimal).tasks[0]).toEqual({
      id: 'hello',
      type: 'io.kestra.plugin.core.log.Log',
      message: 'hi',
      level: 'INFO',
    });
  });

  test('keeps revision, description, concurrency, retry and afterExecution when given', () => {
    const flow = flowOfFixture('everything.yaml');
    expect([flow.revision, flow.description, flow.concurrency, flow.afterExecution?.[0].id]).toEqual([
      3,
      'Every task type, trigger type and input type the catalog knows.',
      { limit: 2, behavior: 'QUEUE' },
      'after',
    ]);
  });

  test('gives an exponential retry without maxInterval a ceiling of 1024 intervals', () => {
    expect(flowOfFixture('everything.yaml').retry).toEqual({
      type: 'exponential',
      interval: 'PT1S',
      maxInterval: 'PT17M4S',
      maxAttempt: 3,
      behavior: 'CREATE_NEW_EXECUTION',
    });
  });
});

describe('type names', () => {
  const flow = flowOfFixture('aliases.yaml');
  const typeOf = (id: string) => {
    const all = [...flow.tasks, ...(flow.tasks[2].tasks as TaskDef[])];
    return all.find((task) => task.id === id)?.type;
  };

  test('older Kestra names become canonical', () => {
    expect([typeOf('old_log'), typeOf('old_sequential'), typeOf('old_subflow'), typeOf('fetch')]).toEqual([
      'io.kestra.plugin.core.log.Log',
      'io.kestra.plugin.core.flow.Sequential',
      'io.kestra.plugin.core.flow.Subflow',
      'io.kestra.plugin.core.http.Request',
    ]);
  });

  test('short names become canonical, nested ones too', () => {
    expect([typeOf('short_return'), typeOf('nested_short')]).toEqual([
      'io.kestra.plugin.core.debug.Return',
      'io.kestra.plugin.core.log.Log',
    ]);
  });

  test('trigger aliases become canonical', () => {
    expect(flow.triggers.map((t) => t.type)).toEqual([
      'io.kestra.plugin.core.trigger.Schedule',
      'io.kestra.plugin.core.trigger.Webhook',
    ]);
  });

  test('an HTTP method is upper-cased', () => {
    expect(flow.tasks.find((t) => t.id === 'fetch')?.method).toBe('POST');
  });
});

describe('nested task lists', () => {
  const flow = flowOfFixture('everything.yaml');
  const task = (id: string) => flow.tasks.find((t) => t.id === id)!;

  test('Switch cases and defaults hold normalised tasks', () => {
    const route = task('route');
    expect([
      (route.cases as Record<string, TaskDef[]>).dev[0].type,
      (route.defaults as TaskDef[])[0].type,
    ]).toEqual(['io.kestra.plugin.core.debug.Return', 'io.kestra.plugin.core.debug.Return']);
  });

  test('Dag items keep dependsOn and hold a normalised task', () => {
    expect(task('graph').tasks).toEqual([
      { task: { id: 'dag_a', type: 'io.kestra.plugin.core.debug.Return', format: 'a' } },
      {
        task: { id: 'dag_b', type: 'io.kestra.plugin.core.debug.Return', format: 'b' },
        dependsOn: ['dag_a'],
      },
    ]);
  });

  test('errors and finally of a flowable task are normalised', () => {
    const par = task('par');
    expect([(par.errors as TaskDef[])[0].type, (par.finally as TaskDef[])[0].type]).toEqual([
      'io.kestra.plugin.core.log.Log',
      'io.kestra.plugin.core.log.Log',
    ]);
  });

  test("Pause's older pauseDuration becomes delay", () => {
    const hold = task('hold');
    expect([hold.delay, 'pauseDuration' in hold]).toEqual(['PT1S', false]);
  });
});

describe('pluginDefaults', () => {
  const flow = flowOfFixture('plugin-defaults.yaml');
  const task = (id: string) => flow.tasks.find((t) => t.id === id)!;

  test('fill properties a task does not set', () => {
    expect([task('uses_default').message, task('uses_default').level]).toEqual(['from defaults', 'WARN']);
  });

  test('leave properties a task sets, also when the task uses an older type name', () => {
    expect(task('overrides_default').message).toBe('own message');
  });

  test('forced ones override what the task sets, matched by package prefix', () => {
    expect(task('forced').format).toBe('forced format');
  });

  test('taskDefaults (the older name) apply too, matched by short name', () => {
    expect(task('nap').duration).toBe('PT1S');
  });

  test('maps are merged key by key', () => {
    expect(task('script').env).toEqual({ FROM_DEFAULT: 'yes', SHARED: 'own' });
  });

  test('are returned with taskDefaults appended', () => {
    expect(flow.pluginDefaults.map((d) => d.type)).toEqual([
      'io.kestra.plugin.core.log.Log',
      'io.kestra.plugin.core.debug',
      'io.kestra.plugin.scripts.shell',
      'sleep',
    ]);
  });

  test('apply to triggers as well', () => {
    const source = withTasks(
      '  - id: t\n    type: log\n    message: m\ntriggers:\n  - id: hook\n    type: webhook\npluginDefaults:\n  - type: io.kestra.plugin.core.trigger.Webhook\n    values:\n      key: shared-webhook-key\n',
    );
    expect(flowOf(source).triggers[0].key).toBe('shared-webhook-key');
  });
});

describe('labels', () => {
  test('a list of key/value pairs becomes a map of strings', () => {
    expect(flowOfFixture('labels-list.yaml').labels).toEqual({ team: 'data', tier: '1' });
  });

  test('map values become strings', () => {
    expect(flowOfFixture('labels-map.yaml').labels).toEqual({ team: 'data', critical: 'true', tier: '2' });
  });
});

describe('inputs', () => {
  const inputs = flowOfFixture('everything.yaml').inputs;
  const input = (id: string) => inputs.find((i) => i.id === id)!;

  test('are required unless said otherwise', () => {
    expect([input('name').required, input('ratio').required]).toEqual([true, false]);
  });

  test("the older 'name' is read as the id", () => {
    expect(input('count')).toEqual({
      id: 'count',
      type: 'INT',
      required: true,
      defaults: 3,
      min: 1,
      max: 10,
    });
  });

  test("MULTISELECT's older 'options' are read as values", () => {
    expect(input('features').values).toEqual(['x', 'y', 'z']);
  });

  test('a default written as a template is not checked against the type', () => {
    expect(input('start').defaults).toBe('{{ now() }}');
  });
});
