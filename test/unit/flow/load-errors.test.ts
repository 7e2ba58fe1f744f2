import { describe, expect, test } from 'vitest';
import { loadFlow } from '../../../src/flow/load.js';
import { errorsOf, errorsOfFixture, withTasks } from './helpers.js';

describe('YAML itself', () => {
  test('a syntax error is reported where the parser stopped, and nothing else is checked', () => {
    // written here rather than as a fixture, so that no file in the repository is broken YAML on purpose
    const source = withTasks('  - id: hello\n    type: log\n    message: [unclosed\n');
    expect(errorsOf(source)).toEqual([
      'flow.yaml:7:1: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
  });

  test('a duplicate key is reported at its second occurrence', () => {
    expect(errorsOfFixture('duplicate-key.yaml')).toEqual([
      "duplicate-key.yaml:7:5: duplicate key 'message'",
    ]);
  });

  test('an alias without its anchor is reported where it is used', () => {
    const source = withTasks('  - id: hello\n    type: log\n    message: *nope\n');
    expect(errorsOf(source)).toEqual([
      "flow.yaml:6:14: unknown YAML alias '*nope': define its anchor '&nope' before it",
    ]);
  });

  test('a document that is not a map is refused', () => {
    expect(errorsOfFixture('not-a-map.yaml')).toEqual([
      'not-a-map.yaml:1:1: a flow must be a YAML map with at least id, namespace and tasks',
    ]);
  });

  test('an empty document is refused', () => {
    expect(errorsOf('')).toEqual([
      'flow.yaml:1:1: a flow must be a YAML map with at least id, namespace and tasks',
    ]);
  });

  test('a failed load returns no flow', () => {
    expect(loadFlow('id: x\n', 'flow.yaml').flow).toBeUndefined();
  });
});

describe('top level', () => {
  test('id and namespace must match their patterns', () => {
    expect(errorsOfFixture('bad-id-namespace.yaml')).toEqual([
      "bad-id-namespace.yaml:1:5: property 'id': must match /^[a-zA-Z0-9][a-zA-Z0-9._-]*$/, got 'my flow'",
      "bad-id-namespace.yaml:2:12: property 'namespace': must match /^[a-z0-9][a-z0-9._-]*$/, got 'Tests.Upper'",
    ]);
  });

  test('a flow id longer than 100 characters is refused', () => {
    const id = 'a'.repeat(101);
    expect(
      errorsOf(`id: ${id}\nnamespace: tests\ntasks:\n  - id: t\n    type: log\n    message: m\n`),
    ).toEqual(["flow.yaml:1:5: property 'id': must have at most 100 characters"]);
  });

  test('missing id, namespace and tasks are reported at the start of the document', () => {
    expect(errorsOf('description: nothing else\n')).toEqual([
      "flow.yaml:1:1: missing required property 'id'",
      "flow.yaml:1:1: missing required property 'namespace'",
      "flow.yaml:1:1: missing required property 'tasks'",
    ]);
  });

  test('an empty task list is refused', () => {
    expect(errorsOfFixture('empty-tasks.yaml')).toEqual([
      "empty-tasks.yaml:3:8: property 'tasks': must not be empty",
    ]);
  });

  test('tasks written with no value are reported at the key', () => {
    expect(errorsOf('id: a\nnamespace: b\ntasks:\n')).toEqual([
      "flow.yaml:3:1: property 'tasks': expected a list, got null",
    ]);
  });

  test('an unknown top-level key is reported at the key', () => {
    expect(errorsOf(withTasks('  - id: t\n    type: log\n    message: m\ntimeout: PT1S\n'))).toEqual([
      "flow.yaml:7:1: unknown property 'timeout'",
    ]);
  });

  test('concurrency needs a limit of at least 1 and a known behavior', () => {
    expect(errorsOfFixture('bad-sections.yaml')).toContain(
      "bad-sections.yaml:4:10: property 'concurrency.limit': must be >= 1, got 0",
    );
    expect(errorsOfFixture('bad-sections.yaml')).toContain(
      "bad-sections.yaml:5:13: property 'concurrency.behavior': expected one of QUEUE|CANCEL|FAIL, got 'WAIT'",
    );
  });

  test('a random flow retry needs both of its intervals', () => {
    expect(errorsOfFixture('bad-sections.yaml').filter((e) => e.includes("'retry'"))).toEqual([
      "bad-sections.yaml:7:3: property 'retry': a random retry needs 'minInterval'",
      "bad-sections.yaml:7:3: property 'retry': a random retry needs 'maxInterval'",
    ]);
  });

  test('a label value must be a scalar', () => {
    expect(errorsOfFixture('bad-sections.yaml')).toContain(
      "bad-sections.yaml:11:5: property 'labels.team': expected a string, got a map",
    );
  });

  test('a label list item needs a value', () => {
    expect(errorsOf(withTasks('  - id: t\n    type: log\n    message: m\nlabels:\n  - key: team\n'))).toEqual(
      ["flow.yaml:8:5: missing required property 'labels[0].value'"],
    );
  });

  test('an output needs a value and a known type', () => {
    const source = withTasks(
      '  - id: t\n    type: log\n    message: m\noutputs:\n  - id: out\n    type: TEXT\n',
    );
    expect(errorsOf(source)).toEqual([
      "flow.yaml:8:5: missing required property 'outputs[0].value'",
      "flow.yaml:9:11: property 'outputs[0].type': expected one of STRING|INT|FLOAT|BOOLEAN|BOOL|DATETIME|DATE|TIME|DURATION|JSON|YAML|ARRAY|ENUM|SELECT|MULTISELECT|FILE|SECRET|URI|EMAIL, got 'TEXT'",
    ]);
  });

  test('a pluginDefaults entry needs values', () => {
    const source = withTasks('  - id: t\n    type: log\n    message: m\npluginDefaults:\n  - type: log\n');
    expect(errorsOf(source)).toEqual(["flow.yaml:8:5: missing required property 'pluginDefaults[0].values'"]);
  });
});

describe('tasks', () => {
  test('an unknown task type is reported at the type value', () => {
    expect(errorsOfFixture('unknown-task-type.yaml')).toEqual([
      "unknown-task-type.yaml:5:11: unknown task type 'io.kestra.plugin.core.log.Shout'",
    ]);
  });

  test('a task type one typo away names the type meant', () => {
    const source = 'id: f\nnamespace: n\ntasks:\n  - id: t\n    type: lgo\n    message: hi\n';
    expect(errorsOf(source)).toEqual(["flow.yaml:5:11: unknown task type 'lgo' (did you mean 'log'?)"]);
  });

  test('a duplicate task id is reported at every repeat, naming the first line, at any nesting level', () => {
    expect(errorsOfFixture('duplicate-task-id.yaml')).toEqual([
      "duplicate-task-id.yaml:13:17: duplicate task id 'step' (first defined at line 7)",
      "duplicate-task-id.yaml:17:9: duplicate task id 'outer' (first defined at line 4)",
    ]);
  });

  test('an unknown property is reported at its key', () => {
    expect(errorsOfFixture('unknown-property.yaml')).toEqual([
      "unknown-property.yaml:7:5: task 'hello': unknown property 'colour'",
    ]);
  });

  test('a missing required property is reported at the start of the task', () => {
    expect(errorsOfFixture('missing-required-property.yaml')).toEqual([
      "missing-required-property.yaml:4:5: task 'hello': missing required property 'message'",
    ]);
  });

  test('a task without a type is refused', () => {
    expect(errorsOf(withTasks('  - id: t\n    message: m\n'))).toEqual([
      "flow.yaml:4:5: task 't': missing required property 'type'",
    ]);
  });

  test('a task that is not a map is refused', () => {
    expect(errorsOf(withTasks('  - just a string\n'))).toEqual([
      "flow.yaml:4:5: a task must be a map with at least 'id' and 'type'",
    ]);
  });

  test('a task id must match its pattern', () => {
    expect(errorsOf(withTasks('  - id: my.task\n    type: log\n    message: m\n'))).toEqual([
      "flow.yaml:4:9: task 'my.task': property 'id': must match /^[a-zA-Z0-9][a-zA-Z0-9_-]*$/, got 'my.task'",
    ]);
  });

  test('a bad enum value is reported at the value', () => {
    expect(errorsOfFixture('bad-sections.yaml')).toContain(
      "bad-sections.yaml:16:12: task 'hello': property 'level': expected one of TRACE|DEBUG|INFO|WARN|ERROR, got 'LOUD'",
    );
  });

  test('durations are ISO-8601, and months are not a duration unit', () => {
    expect(errorsOfFixture('bad-duration.yaml')).toEqual([
      "bad-duration.yaml:6:15: task 'nap': property 'duration': invalid duration '5 minutes': expected an ISO-8601 duration such as PT30S, PT1M30S, PT0.2S or P1DT2H",
      "bad-duration.yaml:10:14: task 'slow': property 'timeout': invalid duration 'P1M': years, months and weeks are not duration units, use days (e.g. P7D)",
    ]);
  });

  test('a constant task retry needs an interval and maxAttempt counts from 1', () => {
    const source = withTasks(
      '  - id: t\n    type: log\n    message: m\n    retry:\n      type: constant\n      maxAttempt: 0\n',
    );
    expect(errorsOf(source)).toEqual([
      "flow.yaml:8:7: task 't': property 'retry': a constant retry needs 'interval'",
      "flow.yaml:9:19: task 't': property 'retry.maxAttempt': must be >= 1, got 0",
    ]);
  });

  test('an integer property that may be an expression refuses other strings', () => {
    const source = withTasks(
      '  - id: p\n    type: parallel\n    concurrent: many\n    tasks:\n      - id: t\n        type: log\n        message: m\n',
    );
    expect(errorsOf(source)).toEqual([
      "flow.yaml:6:17: task 'p': property 'concurrent': expected an integer >= 0 or an expression, got 'many'",
    ]);
  });

  test('a flowable task needs a non-empty task list', () => {
    expect(errorsOf(withTasks('  - id: s\n    type: sequential\n    tasks: []\n'))).toEqual([
      "flow.yaml:6:12: task 's': property 'tasks': must not be empty",
    ]);
  });

  test('tasks nested in Switch cases, If branches and Dag items are checked too', () => {
    const source = withTasks(
      [
        '  - id: route',
        '    type: switch',
        '    value: x',
        '    cases:',
        '      a:',
        '        - id: in_case',
        '          type: log',
        '  - id: branch',
        '    type: if',
        '    condition: "true"',
        '    then:',
        '      - id: in_then',
        '        type: nope',
        '  - id: graph',
        '    type: dag',
        '    tasks:',
        '      - task:',
        '          id: in_dag',
        '          type: return',
        '          extra: 1',
        '',
      ].join('\n'),
    );
    expect(errorsOf(source)).toEqual([
      "flow.yaml:9:11: task 'in_case': missing required property 'message'",
      "flow.yaml:16:15: unknown task type 'nope' (did you mean 'node'?)",
      "flow.yaml:23:11: task 'in_dag': unknown property 'extra'",
    ]);
  });
});

describe('Dag dependencies', () => {
  test('a cycle is reported at the dependsOn entry that closes it', () => {
    expect(errorsOfFixture('dag-cycle.yaml')).toEqual([
      "dag-cycle.yaml:16:21: task 'graph': property 'tasks[1].dependsOn[0]': dependency cycle: a -> c -> b -> a",
    ]);
  });

  test('a dependsOn naming no task of the same Dag is reported at that name', () => {
    expect(errorsOfFixture('dag-unknown-dependency.yaml')).toEqual([
      "dag-unknown-dependency.yaml:17:13: task 'graph': property 'tasks[1].dependsOn[1]': unknown task 'nowhere': dependsOn must name a task of the same Dag",
    ]);
  });

  test('a task depending on itself is a cycle', () => {
    const source = withTasks(
      '  - id: g\n    type: dag\n    tasks:\n      - task:\n          id: a\n          type: return\n        dependsOn: [a]\n',
    );
    expect(errorsOf(source)).toEqual([
      "flow.yaml:10:21: task 'g': property 'tasks[0].dependsOn[0]': dependency cycle: a -> a",
    ]);
  });
});

describe('triggers', () => {
  test('a bad cron expression and an unknown time zone are reported at their values', () => {
    expect(errorsOfFixture('bad-cron.yaml')).toEqual([
      "bad-cron.yaml:10:11: trigger 'nightly': property 'cron': invalid cron expression '61 * * * *': Invalid value for minute: 61",
      "bad-cron.yaml:14:15: trigger 'zoned': property 'timezone': expected an IANA time zone such as Europe/Paris, got 'Mars/Olympus'",
    ]);
  });

  test('six cron fields need withSeconds', () => {
    const source = withTasks(
      '  - id: t\n    type: log\n    message: m\ntriggers:\n  - id: s\n    type: schedule\n    cron: "* * * * * *"\n',
    );
    expect(errorsOf(source)).toEqual([
      "flow.yaml:10:11: trigger 's': property 'cron': invalid cron expression '* * * * * *': mode '5-part' requires exactly 5 parts, but pattern '* * * * * *' has 6 parts.",
    ]);
  });

  test('an unknown trigger type is reported at the type value', () => {
    const source = withTasks(
      '  - id: t\n    type: log\n    message: m\ntriggers:\n  - id: s\n    type: io.kestra.plugin.core.trigger.Poll\n',
    );
    expect(errorsOf(source)).toEqual([
      "flow.yaml:9:11: unknown trigger type 'io.kestra.plugin.core.trigger.Poll'",
    ]);
  });

  test('a webhook needs a key', () => {
    const source = withTasks(
      '  - id: t\n    type: log\n    message: m\ntriggers:\n  - id: hook\n    type: webhook\n',
    );
    expect(errorsOf(source)).toEqual(["flow.yaml:8:5: trigger 'hook': missing required property 'key'"]);
  });

  test('a flow trigger only accepts execution states', () => {
    const source = withTasks(
      '  - id: t\n    type: log\n    message: m\ntriggers:\n  - id: up\n    type: flow\n    states: [DONE]\n',
    );
    expect(errorsOf(source)[0]).toMatch(
      /^flow\.yaml:10:14: trigger 'up': property 'states\[0\]': expected one of CREATED\|/,
    );
  });
});

describe('inputs', () => {
  test('an unknown input type is reported at the type value', () => {
    expect(errorsOfFixture('bad-input-type.yaml')).toEqual([
      "bad-input-type.yaml:5:11: input 'when': property 'type': expected one of STRING|INT|FLOAT|BOOLEAN|BOOL|DATETIME|DATE|TIME|DURATION|JSON|YAML|ARRAY|ENUM|SELECT|MULTISELECT|FILE|SECRET|URI|EMAIL, got 'TIMESTAMP'",
    ]);
  });

  test('a default must be a valid value of the input type', () => {
    expect(errorsOfFixture('bad-input-default.yaml')).toEqual([
      "bad-input-default.yaml:6:15: input 'times': property 'defaults': expected INT, got 'abc'",
      "bad-input-default.yaml:10:15: input 'colour': property 'defaults': expected ENUM (one of red|green), got 'blue'",
    ]);
  });

  test('ENUM needs values and ARRAY needs itemType', () => {
    const source = `id: a\nnamespace: b\ninputs:\n  - id: e\n    type: ENUM\n  - id: l\n    type: ARRAY\ntasks:\n  - id: t\n    type: log\n    message: m\n`;
    expect(errorsOf(source)).toEqual([
      "flow.yaml:4:5: input 'e': missing required property 'values'",
      "flow.yaml:6:5: input 'l': missing required property 'itemType'",
    ]);
  });

  test('a property another input type takes is unknown to this one', () => {
    const source = `id: a\nnamespace: b\ninputs:\n  - id: n\n    type: INT\n    validator: "[0-9]+"\ntasks:\n  - id: t\n    type: log\n    message: m\n`;
    expect(errorsOf(source)).toEqual(["flow.yaml:6:5: input 'n': unknown property 'validator'"]);
  });

  test('an input id must match its pattern', () => {
    const source = `id: a\nnamespace: b\ninputs:\n  - id: -bad\n    type: STRING\ntasks:\n  - id: t\n    type: log\n    message: m\n`;
    expect(errorsOf(source)).toEqual([
      "flow.yaml:4:9: input '-bad': property 'id': must match /^[a-zA-Z0-9][.a-zA-Z0-9_-]*$/, got '-bad'",
    ]);
  });

  test("an id written under the older 'name' is checked there", () => {
    const source = `id: a\nnamespace: b\ninputs:\n  - name: -bad\n    type: STRING\ntasks:\n  - id: t\n    type: log\n    message: m\n`;
    expect(errorsOf(source)).toEqual([
      "flow.yaml:4:11: input '-bad': property 'name': must match /^[a-zA-Z0-9][.a-zA-Z0-9_-]*$/, got '-bad'",
    ]);
  });

  test('an input needs an id and a MULTISELECT needs values (or the older options)', () => {
    const source = `id: a\nnamespace: b\ninputs:\n  - type: STRING\n  - id: m\n    type: MULTISELECT\ntasks:\n  - id: t\n    type: log\n    message: m\n`;
    expect(errorsOf(source)).toEqual([
      "flow.yaml:4:5: input: missing required property 'id'",
      "flow.yaml:5:5: input 'm': missing required property 'values'",
    ]);
  });

  test('a STRING validator must be a valid regular expression', () => {
    const source = `id: a\nnamespace: b\ninputs:\n  - id: s\n    type: STRING\n    validator: "[a-"\ntasks:\n  - id: t\n    type: log\n    message: m\n`;
    expect(errorsOf(source)).toEqual([
      "flow.yaml:6:16: input 's': property 'validator': expected a regular expression, got '[a-'",
    ]);
  });
});

describe('unique ids', () => {
  test('input, trigger and output ids must each be unique', () => {
    expect(errorsOfFixture('duplicate-other-ids.yaml')).toEqual([
      "duplicate-other-ids.yaml:6:9: duplicate input id 'name' (first defined at line 4)",
      "duplicate-other-ids.yaml:16:9: duplicate trigger id 'hook' (first defined at line 13)",
      "duplicate-other-ids.yaml:23:9: duplicate output id 'result' (first defined at line 20)",
    ]);
  });
});

describe('templates', () => {
  test('template syntax errors point into the YAML text, in quoted and block scalars', () => {
    expect(errorsOfFixture('bad-expression.yaml')).toEqual([
      'bad-expression.yaml:6:38: invalid expression: expected a name but found `}}`',
      'bad-expression.yaml:12:14: invalid expression: unclosed `{{`: missing `}}`',
    ]);
  });

  test('templates in runIf, variables, labels, input defaults, outputs and trigger inputs are checked', () => {
    const source = [
      'id: a',
      'namespace: b',
      'labels:',
      '  team: "{{ x | }}"',
      'variables:',
      '  v: "{{ ( }}"',
      'inputs:',
      '  - id: i',
      '    type: STRING',
      '    defaults: "{{ }}"',
      'tasks:',
      '  - id: t',
      '    type: log',
      '    message: m',
      '    runIf: "{{ 1 + }}"',
      'triggers:',
      '  - id: hook',
      '    type: webhook',
      '    key: k-of-a-webhook-trigger',
      '    inputs:',
      '      x: "{% if %}"',
      'outputs:',
      '  - id: o',
      '    type: STRING',
      '    value: "{{ outputs. }}"',
      '',
    ].join('\n');
    expect(errorsOf(source).map((e) => e.split(': ')[0])).toEqual([
      'flow.yaml:4:17',
      'flow.yaml:6:12',
      'flow.yaml:10:16',
      'flow.yaml:15:20',
      'flow.yaml:21:17',
      'flow.yaml:25:25',
    ]);
  });

  test('a template in a plugin default is checked where the default is written', () => {
    const source = withTasks(
      '  - id: t\n    type: log\npluginDefaults:\n  - type: log\n    values:\n      message: "{{ }}"\n',
    );
    expect(errorsOf(source)).toEqual(['flow.yaml:9:17: invalid expression: empty expression in `{{ }}`']);
  });
});

describe('plugin defaults and positions', () => {
  test('a bad value supplied by a plugin default is reported where the default is written', () => {
    const source = withTasks(
      '  - id: nap\n    type: sleep\npluginDefaults:\n  - type: sleep\n    values:\n      duration: soon\n',
    );
    expect(errorsOf(source)).toEqual([
      "flow.yaml:9:17: task 'nap': property 'duration': invalid duration 'soon': expected an ISO-8601 duration such as PT30S, PT1M30S, PT0.2S or P1DT2H",
    ]);
  });
});

describe('several mistakes', () => {
  test('are all reported at once, in file order', () => {
    expect(errorsOfFixture('many-errors.yaml')).toEqual([
      "many-errors.yaml:3:1: unknown property 'colour'",
      "many-errors.yaml:5:5: task 'first': missing required property 'message'",
      "many-errors.yaml:8:11: unknown task type 'no.such.Task'",
      "many-errors.yaml:9:9: duplicate task id 'first' (first defined at line 5)",
      'many-errors.yaml:11:14: invalid expression: empty expression in `{{ }}`',
      "many-errors.yaml:13:7: task 'first': property 'retry': a constant retry needs 'interval'",
      "many-errors.yaml:14:19: task 'first': property 'retry.maxAttempt': must be >= 1, got 0",
    ]);
  });
});
