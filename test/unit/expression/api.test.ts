import { describe, expect, test } from 'vitest';
import {
  ExpressionError,
  evaluate,
  isTemplate,
  parseTemplate,
  render,
  renderRecursive,
} from '../../../src/expression/index.js';

const vars = { inputs: { n: 5, name: 'world', list: [1, 2] }, flow: { id: 'demo' } };

describe('evaluate returns typed values', () => {
  test.each([
    ['inputs.n > 3', true],
    ['inputs.n * 2', 10],
    ['inputs.name | upper', 'WORLD'],
    ['inputs.list', [1, 2]],
    ["{'a': inputs.n}", { a: 5 }],
    ['inputs.missing ?? null', null],
    ['10 / 4', 2],
    ['7 / 2.0', 3.5],
  ])('%s', (expression, expected) => {
    expect(evaluate(expression, vars)).toEqual(expected);
  });
});

describe('doubles stay plain numbers at the edges', () => {
  test.each([
    ['1.0', 1],
    ['2.5 * 2', 5],
    ['-(1.5 * 2)', -3],
    ['x', 2],
    ['inputs.missing ?? 1.0', 1],
    ['[1.0, inputs.n * 2.0]', [1, 10]],
    ["{'a': 2.0}", { a: 2 }],
  ])('evaluate(%j) returns a plain number', (expression, expected) => {
    const value = evaluate(expression, { ...vars, x: 2.0 });
    expect(value).toStrictEqual(expected);
    expect(JSON.stringify(value)).toBe(JSON.stringify(expected));
  });

  test('filters, tests and functions receive plain numbers', () => {
    const kind = (args: unknown[]) => args.map((arg) => typeof arg).join(',');
    const seen: unknown[] = [];
    const peek = (_args: unknown[], _named: unknown, call: { variables: Record<string, unknown> }) => {
      seen.push(call.variables.d);
      return '';
    };
    expect(
      render('{{ kind(1.0, 2.5 * 2) }}{% set d = 3.0 %}{{ peek() }}', vars, { functions: { kind, peek } }),
    ).toBe('number,number');
    expect(seen).toEqual([3]);
    expect(typeof seen[0]).toBe('number');
  });

  test('renderRecursive gives strings with the Java text of a double', () => {
    expect(renderRecursive({ a: '{{ 2.5 * 2 }}', b: 1.5 }, vars)).toEqual({ a: '5.0', b: 1.5 });
  });
});

test('evaluate refuses a template in braces with a hint', () => {
  expect(() => evaluate('{{ inputs.n }}', vars)).toThrow(/bare expression/);
});

describe('renderRecursive', () => {
  test('renders every string of nested maps and lists, and template keys', () => {
    const value = {
      message: 'Hello {{ inputs.name }}',
      count: 3,
      enabled: true,
      nothing: null,
      '{{ flow.id }}-key': ['{{ inputs.n + 1 }}', 'plain', { deep: '{{ inputs.list | length }}' }],
    };
    expect(renderRecursive(value, vars)).toEqual({
      message: 'Hello world',
      count: 3,
      enabled: true,
      nothing: null,
      'demo-key': ['6', 'plain', { deep: '2' }],
    });
  });

  test('returns a new value and leaves the input untouched', () => {
    const value = { a: ['{{ inputs.n }}'] };
    const rendered = renderRecursive(value, vars) as { a: string[] };
    expect(rendered).not.toBe(value);
    expect(rendered.a).not.toBe(value.a);
    expect(value.a[0]).toBe('{{ inputs.n }}');
  });

  test('fails like render on a bad string', () => {
    expect(() => renderRecursive({ a: ['{{ nope }}'] }, vars)).toThrow(ExpressionError);
  });
});

describe('isTemplate and the plain-string fast path', () => {
  test.each([
    ['{{ x }}', true],
    ['{% if x %}', true],
    ['{# note #}', true],
    ['plain', false],
    ['{ "json": true }', false],
    ['a } } b', false],
    ['#{x}', false],
  ])('isTemplate(%j) is %s', (text, expected) => {
    expect(isTemplate(text)).toBe(expected);
  });

  test('plain strings are returned unchanged, however odd', () => {
    for (const text of ['}}', '%}', '#}', '{ not a template }', '']) expect(render(text, {})).toBe(text);
  });
});

describe('parsing is cached and limits are per call', () => {
  test('the same template renders the same way many times, with different variables', () => {
    for (let i = 0; i < 1000; i++) expect(render('{{ n * 2 }}', { n: i })).toBe(String(i * 2));
  });

  test('a lower maxDepth applies even to a template already cached with the default', () => {
    const template = '{{ ((((1)))) }}';
    expect(render(template, {})).toBe('1');
    expect(() => render(template, {}, { limits: { maxDepth: 3 } })).toThrow(/nested deeper than 3 levels/);
    expect(() => parseTemplate(template)).not.toThrow();
  });
});
