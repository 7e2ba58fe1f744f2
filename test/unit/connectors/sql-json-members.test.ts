import { describe, expect, test } from 'vitest';
import { JsonMembers } from '../../../src/connectors/sql/json-members.js';

const membersOf = (text: string) => {
  const members = new JsonMembers();
  if (!members.read(text)) return undefined;
  return Array.from({ length: members.count }, (_, i) => [
    members.key(i),
    members.valueKind[i],
    members.value(i),
  ]);
};

describe('JsonMembers', () => {
  test('reads each member as its key, its kind and its JSON text', () => {
    expect(
      membersOf(
        ' { "a" : 1 , "b":"x", "c\\"d":"e\\nf", "g":-0.5e+3, "h":true, "i":false, "j":null, "k":{"l":[1,{}]}, "m":[ ] } ',
      ),
    ).toEqual([
      ['a', 'number', '1'],
      ['b', 'string', '"x"'],
      ['c"d', 'escaped', '"e\\nf"'],
      ['g', 'number', '-0.5e+3'],
      ['h', 'true', 'true'],
      ['i', 'false', 'false'],
      ['j', 'null', 'null'],
      ['k', 'object', '{"l":[1,{}]}'],
      ['m', 'array', '[ ]'],
    ]);
  });

  test('accepts exactly the objects JSON.parse accepts', () => {
    const texts = [
      '{}',
      '{"a":"\\u00e9\\/\\b\\f\\r\\t"}',
      '{"a":[1,2,]}',
      '{"a":1,}',
      '{"a":01}',
      '{"a":1.}',
      '{"a":.5}',
      '{"a":1e}',
      '{"a":-}',
      '{"a":"\\x"}',
      '{"a":"\\u12g4"}',
      '{"a":"tab\there"}',
      '{"a":tru}',
      '{"a":nul}',
      '{"a" 1}',
      '{a:1}',
      '{"a":1}x',
      '{"a":1',
      '[1]',
      '"text"',
      '',
    ];
    const parsesToObject = (text: string) => {
      try {
        const value: unknown = JSON.parse(text);
        return typeof value === 'object' && value !== null && !Array.isArray(value);
      } catch {
        return false;
      }
    };
    expect(texts.map((t) => new JsonMembers().read(t))).toEqual(texts.map(parsesToObject));
  });

  test('leaves nesting deeper than it follows to JSON.parse', () => {
    const deep = `{"a":${'['.repeat(300)}${']'.repeat(300)}}`;
    expect(new JsonMembers().read(deep)).toBe(false);
  });

  test('compares a key with a name without building the key', () => {
    const members = new JsonMembers();
    members.read('{"id":1,"i\\u0064":2}');
    expect([members.keyIs(0, 'id'), members.keyIs(0, 'i'), members.keyIs(1, 'id')]).toEqual([
      true,
      false,
      false,
    ]);
  });
});
