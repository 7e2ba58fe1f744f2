import { describe, expect, test } from 'vitest';
import { findTaskType, findTriggerType, taskTypes, triggerTypes } from '../../../src/tasks/catalog.js';

const TASK_NAMES: [canonical: string, older: string[], short: string, kind: 'flowable' | 'runnable'][] = [
  ['io.kestra.plugin.core.log.Log', ['io.kestra.core.tasks.log.Log'], 'log', 'runnable'],
  ['io.kestra.plugin.core.debug.Return', ['io.kestra.core.tasks.debugs.Return'], 'return', 'runnable'],
  ['io.kestra.plugin.core.debug.Echo', ['io.kestra.core.tasks.debugs.Echo'], 'echo', 'runnable'],
  [
    'io.kestra.plugin.core.output.OutputValues',
    ['io.kestra.core.tasks.outputs.OutputValues'],
    'output-values',
    'runnable',
  ],
  ['io.kestra.plugin.core.execution.Fail', ['io.kestra.core.tasks.executions.Fail'], 'fail', 'runnable'],
  [
    'io.kestra.plugin.core.execution.Labels',
    ['io.kestra.core.tasks.executions.Labels'],
    'labels',
    'runnable',
  ],
  [
    'io.kestra.plugin.core.templating.TemplatedTask',
    ['io.kestra.core.tasks.templating.TemplatedTask'],
    'templated',
    'runnable',
  ],
  ['io.kestra.plugin.core.flow.Sleep', ['io.kestra.core.tasks.flows.Sleep'], 'sleep', 'runnable'],
  [
    'io.kestra.plugin.core.flow.Sequential',
    ['io.kestra.core.tasks.flows.Sequential'],
    'sequential',
    'flowable',
  ],
  ['io.kestra.plugin.core.flow.Parallel', ['io.kestra.core.tasks.flows.Parallel'], 'parallel', 'flowable'],
  ['io.kestra.plugin.core.flow.ForEach', ['io.kestra.core.tasks.flows.ForEach'], 'for-each', 'flowable'],
  [
    'io.kestra.plugin.core.flow.EachSequential',
    ['io.kestra.core.tasks.flows.EachSequential'],
    'each-sequential',
    'flowable',
  ],
  [
    'io.kestra.plugin.core.flow.EachParallel',
    ['io.kestra.core.tasks.flows.EachParallel'],
    'each-parallel',
    'flowable',
  ],
  ['io.kestra.plugin.core.flow.If', ['io.kestra.core.tasks.flows.If'], 'if', 'flowable'],
  ['io.kestra.plugin.core.flow.Switch', ['io.kestra.core.tasks.flows.Switch'], 'switch', 'flowable'],
  ['io.kestra.plugin.core.flow.Dag', ['io.kestra.core.tasks.flows.Dag'], 'dag', 'flowable'],
  [
    'io.kestra.plugin.core.flow.AllowFailure',
    ['io.kestra.core.tasks.flows.AllowFailure'],
    'allow-failure',
    'flowable',
  ],
  ['io.kestra.plugin.core.flow.Pause', ['io.kestra.core.tasks.flows.Pause'], 'pause', 'flowable'],
  [
    'io.kestra.plugin.core.flow.Subflow',
    ['io.kestra.core.tasks.flows.Subflow', 'io.kestra.core.tasks.flows.Flow'],
    'subflow',
    'flowable',
  ],
  ['io.kestra.plugin.core.flow.WaitFor', [], 'wait-for', 'flowable'],
  [
    'io.kestra.plugin.core.flow.WorkingDirectory',
    ['io.kestra.core.tasks.flows.WorkingDirectory', 'io.kestra.core.tasks.flows.Worker'],
    'working-directory',
    'flowable',
  ],
  [
    'io.kestra.plugin.core.flow.ForEachItem',
    ['io.kestra.core.tasks.flows.ForEachItem'],
    'for-each-item',
    'flowable',
  ],
  ['io.kestra.plugin.scripts.shell.Commands', [], 'shell', 'runnable'],
  ['io.kestra.plugin.scripts.shell.Script', [], 'shell-script', 'runnable'],
  ['io.kestra.plugin.scripts.node.Script', [], 'node', 'runnable'],
  ['io.kestra.plugin.scripts.node.Commands', [], 'node-commands', 'runnable'],
  ['io.kestra.plugin.scripts.python.Script', [], 'python', 'runnable'],
  ['io.kestra.plugin.scripts.python.Commands', [], 'python-commands', 'runnable'],
  ['io.kestra.plugin.scripts.perl.Script', [], 'perl', 'runnable'],
  ['io.kestra.plugin.scripts.perl.Commands', [], 'perl-commands', 'runnable'],
  ['io.kestra.plugin.core.http.Request', ['io.kestra.plugin.fs.http.Request'], 'http', 'runnable'],
  ['io.kestra.plugin.core.http.Download', ['io.kestra.plugin.fs.http.Download'], 'download', 'runnable'],
  ['io.kestra.plugin.core.storage.Concat', ['io.kestra.core.tasks.storages.Concat'], 'concat', 'runnable'],
  [
    'io.kestra.plugin.core.storage.DeduplicateItems',
    ['io.kestra.core.tasks.storages.DeduplicateItems'],
    'deduplicate-items',
    'runnable',
  ],
  [
    'io.kestra.plugin.core.storage.Delete',
    ['io.kestra.core.tasks.storages.Delete'],
    'delete-file',
    'runnable',
  ],
  [
    'io.kestra.plugin.core.storage.FilterItems',
    ['io.kestra.core.tasks.storages.FilterItems'],
    'filter-items',
    'runnable',
  ],
  [
    'io.kestra.plugin.core.storage.LocalFiles',
    ['io.kestra.core.tasks.storages.LocalFiles'],
    'local-files',
    'runnable',
  ],
  [
    'io.kestra.plugin.core.storage.Reverse',
    ['io.kestra.core.tasks.storages.Reverse'],
    'reverse-file',
    'runnable',
  ],
  ['io.kestra.plugin.core.storage.Size', ['io.kestra.core.tasks.storages.Size'], 'file-size', 'runnable'],
  ['io.kestra.plugin.core.storage.Split', ['io.kestra.core.tasks.storages.Split'], 'split-file', 'runnable'],
  [
    'io.kestra.plugin.core.storage.PurgeCurrentExecutionFiles',
    ['io.kestra.core.tasks.storages.PurgeExecution', 'io.kestra.plugin.core.storage.PurgeExecution'],
    'purge-execution-files',
    'runnable',
  ],
  ['io.kestra.plugin.core.log.Fetch', ['io.kestra.core.tasks.log.Fetch'], 'fetch-logs', 'runnable'],
  ['io.kestra.plugin.core.log.PurgeLogs', [], 'purge-logs', 'runnable'],
  [
    'io.kestra.plugin.core.execution.Count',
    ['io.kestra.core.tasks.executions.Counts'],
    'count-executions',
    'runnable',
  ],
  [
    'io.kestra.plugin.core.execution.PurgeExecutions',
    ['io.kestra.core.tasks.storages.Purge', 'io.kestra.plugin.core.storage.Purge'],
    'purge-executions',
    'runnable',
  ],
  ['io.kestra.plugin.core.execution.Resume', [], 'resume', 'runnable'],
  [
    'io.kestra.plugin.core.trigger.Toggle',
    ['io.kestra.core.tasks.trigger.Toggle'],
    'toggle-trigger',
    'runnable',
  ],
  ['io.sluice.sync.Sync', [], 'sync', 'runnable'],
  ['io.kestra.plugin.core.kv.Set', [], 'kv-set', 'runnable'],
  ['io.kestra.plugin.core.kv.Get', [], 'kv-get', 'runnable'],
  ['io.kestra.plugin.core.kv.Delete', [], 'kv-delete', 'runnable'],
  ['io.kestra.plugin.core.kv.GetKeys', [], 'kv-get-keys', 'runnable'],
  ['io.kestra.plugin.core.state.Get', ['io.kestra.core.tasks.states.Get'], 'state-get', 'runnable'],
  ['io.kestra.plugin.core.state.Set', ['io.kestra.core.tasks.states.Set'], 'state-set', 'runnable'],
  ['io.kestra.plugin.core.state.Delete', ['io.kestra.core.tasks.states.Delete'], 'state-delete', 'runnable'],
  ['io.kestra.plugin.core.namespace.UploadFiles', [], 'namespace-upload-files', 'runnable'],
  ['io.kestra.plugin.core.namespace.DownloadFiles', [], 'namespace-download-files', 'runnable'],
  ['io.kestra.plugin.core.namespace.DeleteFiles', [], 'namespace-delete-files', 'runnable'],
];

describe('findTaskType', () => {
  test.each(TASK_NAMES)('%s is found under every one of its names', (canonical, older, short) => {
    const found = [canonical, ...older, short].map((name) => findTaskType(name)?.type);
    expect(found).toEqual(found.map(() => canonical));
  });

  test.each(TASK_NAMES)('%s is %s', (canonical, _older, _short, kind) => {
    expect(findTaskType(canonical)?.kind).toBe(kind);
  });

  test('an unknown name finds nothing', () => {
    expect(findTaskType('io.kestra.plugin.core.log.Shout')).toBeUndefined();
  });

  test('names are case-sensitive, as in Kestra', () => {
    expect(findTaskType('LOG')).toBeUndefined();
  });
});

test('the catalog holds exactly the expected task types', () => {
  expect(taskTypes.map((t) => t.type).sort()).toEqual(TASK_NAMES.map(([canonical]) => canonical).sort());
});

test('no two types share a name', () => {
  const names = [...taskTypes, ...triggerTypes].flatMap((t) => [t.type, ...t.aliases]);
  expect(new Set(names).size).toBe(names.length);
});

test('short names are kebab-case', () => {
  const shortNames = taskTypes.map((t) => t.aliases[t.aliases.length - 1]);
  expect(shortNames.filter((name) => !/^[a-z]+(-[a-z]+)*$/.test(name))).toEqual([]);
});

describe('findTriggerType', () => {
  test.each([
    ['io.kestra.plugin.core.trigger.Schedule', 'io.kestra.core.models.triggers.types.Schedule', 'schedule'],
    ['io.kestra.plugin.core.trigger.Flow', 'io.kestra.core.models.triggers.types.Flow', 'flow'],
    ['io.kestra.plugin.core.trigger.Webhook', 'io.kestra.core.models.triggers.types.Webhook', 'webhook'],
  ])('%s is found under every one of its names', (canonical, older, short) => {
    expect([canonical, older, short].map((name) => findTriggerType(name)?.type)).toEqual([
      canonical,
      canonical,
      canonical,
    ]);
  });

  test('a task type is not a trigger type', () => {
    expect(findTriggerType('log')).toBeUndefined();
  });
});

describe('property schemas', () => {
  const parse = (type: string, props: unknown) => findTaskType(type)!.properties.safeParse(props);

  test('an unknown property is refused by name', () => {
    const result = parse('log', { message: 'm', colour: 'red' });
    expect(result.error?.issues.map((i) => (i.code === 'unrecognized_keys' ? i.keys : []))).toEqual([
      ['colour'],
    ]);
  });

  test('Log takes one message or a list of them', () => {
    expect([parse('log', { message: 'a' }).success, parse('log', { message: ['a', 'b'] }).success]).toEqual([
      true,
      true,
    ]);
  });

  test('Fail defaults its error message', () => {
    expect(parse('fail', {}).data).toEqual({ errorMessage: 'Task failure' });
  });

  test('ForEach runs one iteration at a time unless told otherwise', () => {
    expect(parse('for-each', { values: [1], tasks: [{}] }).data).toMatchObject({ concurrencyLimit: 1 });
  });

  test('ForEach values may be an expression or JSON text', () => {
    expect([
      parse('for-each', { values: '{{ inputs.list }}', tasks: [{}] }).success,
      parse('for-each', { values: '["a"]', tasks: [{}] }).success,
    ]).toEqual([true, true]);
  });

  test('Parallel concurrency may be an expression but not a negative number', () => {
    expect([
      parse('parallel', { tasks: [{}], concurrent: '{{ inputs.n }}' }).success,
      parse('parallel', { tasks: [{}], concurrent: -1 }).success,
    ]).toEqual([true, false]);
  });

  test('If conditions may be a boolean or any string', () => {
    const ifTask = (condition: unknown) => ({ condition, then: [{}] });
    expect([parse('if', ifTask(true)).success, parse('if', ifTask('{{ x }}')).success]).toEqual([true, true]);
  });

  test('Subflow waits and transmits failures by default', () => {
    expect(parse('subflow', { namespace: 'ns', flowId: 'child' }).data).toEqual({
      namespace: 'ns',
      flowId: 'child',
      wait: true,
      transmitFailed: true,
    });
  });

  test('Subflow needs the namespace of the flow it starts, as in Kestra', () => {
    expect(parse('subflow', { flowId: 'child' }).success).toBe(false);
  });

  test('HTTP requests default to GET and accept any method token', () => {
    expect([
      parse('http', { uri: 'http://x' }).data,
      parse('http', { uri: 'http://x', method: 'propfind' }).data,
    ]).toEqual([
      { uri: 'http://x', method: 'GET' },
      { uri: 'http://x', method: 'PROPFIND' },
    ]);
  });

  test('HTTP methods must be a word', () => {
    expect(parse('http', { uri: 'http://x', method: 'GET /' }).success).toBe(false);
  });

  test('a sync side needs exactly one of connector and command', () => {
    expect(
      parse('sync', { source: { connector: 'a', command: ['b'] }, destination: { connector: 'c' } }).success,
    ).toBe(false);
  });

  test('script tasks accept Kestra container settings without using them', () => {
    expect(
      parse('shell', {
        commands: ['ls'],
        taskRunner: { type: 'io.kestra.plugin.scripts.runner.docker.Docker' },
      }).success,
    ).toBe(true);
  });

  test('each Dag item wraps a task', () => {
    expect(parse('dag', { tasks: [{ dependsOn: [] }] }).success).toBe(false);
  });
});

describe('trigger schemas', () => {
  const parse = (type: string, props: unknown) => findTriggerType(type)!.properties.safeParse(props);

  test.each(['@hourly', '@daily', '@weekly', '@monthly', '@yearly', '@annually', '@midnight'])(
    'Schedule accepts %s',
    (cron) => {
      expect(parse('schedule', { cron }).success).toBe(true);
    },
  );

  test('Schedule accepts six fields with withSeconds', () => {
    expect(parse('schedule', { cron: '*/10 * * * * *', withSeconds: true }).success).toBe(true);
  });

  test('Schedule refuses five fields with withSeconds', () => {
    expect(parse('schedule', { cron: '* * * * *', withSeconds: true }).success).toBe(false);
  });

  test('a backfill start must be a date-time with an offset', () => {
    expect(parse('schedule', { cron: '@daily', backfill: { start: '2024-01-01T00:00:00' } }).success).toBe(
      false,
    );
  });

  test('Schedule recovers missed schedules only as ALL, LAST or NONE', () => {
    expect(parse('schedule', { cron: '@daily', recoverMissedSchedules: 'SOME' }).success).toBe(false);
  });

  test('triggers are enabled by default', () => {
    expect(parse('webhook', { key: 'a-long-enough-key' }).data).toEqual({
      key: 'a-long-enough-key',
      disabled: false,
    });
  });

  test('a webhook key shorter than 16 characters is refused: the key is its only credential', () => {
    expect([
      parse('webhook', { key: 'fifteen-chars-k' }).success,
      parse('webhook', { key: 'sixteen-chars-ky' }).success,
    ]).toEqual([false, true]);
  });
});
