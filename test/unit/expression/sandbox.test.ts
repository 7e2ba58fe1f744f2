import { describe, expect, test } from 'vitest';
import { ExpressionError, evaluate, parseTemplate, render } from '../../../src/expression/index.js';

const vars = { inputs: { name: 'world', list: [1, 2] } };

function failure(run: () => unknown): ExpressionError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ExpressionError);
    return error as ExpressionError;
  }
  throw new Error('expected an ExpressionError');
}

describe('templates cannot reach JavaScript objects', () => {
  const hostile: [template: string, message: RegExp][] = [
    ['{{ range.constructor("return process")() }}', /method calls are not allowed/],
    ["{{ ''.constructor }}", /Unable to find `''.constructor`/],
    ['{{ inputs.constructor }}', /Unable to find `inputs.constructor`/],
    ["{{ inputs['__proto__'] }}", /Unable to find `inputs\['__proto__'\]`/],
    ['{{ inputs.__proto__.polluted }}', /Unable to find `inputs.__proto__`/],
    ["{{ [].constructor.constructor('return process')() }}", /method calls are not allowed/],
    ['{{ inputs.toString }}', /Unable to find `inputs.toString`/],
    ['{{ inputs.hasOwnProperty }}', /Unable to find `inputs.hasOwnProperty`/],
    ['{{ inputs.list.length }}', /Unable to find `inputs.list.length`/],
    ['{{ inputs.list.push }}', /Unable to find `inputs.list.push`/],
    ["{{ inputs.name['length'] }}", /Unable to find `inputs.name\['length'\]`/],
    ['{{ process }}', /Unable to find `process`/],
    ['{{ global }}', /Unable to find `global`/],
    ['{{ globalThis }}', /Unable to find `globalThis`/],
    ['{{ this }}', /Unable to find `this`/],
    ['{{ require }}', /Unable to find `require`/],
    ["{{ require('fs') }}", /unknown function `require`/],
    ["{{ constructor('return process')() }}", /only named functions can be called/],
    ['{{ toString() }}', /unknown function `toString`/],
    ['{{ hasOwnProperty() }}', /unknown function `hasOwnProperty`/],
    ['{{ inputs | constructor }}', /unknown filter `constructor`/],
    ['{{ inputs is constructor }}', /unknown test `constructor`/],
    ['{{ (inputs.name)() }}', /only named functions can be called/],
  ];

  test.each(hostile)('%s fails safely', (template, message) => {
    expect(failure(() => render(template, vars)).message).toMatch(message);
  });

  test('a property inherited through the prototype of the variables is not found', () => {
    const variables = Object.create({ inherited: 'leak', inputs: { name: 'proto' } }) as Record<
      string,
      unknown
    >;
    variables.own = 'ok';
    expect(render('{{ own }}', variables)).toBe('ok');
    expect(failure(() => render('{{ inherited }}', variables)).message).toMatch(/Unable to find `inherited`/);
    expect(failure(() => render('{{ inputs.name }}', variables)).message).toMatch(/Unable to find `inputs`/);
  });

  test('nested values inherit nothing either', () => {
    const inputs = Object.create({ secret: 'leak' }) as Record<string, unknown>;
    expect(failure(() => render('{{ inputs.secret }}', { inputs })).message).toMatch(
      /Unable to find `inputs.secret`/,
    );
  });

  test('getters are never invoked', () => {
    let called = false;
    const inputs = {};
    Object.defineProperty(inputs, 'lazy', {
      enumerable: true,
      get() {
        called = true;
        return 'computed';
      },
    });
    expect(failure(() => render('{{ inputs.lazy }}', { inputs })).message).toMatch(
      /Unable to find `inputs.lazy`/,
    );
    expect(called).toBe(false);
  });

  test('function values are neither printed nor callable', () => {
    const variables = { fn: () => 'called', inputs: { fn: () => 'called' } };
    expect(failure(() => render('{{ fn }}', variables)).message).toMatch(/Unable to find `fn`/);
    expect(failure(() => render('{{ inputs.fn }}', variables)).message).toMatch(/Unable to find `inputs.fn`/);
    expect(failure(() => render('{{ fn() }}', variables)).message).toMatch(/unknown function `fn`/);
  });

  test('class instances are opaque', () => {
    class Box {
      value = 'inside';
    }
    expect(failure(() => render('{{ box.value }}', { box: new Box() })).message).toMatch(
      /Unable to find `box.value`/,
    );
  });

  test('a map literal with a __proto__ key pollutes nothing', () => {
    const output = render("{% set m = {'__proto__': {'polluted': true}} %}{{ m }}", {});
    expect(output).toBe('{"__proto__":{"polluted":true}}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('set cannot change the caller’s variables', () => {
    const variables = { inputs: { name: 'world' } };
    render("{% set inputs = 'changed' %}{{ inputs }}", variables);
    expect(variables.inputs).toEqual({ name: 'world' });
  });

  test('evaluate is sandboxed the same way', () => {
    expect(failure(() => evaluate('inputs.constructor', vars)).message).toMatch(/Unable to find/);
    expect(failure(() => evaluate('process', vars)).message).toMatch(/Unable to find `process`/);
  });
});

describe('every render is bounded', () => {
  test('a huge loop stops at the iteration limit', () => {
    expect(failure(() => render('{% for i in range(1, 100000000) %}{% endfor %}', {})).message).toBe(
      'more than 100000 loop iterations',
    );
  });

  test('nested loops of 1e4 × 1e4 stop at the iteration limit', () => {
    const template = '{% for i in range(1, 10000) %}{% for j in range(1, 10000) %}{% endfor %}{% endfor %}';
    expect(failure(() => render(template, {})).message).toMatch(/more than 100000 loop iterations/);
  });

  test('range(1, 1e12) is refused before anything is allocated', () => {
    expect(failure(() => render('{{ range(1, 1e12) }}', {})).message).toMatch(
      /more than 100000 loop iterations/,
    );
    expect(failure(() => render('{{ (1..1000000000000) | length }}', {})).message).toMatch(
      /more than 100000 loop iterations/,
    );
  });

  test('the iteration limit is configurable', () => {
    expect(
      failure(() => render('{% for i in [1, 2, 3] %}{% endfor %}', {}, { limits: { maxIterations: 2 } }))
        .message,
    ).toBe('more than 2 loop iterations');
  });

  test('deep recursion through render() stops at the depth limit', () => {
    const variables = { t: '{{ render(t) }}' };
    expect(failure(() => render('{{ render(t) }}', variables)).message).toMatch(
      /nested deeper than 64 levels/,
    );
  });

  test('two templates rendering each other stop at the depth limit', () => {
    const variables = { a: '{{ b }}', b: '{{ a }}' };
    expect(failure(() => render('{{ render(a) }}', variables)).message).toMatch(
      /nested deeper than 64 levels/,
    );
  });

  test('custom functions rendering recursively are bounded too', () => {
    const options = {
      functions: {
        again: (_a: unknown[], _n: unknown, call: { render: (t: string) => string }) =>
          call.render('{{ again() }}'),
      },
    };
    expect(failure(() => render('{{ again() }}', {}, options)).message).toMatch(
      /nested deeper than 64 levels/,
    );
  });

  test.each([
    ['10,000 nested parentheses', `{{ ${'('.repeat(10000)}1${')'.repeat(10000)} }}`],
    ['10,000 nested lists', `{{ ${'['.repeat(10000)}${']'.repeat(10000)} }}`],
    ['10,000 nested maps', `{{ ${"{'a': ".repeat(10000)}1${'}'.repeat(10000)} }}`],
    ['10,000 unary minus', `{{ ${'-'.repeat(10000)}1 }}`],
    ['10,000 not', `{{ ${'not '.repeat(10000)}true }}`],
    ['10,000 nested ifs', `${'{% if true %}'.repeat(10000)}x${'{% endif %}'.repeat(10000)}`],
    ['10,000 nested interpolations', `{{ ${'"#{'.repeat(10000)}1${'}"'.repeat(10000)} }}`],
  ])('%s fail with the depth error, not a stack overflow', (_title, template) => {
    const error = failure(() => parseTemplate(template));
    expect(error.message).toMatch(/nested deeper than 64 levels/);
    expect(failure(() => render(template, {})).message).toMatch(/nested deeper than 64 levels/);
  });

  test('a JS stack overflow under a raised depth limit still ends as an ExpressionError', () => {
    const template = `{{ ${'('.repeat(100000)}1${')'.repeat(100000)} }}`;
    expect(failure(() => render(template, {}, { limits: { maxDepth: 1_000_000 } })).message).toMatch(
      /nested deeper/,
    );
  });

  test('very long operator chains are refused', () => {
    expect(failure(() => parseTemplate(`{{ ${Array(2000).fill('a').join(' ~ ')} }}`)).message).toMatch(
      /more than 1000 chained operators/,
    );
  });

  test('giant strings built by repeated concatenation stop at the size limit', () => {
    const template =
      "{% set s = 'x' %}{% for i in range(1, 30) %}{% set s = s ~ s %}{% endfor %}{{ s | length }}";
    expect(failure(() => render(template, {})).message).toMatch(/output longer than 1000000 characters/);
  });

  test('a replace that would explode is refused before it runs', () => {
    const template =
      "{% set s = 'a' %}{% for i in range(1, 19) %}{% set s = s ~ s %}{% endfor %}{{ s | replace({'a': s}) | length }}";
    expect(failure(() => render(template, {})).message).toMatch(/output longer than 1000000 characters/);
  });

  test('a list doubled in a loop stops at the size limit', () => {
    const template =
      '{% set l = [1] %}{% for i in range(1, 40) %}{% set l = l + l %}{% endfor %}{{ l | length }}';
    expect(failure(() => render(template, {})).message).toMatch(/list longer than 100000 items/);
  });

  test('a template producing more than 1 MB of output stops', () => {
    const template = "{% for i in range(1, 45000) %}{{ 'abcdefghijklmnopqrstuvwxyz' }}{% endfor %}";
    expect(failure(() => render(template, {})).message).toBe('output longer than 1000000 characters');
  });

  test('JSON of a structure that doubles in a loop stops at the size limit', () => {
    const template =
      "{% set m = {'a': 'xxxxxxxxxx'} %}{% for i in range(1, 30) %}{% set m = {'l': m, 'r': m} %}{% endfor %}{{ m }}";
    expect(failure(() => render(template, {})).message).toMatch(/output longer than 1000000 characters/);
  });

  test('the output limit is configurable', () => {
    expect(failure(() => render('{{ "abcdef" }}', {}, { limits: { maxOutputLength: 5 } })).message).toBe(
      'output longer than 5 characters',
    );
  });

  test('comparing two structures that double in size stops at the time limit', () => {
    const template =
      '{% set a = [1] %}{% set b = [1] %}{% for i in range(1, 60) %}{% set a = [a, a] %}{% set b = [b, b] %}{% endfor %}{{ a == b }}';
    expect(failure(() => render(template, {}, { limits: { timeoutMs: 50 } })).message).toBe(
      'expression took longer than 50 ms',
    );
  });

  test('distinct over many large maps stops at the time limit', () => {
    const build =
      "{% set m = {'a': 'xxxxxxxxxx'} %}{% for i in range(1, 15) %}{% set m = {'l': m, 'r': m} %}{% endfor %}" +
      '{% set l = [] %}{% for i in range(1, 300) %}{% set l = l + [[i, m]] %}{% endfor %}';
    const limits = { timeoutMs: 1000 };
    expect(render(`${build}built`, {}, { limits })).toBe('built');
    expect(failure(() => render(`${build}{{ l | distinct | length }}`, {}, { limits })).message).toBe(
      'expression took longer than 1000 ms',
    );
  });

  test('regexes on user text stay linear', () => {
    const started = Date.now();
    const digits = `${'1'.repeat(500_000)}x`;
    expect(failure(() => render('{{ s | number }}', { s: digits })).message).toMatch(/cannot read/);
    const long = 'x'.repeat(1_000_000);
    expect(
      failure(() => render("{{ s | date('yyyy', existingFormat='VVzVVz') }}", { s: long })).message,
    ).toMatch(/expects a date, got a string of 1000000 characters/);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  test('a slow template hits the time limit', () => {
    const template =
      '{% for i in range(1, 300) %}{% for j in range(1, 150) %}{% set h = (i ~ j) | sha256 %}{% endfor %}{% endfor %}';
    const started = Date.now();
    expect(failure(() => render(template, {}, { limits: { timeoutMs: 5 } })).message).toBe(
      'expression took longer than 5 ms',
    );
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe("Kestra's data functions stay inside the budget and the data", () => {
  const doubling =
    "{% set m = {'a': 'xxxxxxxxxx'} %}{% for i in range(1, 40) %}{% set m = {'l': m, 'r': [m]} %}{% endfor %}";

  test.each(['yaml', 'toIon', 'toJson'])(
    '%s of a structure that doubles at each step stops at the size limit',
    (name) => {
      const started = Date.now();
      expect(
        failure(() => render(`${doubling}{{ m | ${name} }}`, {}, { limits: { maxOutputLength: 100_000 } }))
          .message,
      ).toMatch(/output longer than 100000 characters/);
      expect(Date.now() - started).toBeLessThan(1000);
    },
  );

  test('replace over a doubling structure stops at the time limit', () => {
    const started = Date.now();
    expect(
      failure(() => render(`${doubling}{{ m | replace({'x': 'y'}) }}`, {}, { limits: { timeoutMs: 200 } }))
        .message,
    ).toMatch(/took longer than 200 ms|output longer/);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  test('a regular expression that backtracks in Java runs in linear time', () => {
    const started = Date.now();
    const text = `${'a'.repeat(50_000)}!`;
    expect(render("{{ s | replace({'^(a+)+$': 'matched'}, regexp=true) | length }}", { s: text })).toBe(
      '50001',
    );
    expect(Date.now() - started).toBeLessThan(1000);
  });

  test('YAML aliases that expand exponentially are refused', () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 10; i++)
      lines.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    expect(failure(() => render('{{ yaml(doc) | length }}', { doc: lines.join('\n') })).message).toMatch(
      /function `yaml` got invalid YAML/,
    );
  });

  test.each([
    ["{{ {} | jq('.constructor, .__proto__, .toString') }}", '[null,null,null]'],
    ['{{ src | jq(".__proto__.polluted") }}', '[1]'],
    ["{{ fromIon(\"{'__proto__': {polluted: 1}}\").polluted ?? 'no' }}", 'no'],
    ["{{ yaml('__proto__: {polluted: 1}').polluted ?? 'no' }}", 'no'],
    ["{{ yaml('__proto__: {polluted: 1}') | keys }}", '["__proto__"]'],
    ["{{ {} | jq('$ENV.HOME, env.PATH') }}", '[null,null]'],
  ])('%s never reaches a prototype or the process', (template, expected) => {
    expect(render(template, { src: '{"__proto__": {"polluted": 1}}' })).toBe(expected);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('secrets never appear in error messages', () => {
  const options = { secret: (name: string) => (name === 'TOKEN' ? 'hunter2-very-secret' : undefined) };

  test.each([
    [
      "{{ secret('TOKEN') | date('yyyy') }}",
      /filter `date` failed on a value that holds a secret \(details hidden\)/,
    ],
    ["{{ secret('TOKEN') | number }}", /filter `number` failed on a value that holds a secret/],
    ["{{ fromJson(secret('TOKEN')) }}", /function `fromJson` failed on a value that holds a secret/],
    [
      "{{ 'x' | date('yyyy', existingFormat=secret('TOKEN')) }}",
      /filter `date` failed on a value that holds a secret/,
    ],
    ["{{ leak(secret('TOKEN')) }}", /function `leak` failed/],
    ["{{ render('{{ ' ~ secret('TOKEN') ~ ' }}') }}", /details hidden/],
    [
      "{{ secret('TOKEN') | slice(0, 7) | date('yyyy') }}",
      /filter `date` failed on a value that holds a secret/,
    ],
    ["{{ secret('TOKEN') | split('-') | first | number }}", /details hidden/],
  ])('%s', (template, message) => {
    const error = failure(() =>
      render(
        template,
        {},
        {
          ...options,
          functions: {
            leak: (args) => {
              throw new Error(`cannot use ${String(args[0])}`);
            },
          },
        },
      ),
    );
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain('hunter2');
    expect(error.reason).not.toContain('hunter2');
  });

  test('an unknown secret is named, with nothing else', () => {
    expect(failure(() => render("{{ secret('MISSING_ONE') }}", {}, options)).message).toMatch(
      /secret 'MISSING_ONE' not found/,
    );
  });

  test('the secret value is still rendered where it is used', () => {
    expect(render("{{ secret('TOKEN') | upper }}", {}, options)).toBe('HUNTER2-VERY-SECRET');
  });
});
