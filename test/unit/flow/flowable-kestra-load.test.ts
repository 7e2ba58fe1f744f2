import { describe, expect, test } from 'vitest';
import { errorsOf, flowOf, withTasks } from './helpers.js';

// What the loader checks on WaitFor and WorkingDirectory, with Kestra's messages.

describe('WorkingDirectory', () => {
  test('a flowable task among its tasks is refused with Kestra’s reason', () => {
    const source = withTasks(
      [
        '  - id: wd',
        '    type: io.kestra.plugin.core.flow.WorkingDirectory',
        '    tasks:',
        '      - id: inner',
        '        type: sequential',
        '        tasks:',
        '          - id: hello',
        '            type: log',
        '            message: hi',
        '',
      ].join('\n'),
    );
    expect(errorsOf(source)).toEqual([
      "flow.yaml:8:15: task 'wd': property 'tasks[0].type': Only runnable tasks are allowed as children of a WorkingDirectory task",
    ]);
  });

  test('a worker group on one of its tasks is refused', () => {
    const source = withTasks(
      [
        '  - id: wd',
        '    type: working-directory',
        '    tasks:',
        '      - id: hello',
        '        type: log',
        '        message: hi',
        '        workerGroup:',
        '          key: gpu',
        '',
      ].join('\n'),
    );
    expect(errorsOf(source).join('\n')).toContain(
      'Cannot set a Worker Group in any WorkingDirectory sub-tasks, it is only supported at the WorkingDirectory level',
    );
  });

  test('without tasks it is refused', () => {
    expect(errorsOf(withTasks('  - id: wd\n    type: working-directory\n'))).toEqual([
      "flow.yaml:4:5: task 'wd': missing required property 'tasks'",
    ]);
  });

  test('the older name io.kestra.core.tasks.flows.Worker loads as WorkingDirectory', () => {
    const flow = flowOf(
      withTasks(
        '  - id: wd\n    type: io.kestra.core.tasks.flows.Worker\n    tasks:\n      - id: a\n        type: log\n        message: hi\n',
      ),
    );
    expect(flow.tasks[0].type).toBe('io.kestra.plugin.core.flow.WorkingDirectory');
  });
});

describe('WaitFor', () => {
  test('an unknown checkFrequency field is refused', () => {
    const source = withTasks(
      [
        '  - id: poll',
        '    type: wait-for',
        '    condition: "{{ true }}"',
        '    checkFrequency:',
        '      every: PT1S',
        '    tasks:',
        '      - id: a',
        '        type: log',
        '        message: hi',
        '',
      ].join('\n'),
    );
    expect(errorsOf(source).join('\n')).toContain('every');
  });

  test('an interval that is no ISO-8601 duration is refused', () => {
    const source = withTasks(
      [
        '  - id: poll',
        '    type: wait-for',
        '    condition: "{{ true }}"',
        '    checkFrequency:',
        '      interval: 5 seconds',
        '    tasks:',
        '      - id: a',
        '        type: log',
        '        message: hi',
        '',
      ].join('\n'),
    );
    expect(errorsOf(source).join('\n')).toContain('checkFrequency.interval');
  });
});
