import { describe, expect, test } from 'vitest';
import { render } from '../../../src/expression/index.js';

// The `jq` filter: a list of every output, as Kestra's JqFilter returns. First what Kestra's tests assert,
// then the rest of the language subset, then its limits.

const vars: Record<string, unknown> = {
  fleet: {
    name: 'north',
    ships: [
      { name: 'Skerry', crew: 3, tags: ['sail'], port: 'oslo' },
      { name: 'Brant', crew: 5, tags: ['motor', 'cargo'], port: 'bergen' },
      { name: 'Tern', crew: 2, tags: [], port: 'oslo' },
    ],
    ratio: 1.5,
    flag: true,
    nothing: null,
  },
  asText: '{"depth": [4, 8]}',
  chain: { inner: { deeper: '{{ leaf }}' } },
  leaf: 'found',
};

const jq = (expression: string, input = 'fleet'): string =>
  render(`{{ ${input} | jq(${JSON.stringify(expression)}) }}`, vars);

describe("what Kestra's JqFilterTest asserts", () => {
  test.each([
    ['{{ [7, 8, 9] | jq(".[0]") | first }}', '7'],
    ['{{ fleet | jq(".ships[0].crew") }}', '[3]'],
    ['{{ render(chain) | jq(".inner.deeper") }}', '["found"]'],
    ['{{ fleet | jq(".name") }}', '["north"]'],
    ['{{ fleet | jq(".name") | first }}', 'north'],
    ['{{ fleet | jq(".ratio") | first }} {{ fleet | jq(".flag") | first }}', '1.5 true'],
    ['{{ fleet | jq(".ships[2]") | first }}', '{"name":"Tern","crew":2,"tags":[],"port":"oslo"}'],
    ['{{ fleet | jq(".ships[].crew") }}', '[3,5,2]'],
    ['{{ fleet | jq(".name") | first | className }}', 'java.lang.String'],
    ['[{{ fleet | jq(".nothing") | first | className }}]', '[]'],
    ['{% set s = fleet | jq(".ships[0]") %}{{ s[0].name }}', 'Skerry'],
    ['{% set t = fleet | jq(".ships[1].tags") %}{{ t[0][1] }}', 'cargo'],
    ['{{ asText | jq(".depth[1]") }}', '[8]'],
    ['[{{ null | jq(".x") }}]', '[]'],
  ])('%s', (template, expected) => {
    expect(render(template, vars)).toBe(expected);
  });
});

describe('the language', () => {
  test.each([
    [
      '.',
      '[{"name":"north","ships":[{"name":"Skerry","crew":3,"tags":["sail"],"port":"oslo"},{"name":"Brant","crew":5,"tags":["motor","cargo"],"port":"bergen"},{"name":"Tern","crew":2,"tags":[],"port":"oslo"}],"ratio":1.5,"flag":true,"nothing":null}]',
    ],
    ['.ships | length', '[3]'],
    ['.ships[-1].name, .ships[1:].[0].name', '["Tern","Brant"]'],
    ['.ships[0]["name"], ."name"', '["Skerry","north"]'],
    ['.missing.deeper', '[null]'],
    ['[.ships[] | select(.crew > 2) | .name]', '[["Skerry","Brant"]]'],
    ['.ships | map(.crew) | add', '[10]'],
    ['.ships | map(.crew * 2 - 1) | max', '[9]'],
    ['[.ships[].tags[]] | unique', '[["cargo","motor","sail"]]'],
    ['.ships | sort_by(.crew) | map(.name) | join(",")', '["Tern,Skerry,Brant"]'],
    [
      '.ships | group_by(.port) | map({port: .[0].port, n: length})',
      '[[{"port":"bergen","n":1},{"port":"oslo","n":2}]]',
    ],
    ['.ships | min_by(.crew).name, (max_by(.crew) | .name)', '["Tern","Brant"]'],
    [
      '{name, count: (.ships | length), "quoted": 1, (.name): true}',
      '[{"name":"north","count":3,"quoted":1,"north":true}]',
    ],
    [
      '.ships[0] | to_entries | map("\\(.key)=\\(.value)") | join("&")',
      '["name=Skerry&crew=3&tags=[\\"sail\\"]&port=oslo"]',
    ],
    ['.ships[0] | with_entries(select(.key == "name" or .key == "crew"))', '[{"name":"Skerry","crew":3}]'],
    [
      '[.ships[] | if .crew > 4 then "big" elif .crew > 2 then "mid" else "small" end]',
      '[["mid","big","small"]]',
    ],
    ['.nothing // "fallback", (.name // "unused")', '["fallback","north"]'],
    ['reduce .ships[] as $s (0; . + $s.crew)', '[10]'],
    ['[foreach .ships[] as $s (0; . + $s.crew)]', '[[3,8,10]]'],
    ['.name as $n | .ships | map($n + "/" + .name)', '[["north/Skerry","north/Brant","north/Tern"]]'],
    ['[.ships[] | .name | ascii_downcase | test("^[bt]")]', '[[false,true,true]]'],
    ['.ships[0].name | sub("e"; "E"), gsub("r"; "R")', '["SkErry","SkeRRy"]'],
    ['"aXbx" | sub("x"; "-"; "gi"), gsub("X"; "$1"; "i")', '["a-b-","a$1b$1"]'],
    ['[.ships[].name | startswith("S"), endswith("n")]', '[[true,false,false,false,false,true]]'],
    ['.ships | any(.crew > 4), all(.crew > 4)', '[true,false]'],
    ['[range(3)], [range(1; 7; 2)], [limit(2; range(10))]', '[[0,1,2],[1,3,5],[0,1]]'],
    ['[first(range(5; 9)), last(range(5; 9))]', '[[5,8]]'],
    [
      '.ships | keys, (.[0] | keys), (.[0] | keys_unsorted)',
      '[[0,1,2],["crew","name","port","tags"],["name","crew","tags","port"]]',
    ],
    ['.ships[0] | has("crew"), has("mast")', '[true,false]'],
    ['[.[] | type]', '[["string","array","number","boolean","null"]]'],
    ['.ratio | floor, ceil, tostring, (tostring | tonumber)', '[1,2,"1.5",1.5]'],
    ['"a,b,c" | split(",") | reverse | join("-")', '["c-b-a"]'],
    ['[1, [2, [3, [4]]]] | flatten, flatten(1)', '[[1,2,3,4],[1,2,[3,[4]]]]'],
    ['{a: {b: 1}} * {a: {c: 2}}', '[{"a":{"b":1,"c":2}}]'],
    ['[1, 2, 3, 1] - [1], [10 / 4, 10 % 4, -(3)]', '[[2,3],[2.5,2,-3]]'],
    ['"abc" * 2, ("x,y" / ",")', '["abcabc",["x","y"]]'],
    ['.ships[0] | tojson | fromjson | .name', '["Skerry"]'],
    ['[.ships[].tags | length] | @csv, @tsv', '["1,2,0","1\\t2\\t0"]'],
    [
      '.name | @base64, (@base64 | @base64d), @uri, @html, @sh',
      '["bm9ydGg=","north","north","north","\'north\'"]',
    ],
    ['@json "v=\\(.ratio)"', '["v=1.5"]'],
    ['([paths] | length), ([leaf_paths] | length)', '[23,16]'],
    ['[.. | numbers]', '[[3,5,2,1.5]]'],
    ['try error("sunk") catch ., (try error("x")), "after"', '["sunk","after"]'],
    ['[.ships[] | .crew?], [.name[]?]', '[[3,5,2],[]]'],
    ['.ships | indices({"name": "Tern", "crew": 2, "tags": [], "port": "oslo"})', '[[2]]'],
    ['"a-b-a" | index("a"), rindex("a"), indices("a")', '[0,4,[0,4]]'],
    ['{} | .a.b.c', '[null]'],
    ['$ENV, env', '[{},{}]'],
    ['[.ships[] | select(.tags | contains(["cargo"])) | .name]', '[["Brant"]]'],
    ['getpath(["ships", 0, "name"]), ([1,2] | inside([1,2,3]))', '["Skerry",true]'],
    ['"a, b,c" | [splits(", *")], split(", *"; null)', '[["a","b","c"],["a","b","c"]]'],
    ['null | not, (1 | not)', '[true,false]'],
    ['"x" | ltrimstr("x"), rtrimstr("q"), ("  y " | trim)', '["","x","y"]'],
    [
      '[limit(3; 1 | repeat(. * 2))], [1 | until(. > 100; . * 2)], [1 | while(. < 8; . * 2)]',
      '[[1,2,4],[128],[1,2,4]]',
    ],
    ['0 | [recurse(if . < 3 then . + 1 else empty end)]', '[[0,1,2,3]]'],
    [
      '.ships | map_values(.crew), (.[0] | map_values(length))',
      '[[3,5,2],{"name":6,"crew":3,"tags":1,"port":4}]',
    ],
    ['isempty(empty), ([.ships[] | values] | length)', '[true,3]'],
    ['[.ships[] | {name} | objects] | length, ([1, "a", null] | map(strings, numbers))', '[3,[1,"a"]]'],
  ])('%s → %s', (expression, expected) => {
    expect(jq(expression)).toBe(expected);
  });
});

describe('errors', () => {
  test.each([
    ['.name.first', 'filter `jq` failed: Cannot index string with "first"'],
    ['.ships[] | .crew + "x"', 'filter `jq` failed: number (3) and string ("x") cannot be added'],
    [
      '.[] as [$a] | $a',
      'filter `jq` cannot parse the expression: `as` expects a $variable (destructuring is not supported)',
    ],
    ['.a |= 1', "filter `jq` cannot parse the expression: the assignment operator '|=' is not supported"],
    ['def f: 1; f', 'filter `jq` cannot parse the expression: `def` is not supported'],
    ['.ships[', 'filter `jq` cannot parse the expression: unexpected end of the expression'],
    ['nosuch(1)', 'filter `jq` failed: nosuch/1 is not defined'],
    ['$undefined', 'filter `jq` failed: $undefined is not defined'],
    ['error({"code": 1})', 'filter `jq` failed: {"code":1} (not a string)'],
    ['1 / 0', 'filter `jq` failed: number (1) and number (0) cannot be divided because the divisor is zero'],
  ])('%s', (expression, message) => {
    expect(() => jq(expression)).toThrow(message);
  });

  test('a string input that is not JSON is refused', () => {
    expect(() => render("{{ 'not json' | jq('.') }}", vars)).toThrow(
      'filter `jq` failed: its input is a string that is not valid JSON',
    );
  });
});

describe('limits: jq runs inside the render budget', () => {
  const limits = { maxIterations: 1000, timeoutMs: 300, maxOutputLength: 10_000 };

  test.each([
    ['[range(1e9)] | length', /more than 1000 loop iterations/],
    ['last(range(1e12))', /more than 1000 loop iterations/],
    ['last(repeat(.))', /expression took longer than 300 ms/],
    ['0 | [recurse(. + 1)] | length', /expression took longer than 300 ms|more than 1000 loop iterations/],
    ['"x" * 1e9', /output longer than 10000 characters/],
    ['[.] | tostring * 1e6', /output longer than 10000 characters/],
    [`${'['.repeat(200)}1${']'.repeat(200)}`, /nested deeper than 64 levels/],
  ])('%s', (expression, message) => {
    const started = Date.now();
    expect(() => render(`{{ fleet | jq(${JSON.stringify(expression)}) }}`, vars, { limits })).toThrow(
      message,
    );
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
