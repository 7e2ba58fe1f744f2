import { describe, expect, test } from 'vitest';
import { ExpressionError, evaluate, parseTemplate, render } from '../../../src/expression/index.js';

const vars = {
  inputs: { name: 'world', nothing: null, list: [1, 2], text: 'abc' },
};

function failure(run: () => unknown): ExpressionError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ExpressionError);
    return error as ExpressionError;
  }
  throw new Error('expected an ExpressionError');
}

describe('syntax errors carry the line and column of the problem', () => {
  const cases: [title: string, template: string, message: RegExp, line: number, col: number][] = [
    ['unclosed {{', 'Hello\n  {{ inputs.name', /unclosed `\{\{`: missing `\}\}`/, 2, 3],
    ['unclosed {%', 'x {% if true', /unclosed `\{%`: missing `%\}`/, 1, 3],
    ['{{ closed by %}', '{{ a %}', /unexpected `%\}`/, 1, 6],
    ['unknown tag', 'a\n{% foo bar %}', /unknown tag `foo`/, 2, 4],
    ['bad token', '{{ a ! b }}', /unexpected character `!`/, 1, 6],
    ['unclosed string', "{{ 'abc }}", /unclosed string/, 1, 4],
    ['unclosed interpolation', '{{ "a #{b', /unclosed `#\{`/, 1, 7],
    [
      'missing endif',
      'line1\n  {% if x %}yes',
      /`\{% if %\}` is never closed: missing `\{% endif %\}`/,
      2,
      3,
    ],
    [
      'missing endfor',
      '{% for x in y %}{{ x }}',
      /`\{% for %\}` is never closed: missing `\{% endfor %\}`/,
      1,
      1,
    ],
    [
      'missing endif inside a loop',
      '{% for x in y %}{% if x %}{% endfor %}',
      /unexpected `\{% endfor %\}`/,
      1,
      30,
    ],
    ['endif without if', 'a {% endif %}', /unexpected `\{% endif %\}`/, 1, 6],
    ['else after else', '{% if a %}{% else %}{% else %}{% endif %}', /unexpected `\{% else %\}`/, 1, 24],
    ['empty {{ }}', 'x {{ }}', /empty expression/, 1, 3],
    ['if without condition', '{% if %}{% endif %}', /expected an expression but found `%\}`/, 1, 7],
    ['two expressions in one tag', '{{ a b }}', /expected `\}\}` but found `b`/, 1, 6],
    ['unclosed comment', 'a {# note', /unclosed comment/, 1, 3],
    ['unclosed raw', '{% raw %}{{ x }}', /missing `\{% endraw %\}`/, 1, 1],
    ['for without in', '{% for x of y %}{% endfor %}', /expected `in`/, 1, 10],
    ['set without =', '{% set x 1 %}', /expected `=`/, 1, 10],
    ['unclosed list', '{{ [1, 2 }}', /expected `\]` but found `\}\}`/, 1, 10],
    ['bad map key', '{{ {[1]: 2} }}', /expected a map key/, 1, 5],
    ['method call', '{{ inputs.name.toUpperCase() }}', /method calls are not allowed/, 1, 16],
    ['call of a non-name', '{{ (x)() }}', /only named functions can be called/, 1, 7],
    ['unknown filter', '{{ x | nope }}', /unknown filter `nope`/, 1, 8],
    ['unknown test', '{{ x is nope }}', /unknown test `nope`/, 1, 9],
  ];

  test.each(cases)('%s', (_title, template, message, line, col) => {
    const error = failure(() => parseTemplate(template));
    expect(error.message).toMatch(message);
    expect([error.line, error.col]).toEqual([line, col]);
    expect(error.message).toContain(`at ${line}:${col}`);
    expect(error.reason).not.toContain(`at ${line}:${col}`);
    const rendered = failure(() => render(template, vars));
    expect(rendered.message).toBe(error.message);
  });

  test('a valid template parses without error', () => {
    expect(() => parseTemplate('{% for x in y %}{{ x | upper }}{% else %}none{% endfor %}')).not.toThrow();
  });

  test('evaluate reports syntax errors of bare expressions', () => {
    const error = failure(() => evaluate('inputs.name ==', vars));
    expect(error.message).toMatch(/expected an expression but found the end of the expression/);
  });

  test('ExpressionError is a named Error', () => {
    const error = failure(() => parseTemplate('{{'));
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ExpressionError');
  });
});

describe('undefined variables are named, with where they are used', () => {
  test('a missing key, in Kestra wording', () => {
    const error = failure(() => render('Region: {{ inputs.region | upper }}', vars));
    expect(error.message).toBe(
      'Unable to find `inputs.region` used in the expression `inputs.region | upper` at 1:12',
    );
    expect([error.line, error.col]).toEqual([1, 12]);
  });

  test('a missing root variable', () => {
    expect(failure(() => render('{{ foo }}', vars)).message).toMatch(
      /Unable to find `foo` used in the expression `foo`/,
    );
  });

  test('on a later line, inside an if tag', () => {
    const error = failure(() => render('a\nb\n  {% if ready == true %}x{% endif %}', vars));
    expect(error.message).toMatch(/Unable to find `ready` used in the expression `ready == true`/);
    expect([error.line, error.col]).toEqual([3, 9]);
  });

  test('the deepest existing prefix is named when a parent is missing', () => {
    expect(failure(() => render('{{ inputs.a.b.c }}', vars)).message).toMatch(/Unable to find `inputs.a` /);
  });

  test('a key read on null says the parent is null', () => {
    const message = failure(() => render('{{ inputs.nothing.x }}', vars)).message;
    expect(message).toMatch(/Unable to find `inputs.nothing.x`.*\(`inputs.nothing` is null\)/);
  });

  test('a key read on a string says it has no keys', () => {
    expect(failure(() => render('{{ inputs.text.length }}', vars)).message).toMatch(
      /`inputs.text` is a string/,
    );
  });

  test('an index past the end of a list', () => {
    expect(failure(() => render('{{ inputs.list[5] }}', vars)).message).toMatch(
      /Unable to find `inputs.list\[5\]`/,
    );
  });

  test('in the iterable of a for loop', () => {
    expect(failure(() => render('{% for x in inputs.items %}{% endfor %}', vars)).message).toMatch(
      /Unable to find `inputs.items`/,
    );
  });

  test('in a filter argument, even under default', () => {
    expect(failure(() => render('{{ x | default(y) }}', vars)).message).toMatch(/Unable to find `y`/);
  });

  test('in a string interpolation', () => {
    expect(failure(() => render('{{ "a #{inputs.b}" }}', vars)).message).toMatch(/Unable to find `inputs.b`/);
  });

  test('is null does not hide an undefined variable', () => {
    expect(failure(() => render('{{ inputs.zzz is null }}', vars)).message).toMatch(
      /Unable to find `inputs.zzz`/,
    );
  });

  test('evaluate names the variable too', () => {
    expect(failure(() => evaluate('inputs.region > 3', vars)).message).toMatch(
      /Unable to find `inputs.region`/,
    );
  });
});

describe('evaluation errors name the filter, function or operator and what it got', () => {
  const cases: [title: string, template: string, message: RegExp][] = [
    ['filter on the wrong type', '{{ inputs.list | upper }}', /filter `upper` expects a string, got a list/],
    [
      'argument of the wrong type',
      "{{ 'x' | abbreviate('a') }}",
      /filter `abbreviate` expects argument `length` to be a number, got a string/,
    ],
    ['non-integer argument', "{{ 'x' | abbreviate(1.5) }}", /expects argument `length` to be an integer/],
    ['too many arguments', "{{ 'x' | upper(1) }}", /filter `upper` takes no arguments, got 1/],
    ['unknown named argument', "{{ 'x' | date(foo=1) }}", /filter `date` has no argument `foo`/],
    ['missing argument', "{{ 'x' | split }}", /filter `split` expects an argument `delimiter`/],
    [
      'unparsable date',
      "{{ 'yesterday' | date('yyyy') }}",
      /filter `date` cannot parse 'yesterday' as an ISO-8601 date/,
    ],
    [
      'unknown time zone',
      "{{ '2024-01-01T00:00:00Z' | date('yyyy', timeZone='Mars/Base') }}",
      /unknown time zone 'Mars\/Base'/,
    ],
    [
      'unsupported date letter',
      "{{ '2024-01-01T00:00:00Z' | date('YYYY') }}",
      /date format letter 'Y' is not supported/,
    ],
    [
      'unknown time unit',
      "{{ '2024-01-01T00:00:00Z' | dateAdd(1, 'FORTNIGHTS') }}",
      /unknown time unit 'FORTNIGHTS'/,
    ],
    ['number of a non-number', "{{ 'abc' | number }}", /filter `number` cannot read 'abc' as a number/],
    ['number type mismatch', "{{ '1.5' | number('INT') }}", /cannot read a decimal number as INT/],
    ['escapeChar type', "{{ 'x' | escapeChar('triple') }}", /'single', 'double' or 'shell'/],
    [
      'slice out of range',
      "{{ 'abc' | slice(0, 9) }}",
      /filter `slice` expects toIndex to be at most the input's length \(3\)/,
    ],
    [
      'sort of mixed values',
      "{{ [1, 'a'] | sort }}",
      /filter `sort` cannot compare a string with a number|cannot compare a number with a string/,
    ],
    [
      'numberFormat of a string',
      "{{ 'x' | numberFormat('#') }}",
      /filter `numberFormat` expects a number, got a string/,
    ],
    ['division by zero', '{{ 1 / 0 }}', /division by zero/],
    ['arithmetic on a string', "{{ 'a' * 2 }}", /operator `\*` expects numbers, got a string and a number/],
    ['comparison of unlike values', "{{ 1 < 'a' }}", /operator `<` cannot compare a number with a string/],
    ['adding a map', '{{ {} + 1 }}', /operator `\+` cannot add a map and a number/],
    ['range of non-integers', "{{ 1..'b' }}", /operator `\.\.` expects integers/],
    ['unknown function', '{{ nope(1) }}', /unknown function `nope`/],
    [
      'function argument type',
      "{{ range('a', 3) }}",
      /function `range` expects argument `start` to be a number, got a string/,
    ],
    ['range step 0', '{{ range(1, 3, 0) }}', /step other than 0/],
    ['fromJson of invalid JSON', "{{ fromJson('{oops') }}", /function `fromJson` got invalid JSON/],
    ['min of nothing', '{{ min() }}', /function `min` expects at least one value/],
    ['test on the wrong type', "{{ 'a' is even }}", /test `even` expects a number, got a string/],
    [
      'for over a string',
      '{% for c in inputs.text %}{% endfor %}',
      /`\{% for %\}` expects a list or a map, got a string/,
    ],
    ['unknown secret', "{{ secret('NOPE_NOT_SET') }}", /secret 'NOPE_NOT_SET' not found/],
    ['render without a value', '{{ render() }}', /function `render` expects an argument `toRender`/],
  ];

  test.each(cases)('%s', (_title, template, message) => {
    const error = failure(() => render(template, vars));
    expect(error.message).toMatch(message);
    expect(error.message).toMatch(/in the expression `/);
    expect(error.line).toBe(1);
  });

  test('the position points at the failing filter', () => {
    const error = failure(() => render('{{ inputs.name | upper | abbreviate("x") }}', vars));
    expect(error.col).toBe(26);
  });

  test('an exception thrown by a custom function becomes an ExpressionError naming it', () => {
    const error = failure(() =>
      render('{{ boom() }}', vars, {
        functions: {
          boom: () => {
            throw new Error('kaput');
          },
        },
      }),
    );
    expect(error.message).toMatch(/function `boom` failed: kaput/);
  });

  test('limits must be positive numbers', () => {
    expect(failure(() => render('{{ 1 }}', vars, { limits: { maxDepth: 0 } })).message).toMatch(
      /maxDepth must be a positive/,
    );
  });
});
