import { describe, expect, test } from 'vitest';
import { resolveInputs } from '../../../src/flow/inputs.js';
import type { InputDef, InputType } from '../../../src/flow/model.js';

function input(type: InputType, extra: Partial<InputDef> = {}): InputDef {
  return { id: 'x', type, required: true, ...extra };
}

/** The value input `x` resolves to; fails the test with the errors when there are any. */
function resolved(def: InputDef, value: unknown, fromStrings = false): unknown {
  const { values, errors } = resolveInputs([def], { x: value }, { fromStrings });
  if (errors.length > 0) throw new Error(errors.join('\n'));
  return values.x;
}

function errorsOf(def: InputDef, value: unknown, fromStrings = false): string[] {
  return resolveInputs([def], { x: value }, { fromStrings }).errors;
}

describe("dotted ids nest, as Kestra's flattenToNestedMap does", () => {
  const defs: InputDef[] = [
    { id: 'nested.string', type: 'STRING', required: true },
    { id: 'nested.more.int', type: 'INT', required: true },
    { id: 'flat', type: 'STRING', required: false },
  ];

  test('typed values of dotted ids become nested maps', () => {
    expect(
      resolveInputs(defs, { 'nested.string': 'a string', 'nested.more.int': '123' }, { fromStrings: true }),
    ).toEqual({
      values: { nested: { string: 'a string', more: { int: 123 } }, flat: null },
      errors: [],
      secrets: [],
    });
  });

  test('missing and invalid values are named by their dotted id', () => {
    expect(resolveInputs(defs, { 'nested.more.int': 'x' }).errors).toEqual([
      'Missing required input: nested.string',
      "Invalid value for input 'nested.more.int': expected INT, got 'x'",
    ]);
  });

  test('defaults are found under the dotted id', () => {
    const withDefault: InputDef[] = [{ id: 'a.b', type: 'INT', required: true, defaults: 7 }];
    expect(resolveInputs(withDefault, {}).values).toEqual({ a: { b: 7 } });
  });

  test('nest: false keeps the ids flat (Kestra does not nest typed flow outputs)', () => {
    expect(
      resolveInputs(defs, { 'nested.string': 's', 'nested.more.int': 1 }, { nest: false }).values,
    ).toEqual({
      'nested.string': 's',
      'nested.more.int': 1,
      flat: null,
    });
  });

  test('an id that is both a value and a prefix is a conflict', () => {
    const clash: InputDef[] = [
      { id: 'a', type: 'STRING', required: false },
      { id: 'a.b', type: 'STRING', required: true },
    ];
    expect(resolveInputs(clash, { 'a.b': 'x' }).errors).toEqual([
      "Conflict at input 'a.b': an input id cannot be both a value and the prefix of another",
    ]);
  });

  test('a segment named __proto__ is a key, not the prototype', () => {
    const odd: InputDef[] = [{ id: 'a.__proto__', type: 'STRING', required: true }];
    const { values } = resolveInputs(odd, { 'a.__proto__': 'v' });
    const a = values.a as Record<string, unknown>;
    expect(Object.getPrototypeOf(a)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(a, '__proto__')?.value).toBe('v');
  });

  test('ids without dots give the same map as before', () => {
    const plain: InputDef[] = [{ id: 'x', type: 'INT', required: true }];
    expect(resolveInputs(plain, { x: 1 }).values).toEqual({ x: 1 });
  });
});

describe('presence', () => {
  test('a missing required input is an error naming it', () => {
    expect(resolveInputs([{ id: 'customer', type: 'STRING', required: true }], {}).errors).toEqual([
      'Missing required input: customer',
    ]);
  });

  test('a missing optional input is null', () => {
    expect(resolveInputs([input('STRING', { required: false })], {}).values).toEqual({ x: null });
  });

  test('a null value counts as missing', () => {
    expect(resolveInputs([input('STRING')], { x: null }).errors).toEqual(['Missing required input: x']);
  });

  test('the default is used when no value is given', () => {
    expect(resolveInputs([input('INT', { defaults: 4 })], {}).values).toEqual({ x: 4 });
  });

  test('a given value wins over the default', () => {
    expect(resolveInputs([input('INT', { defaults: 4 })], { x: 5 }).values).toEqual({ x: 5 });
  });

  test('a default written as a template is passed through for the caller to render', () => {
    expect(resolveInputs([input('DATETIME', { defaults: '{{ now() }}' })], {}).values).toEqual({
      x: '{{ now() }}',
    });
  });

  test('undeclared inputs are ignored', () => {
    expect(resolveInputs([], { stray: 1 })).toEqual({ values: {}, errors: [], secrets: [] });
  });

  test('every problem is collected', () => {
    const defs: InputDef[] = [
      { id: 'a', type: 'INT', required: true },
      { id: 'b', type: 'BOOLEAN', required: true },
      { id: 'c', type: 'STRING', required: true },
    ];
    expect(resolveInputs(defs, { a: 'one', b: 3 }).errors).toEqual([
      "Invalid value for input 'a': expected INT, got 'one'",
      "Invalid value for input 'b': expected BOOLEAN, got 3",
      'Missing required input: c',
    ]);
  });
});

describe('STRING and SECRET', () => {
  test('a string is kept', () => {
    expect(resolved(input('STRING'), 'hello')).toBe('hello');
  });

  test('a number given in JSON becomes its text', () => {
    expect(resolved(input('STRING'), 42)).toBe('42');
  });

  test('a map is not a string', () => {
    expect(errorsOf(input('STRING'), { a: 1 })).toEqual([
      "Invalid value for input 'x': expected STRING, got a map",
    ]);
  });

  test('the validator must match the whole value', () => {
    expect(errorsOf(input('STRING', { validator: '[a-z]+' }), 'abc1')).toEqual([
      "Invalid value for input 'x': expected STRING matching [a-z]+, got 'abc1'",
    ]);
  });

  test('minLength and maxLength bound the length', () => {
    expect([
      ...errorsOf(input('STRING', { minLength: 3 }), 'ab'),
      ...errorsOf(input('STRING', { maxLength: 3 }), 'abcd'),
    ]).toEqual([
      "Invalid value for input 'x': expected STRING of at least 3 characters, got 'ab'",
      "Invalid value for input 'x': expected STRING of at most 3 characters, got 'abcd'",
    ]);
  });

  test('a SECRET is a string with its validator, and a misfit never quotes the value', () => {
    expect(errorsOf(input('SECRET', { validator: 'sk-.*' }), 'nope-not-shown')).toEqual([
      "Invalid value for input 'x': expected SECRET matching sk-.*, got '******'",
    ]);
  });
});

describe('SECRET values are stored sealed', () => {
  const seal = (clear: string) => `sealed(${clear})`;

  test('a SECRET value is checked in clear, stored as the seal makes it, and its clear text noted', () => {
    expect(resolveInputs([input('SECRET', { validator: 'sk-.*' })], { x: 'sk-123' }, { seal })).toEqual({
      values: { x: 'sealed(sk-123)' },
      errors: [],
      secrets: ['sk-123'],
    });
  });

  test('each item of an ARRAY of SECRET is sealed', () => {
    const { values, secrets } = resolveInputs(
      [input('ARRAY', { itemType: 'SECRET' })],
      { x: '["a1","b2"]' },
      { seal },
    );
    expect([values.x, secrets]).toEqual([
      ['sealed(a1)', 'sealed(b2)'],
      ['a1', 'b2'],
    ]);
  });

  test('without a seal, a SECRET value is refused rather than kept in clear', () => {
    expect(errorsOf(input('SECRET'), 'sk-123')).toEqual([
      "Input 'x' is a SECRET: no encryption key is configured to store it",
    ]);
  });

  test('an absent optional SECRET needs no seal', () => {
    expect(resolveInputs([input('SECRET', { required: false })], {})).toEqual({
      values: { x: null },
      errors: [],
      secrets: [],
    });
  });

  test('a value holding a secret the caller knows is refused by any input but a SECRET one', () => {
    const holdsSecret = (value: unknown) => JSON.stringify(value).includes('sk-123');
    const defs = [input('STRING'), { ...input('SECRET'), id: 'y' }];
    expect(resolveInputs(defs, { x: 'url?k=sk-123', y: 'sk-123' }, { seal, holdsSecret })).toEqual({
      values: { y: 'sealed(sk-123)' },
      errors: ["Invalid value for input 'x': it holds a secret, which only a SECRET input takes"],
      secrets: ['sk-123'],
    });
  });

  test('a value that looks sealed is refused in any input: only this process seals', () => {
    expect([
      ...errorsOf(input('SECRET'), 'sluice-sealed:v1:AAAA'),
      ...errorsOf(input('JSON'), { deep: ['sluice-sealed:v1:AAAA'] }),
    ]).toEqual([
      "Invalid value for input 'x': values beginning with sluice-sealed: are reserved",
      "Invalid value for input 'x': values beginning with sluice-sealed: are reserved",
    ]);
  });
});

describe('INT and FLOAT', () => {
  test('an INT typed on a command line is parsed', () => {
    expect(resolved(input('INT'), '42', true)).toBe(42);
  });

  test('an INT given in JSON is kept', () => {
    expect(resolved(input('INT'), -7)).toBe(-7);
  });

  test('text that is not an integer is refused', () => {
    expect(errorsOf(input('INT'), 'abc', true)).toEqual([
      "Invalid value for input 'x': expected INT, got 'abc'",
    ]);
  });

  test('a fraction is not an INT', () => {
    expect(errorsOf(input('INT'), 1.5)).toEqual(["Invalid value for input 'x': expected INT, got 1.5"]);
  });

  test('INT min and max are inclusive bounds', () => {
    const def = input('INT', { min: 1, max: 10 });
    expect([resolved(def, 1), resolved(def, 10), ...errorsOf(def, 0), ...errorsOf(def, 11)]).toEqual([
      1,
      10,
      "Invalid value for input 'x': expected INT >= 1, got 0",
      "Invalid value for input 'x': expected INT <= 10, got 11",
    ]);
  });

  test('a FLOAT is parsed from text, exponents included', () => {
    expect([resolved(input('FLOAT'), '2.5', true), resolved(input('FLOAT'), '1e3', true)]).toEqual([
      2.5, 1000,
    ]);
  });

  test('a FLOAT refuses text that is not a number', () => {
    expect(errorsOf(input('FLOAT'), '0x10', true)).toEqual([
      "Invalid value for input 'x': expected FLOAT, got '0x10'",
    ]);
  });

  test('FLOAT max is a bound', () => {
    expect(errorsOf(input('FLOAT', { max: 1 }), 1.5)).toEqual([
      "Invalid value for input 'x': expected FLOAT <= 1, got 1.5",
    ]);
  });
});

describe('BOOLEAN and BOOL', () => {
  test('true and false, as text in any case or as booleans', () => {
    expect([
      resolved(input('BOOLEAN'), 'true', true),
      resolved(input('BOOL'), 'FALSE', true),
      resolved(input('BOOLEAN'), false),
    ]).toEqual([true, false, false]);
  });

  // Kestra reads the text with Java's Boolean.valueOf: only "true" (any case) is true, never an error
  test('any other text is false, as Java reads it', () => {
    expect([
      resolved(input('BOOL'), 'yes', true),
      resolved(input('BOOLEAN'), 'maybe'),
      resolved(input('BOOLEAN'), 'TrUe'),
      resolved(input('BOOLEAN'), ''),
      resolved(input('BOOLEAN'), ' true'),
      resolved(input('BOOLEAN', { required: false, defaults: 'no' }), undefined),
    ]).toEqual([false, false, true, false, false, false]);
  });

  test('a value that is neither text nor a boolean is refused', () => {
    expect([...errorsOf(input('BOOL'), 1), ...errorsOf(input('BOOLEAN'), ['true'])]).toEqual([
      "Invalid value for input 'x': expected BOOL, got 1",
      "Invalid value for input 'x': expected BOOLEAN, got a list",
    ]);
  });

  test('ARRAY items of type BOOLEAN are read the same way', () => {
    expect(resolved(input('ARRAY', { itemType: 'BOOLEAN' }), ['true', 'x', false])).toEqual([
      true,
      false,
      false,
    ]);
  });
});

describe('DATETIME, DATE and TIME', () => {
  test('a DATETIME keeps the instant, written in UTC', () => {
    expect(resolved(input('DATETIME'), '2024-01-01T01:00:00+01:00')).toBe('2024-01-01T00:00:00Z');
  });

  test('a DATETIME keeps its milliseconds', () => {
    expect(resolved(input('DATETIME'), '2024-06-30T12:34:56.789Z')).toBe('2024-06-30T12:34:56.789Z');
  });

  test('a DATETIME without an offset names no instant and is refused', () => {
    expect(errorsOf(input('DATETIME'), '2024-01-01T00:00:00')).toEqual([
      "Invalid value for input 'x': expected DATETIME, got '2024-01-01T00:00:00'",
    ]);
  });

  test('a DATETIME on a day that does not exist is refused', () => {
    expect(errorsOf(input('DATETIME'), '2023-02-29T00:00:00Z')).toEqual([
      "Invalid value for input 'x': expected DATETIME, got '2023-02-29T00:00:00Z'",
    ]);
  });

  test('DATETIME after and before are exclusive bounds', () => {
    const def = input('DATETIME', { after: '2024-01-01T00:00:00Z', before: '2025-01-01T00:00:00Z' });
    expect([...errorsOf(def, '2024-01-01T00:00:00Z'), ...errorsOf(def, '2025-06-01T00:00:00Z')]).toEqual([
      "Invalid value for input 'x': expected DATETIME after 2024-01-01T00:00:00Z, got '2024-01-01T00:00:00Z'",
      "Invalid value for input 'x': expected DATETIME before 2025-01-01T00:00:00Z, got '2025-06-01T00:00:00Z'",
    ]);
  });

  test('a DATE is a real calendar day', () => {
    expect([resolved(input('DATE'), '2024-02-29'), ...errorsOf(input('DATE'), '2023-02-29')]).toEqual([
      '2024-02-29',
      "Invalid value for input 'x': expected DATE, got '2023-02-29'",
    ]);
  });

  test('a DATE is written yyyy-mm-dd', () => {
    expect(errorsOf(input('DATE'), '01/02/2024')).toEqual([
      "Invalid value for input 'x': expected DATE, got '01/02/2024'",
    ]);
  });

  test('a TIME takes optional seconds and fraction', () => {
    expect([resolved(input('TIME'), '09:30'), resolved(input('TIME'), '23:59:59.123')]).toEqual([
      '09:30',
      '23:59:59.123',
    ]);
  });

  // Kestra stores a LocalTime, whose toString drops zero seconds and writes a fraction as 3, 6 or 9 digits
  test('a TIME is written as Java LocalTime.toString', () => {
    expect(
      [
        '18:27:00',
        '18:27:05',
        '18:27',
        '00:00:00.000',
        '09:00:05.5',
        '09:00:05.1234',
        '09:00:05.123456789',
        ' 18:27:00 ',
      ].map((text) => resolved(input('TIME'), text)),
    ).toEqual([
      '18:27',
      '18:27:05',
      '18:27',
      '00:00',
      '09:00:05.500',
      '09:00:05.123400',
      '09:00:05.123456789',
      '18:27',
    ]);
  });

  test('a TIME default is normalised too, and after/before still compare times', () => {
    const def = input('TIME', { required: false, defaults: '08:00:00', after: '07:59:59' });
    expect([resolved(def, undefined), ...errorsOf(def, '07:00:00')]).toEqual([
      '08:00',
      "Invalid value for input 'x': expected TIME after 07:59:59, got '07:00:00'",
    ]);
  });

  test('a TIME past 23:59 is refused', () => {
    expect(errorsOf(input('TIME'), '24:00')).toEqual([
      "Invalid value for input 'x': expected TIME, got '24:00'",
    ]);
  });
});

describe('DURATION', () => {
  test('an ISO-8601 duration already in Java form is kept', () => {
    expect(resolved(input('DURATION'), 'PT1M30S')).toBe('PT1M30S');
  });

  // Kestra stores a java.time.Duration, whose toString counts in hours, minutes and seconds only
  test('a DURATION is written as Java Duration.toString', () => {
    expect(
      ['P1D', 'P1DT5M6S', 'PT0.2S', 'PT90M', 'PT3600S', 'pt1h', 'P0D', 'PT1,50S', 'P2DT0.000000001S'].map(
        (text) => resolved(input('DURATION'), text),
      ),
    ).toEqual([
      'PT24H',
      'PT24H5M6S',
      'PT0.2S',
      'PT1H30M',
      'PT1H',
      'PT1H',
      'PT0S',
      'PT1.5S',
      'PT48H0.000000001S',
    ]);
  });

  test('anything else is refused', () => {
    expect(errorsOf(input('DURATION'), '90s')).toEqual([
      "Invalid value for input 'x': expected DURATION, got '90s'",
    ]);
  });
});

describe('JSON and YAML', () => {
  test('JSON text is parsed', () => {
    expect(resolved(input('JSON'), '{"a":[1,2]}', true)).toEqual({ a: [1, 2] });
  });

  test('a JSON value that is not text is kept', () => {
    expect(resolved(input('JSON'), { a: 1 })).toEqual({ a: 1 });
  });

  test('text that is not JSON is refused', () => {
    expect(errorsOf(input('JSON'), '{bad')).toEqual([
      "Invalid value for input 'x': expected JSON, got '{bad'",
    ]);
  });

  test('YAML text is parsed', () => {
    expect(resolved(input('YAML'), 'a: 1\nb: [x]\n', true)).toEqual({ a: 1, b: ['x'] });
  });

  test('text that is not YAML is refused', () => {
    expect(errorsOf(input('YAML'), 'a: [1')).toEqual([
      "Invalid value for input 'x': expected YAML, got 'a: [1'",
    ]);
  });
});

describe('ARRAY', () => {
  test('a JSON array is parsed and each item coerced to itemType', () => {
    expect(resolved(input('ARRAY', { itemType: 'INT' }), '[1, "2"]', true)).toEqual([1, 2]);
  });

  test('a list given in JSON is kept', () => {
    expect(resolved(input('ARRAY', { itemType: 'STRING' }), ['a', 'b'])).toEqual(['a', 'b']);
  });

  test('on a command line, items may be separated by commas', () => {
    expect(resolved(input('ARRAY', { itemType: 'INT' }), '1, 2,3', true)).toEqual([1, 2, 3]);
  });

  test('a bad item is reported with its index', () => {
    expect(errorsOf(input('ARRAY', { itemType: 'INT' }), [1, 'two'])).toEqual([
      "Invalid value for input 'x[1]': expected INT, got 'two'",
    ]);
  });

  test('text that is not a JSON array is refused outside a command line', () => {
    expect(errorsOf(input('ARRAY', { itemType: 'STRING' }), 'a,b')).toEqual([
      "Invalid value for input 'x': expected ARRAY of STRING, got 'a,b'",
    ]);
  });
});

describe('ENUM, SELECT and MULTISELECT', () => {
  test('an ENUM value must be one of the values', () => {
    const def = input('ENUM', { values: ['red', 'green'] });
    expect([resolved(def, 'red'), ...errorsOf(def, 'blue')]).toEqual([
      'red',
      "Invalid value for input 'x': expected ENUM (one of red|green), got 'blue'",
    ]);
  });

  test('a SELECT with allowCustomValue takes other values', () => {
    expect(resolved(input('SELECT', { values: ['eu'], allowCustomValue: true }), 'mars')).toBe('mars');
  });

  test('a SELECT without allowCustomValue does not', () => {
    expect(errorsOf(input('SELECT', { values: ['eu'] }), 'us')).toEqual([
      "Invalid value for input 'x': expected SELECT (one of eu), got 'us'",
    ]);
  });

  test('a MULTISELECT takes a subset of the values, as a list or JSON text', () => {
    const def = input('MULTISELECT', { values: ['a', 'b', 'c'] });
    expect([resolved(def, ['a', 'c']), resolved(def, '["b"]', true)]).toEqual([['a', 'c'], ['b']]);
  });

  test('a MULTISELECT item outside the values is reported with its index', () => {
    expect(errorsOf(input('MULTISELECT', { values: ['a'] }), ['a', 'z'])).toEqual([
      "Invalid value for input 'x[1]': expected MULTISELECT (some of a), got 'z'",
    ]);
  });
});

describe('FILE, URI and EMAIL', () => {
  test('a FILE is a sluice URI or a local path, returned unchanged', () => {
    expect([
      resolved(input('FILE'), 'sluice:///ns/flow/file.csv'),
      resolved(input('FILE'), './data.csv'),
    ]).toEqual(['sluice:///ns/flow/file.csv', './data.csv']);
  });

  test('an empty FILE is refused', () => {
    expect(errorsOf(input('FILE'), '')).toEqual(["Invalid value for input 'x': expected FILE, got ''"]);
  });

  test('a URI must be absolute', () => {
    expect([
      resolved(input('URI'), 'https://example.com/a?b=c'),
      ...errorsOf(input('URI'), '/relative'),
    ]).toEqual(['https://example.com/a?b=c', "Invalid value for input 'x': expected URI, got '/relative'"]);
  });

  test('an EMAIL needs an @ between two parts', () => {
    expect([
      resolved(input('EMAIL'), 'me@example.com'),
      ...errorsOf(input('EMAIL'), 'me.example.com'),
    ]).toEqual(['me@example.com', "Invalid value for input 'x': expected EMAIL, got 'me.example.com'"]);
  });
});
