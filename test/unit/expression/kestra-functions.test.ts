import { describe, expect, test } from 'vitest';
import {
  checkTemplate,
  type RenderOptions,
  type RenderServices,
  render,
  renderAsync,
  renderRecursiveAsync,
} from '../../../src/expression/index.js';

// What Kestra's own tests assert of each filter and function of its core (io.kestra.core.runners.pebble),
// with our own data.

const sample = {
  word: 'tide',
  count: 3,
  ratio: 2.75,
  flags: [true, false],
  mixed: ['tide', 3, 2.75],
  boat: { name: 'Skerry', crew: 3, draft: 1.25 },
};
const vars: Record<string, unknown> = {
  sample,
  numbers: [10, 20, 30, 40, 50],
  nested: ['keel', ['mast', 'boom'], 'rudder', ['sail']],
  flow: { id: 'harbour', namespace: 'coast.north' },
  layer1: '{{ layer2 }}',
  layer2: '{{ layer3 }}',
  layer3: 'bottom',
  pointer: { to: { deeper: '{{ layer3 }}' } },
};

type Case = [template: string, expected: string];

function table(name: string, cases: Case[], options?: RenderOptions): void {
  describe(name, () => {
    test.each(cases)('%s → %j', (template, expected) => {
      expect(render(template, vars, options)).toBe(expected);
    });
  });
}

function fails(template: string, message: RegExp, options?: RenderOptions): void {
  expect(() => render(template, vars, options)).toThrow(message);
}

table('chunk, flatten, startsWith, endsWith, substring*', [
  ['{{ numbers | chunk(2) }}', '[[10,20],[30,40],[50]]'],
  ['{{ nested | flatten }}', '["keel","mast","boom","rudder","sail"]'],
  ['{{ nested | flatten | first }}', 'keel'],
  ["{{ 'Skerry boat' | startsWith('Skerry') }} {{ 'Skerry boat' | endsWith('Skerry') }}", 'true false'],
  ["{{ 'x.y.z' | substringBefore('.') }}|{{ 'x.y.z' | substringAfter(separator='.') }}", 'x|y.z'],
  ["{{ 'x.y.z' | substringBeforeLast(separator='.') }}|{{ 'x.y.z' | substringAfterLast('.') }}", 'x.y|z'],
  ["{{ 'Sea level 3' | urlencode | urldecode }}", 'Sea level 3'],
]);

test('chunk refuses what is not a list', () => {
  fails('{{ sample.count | chunk(2) }}', /filter `chunk` expects a list, got a number/);
});

table('indent and nindent keep the input line ending', [
  ['[{{ null | indent(2) }}]', '[]'],
  ["[{{ '' | indent(2) }}] [{{ '' | nindent(2) }}]", '[] []'],
  ['{{ "\n\n" | indent(2) }}', '\n  \n  '],
  ['{{ "\n\n" | nindent(2) }}', '\n  \n  \n  '],
  ["{{ 'mast' | indent(2) }}|{{ 'mast' | nindent(2) }}", 'mast|\n  mast'],
  ['{{ 7 | indent(2) }}|{{ 7 | nindent(2) }}', '7|\n  7'],
  ['{{ "bow\r\nstern" | indent(2) }}', 'bow\r\n  stern'],
  ['{{ "bow\rstern" | nindent(2) }}', '\r  bow\r  stern'],
  ['{{ "bow\nstern" | nindent(2, "\t") }}', '\n\t\tbow\n\t\tstern'],
]);

// FIPS 180 test vectors for "abc"
table('hashes', [
  ["{{ 'abc' | sha1 }}", 'a9993e364706816aba3e25717850c26c9cd0d89d'],
  [
    "{{ 'abc' | sha512 }}",
    'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
  ],
  ["{{ 'tide' | md5 | length }}", '32'],
]);

table('replace: pairs, regular expressions, lists and maps', [
  ["{{ 'gull and gull' | replace({'gull': 'tern'}) }}", 'tern and tern'],
  ["{{ 'r1s2t3' | replace({'(\\\\d)': '<$1>'}, regexp=true) }}", 'r<1>s<2>t<3>'],
  // Java's replacement syntax: `\$` is a dollar sign, `$1` the group
  ["{{ 'cost 5' | replace({'(\\\\d+)': '\\\\$$1.00'}, regexp=true) }}", 'cost $5.00'],
  ["{{ ['ab', {'k': 'cab', 'n': 7}] | replace({'a': 'o'}) }}", '["ob",{"k":"cob","n":"7"}]'],
]);

test('replace refuses a pattern RE2 cannot run in linear time', () => {
  fails(
    "{{ 'aa' | replace({'(a)\\\\1': 'b'}, regexp=true) }}",
    /filter `replace` got an invalid regular expression/,
  );
});

table('dates: timestamps in micro- and nanoseconds are text, as in Kestra', [
  ["{{ '2021-05-04T03:02:01.654321+02:00' | timestamp }}", '1620090121'],
  ["{{ '2021-05-04T03:02:01.654321+02:00' | timestampMicro }}", '1620090121654321'],
  [
    "{{ '2021-05-04T03:02:01.654321+02:00' | timestampNano(timeZone='Europe/Paris') }}",
    '1620090121654321000',
  ],
  ["{{ '2021-05-04T03:02:01' | timestampNano(timeZone='Europe/Paris') | className }}", 'java.lang.String'],
]);

table('toJson, yaml and toIon', [
  ['{{ sample.word | toJson }} {{ sample.boat | toJson }}', '"tide" {"name":"Skerry","crew":3,"draft":1.25}'],
  ['{{ sample.word | yaml }}', 'tide\n'],
  ['{{ sample.count | yaml }}{{ sample.ratio | yaml }}{{ true | yaml }}', '3\n2.75\ntrue\n'],
  ['{{ sample.mixed | yaml }}', ' - tide\n - 3\n - 2.75\n'],
  ['{{ sample.boat | yaml }}', 'name: Skerry\ncrew: 3\ndraft: 1.25\n'],
  [
    "{{ {'deck': {'fore': [1, {'a': 'b'}], 'empty': []}} | yaml }}",
    'deck:\n  fore:\n   - 1\n   - a: b\n  empty: []\n',
  ],
  [
    "{{ ['true', '42', 'a: b', '', 'plain text'] | yaml }}",
    ' - "true"\n - "42"\n - "a: b"\n - ""\n - plain text\n',
  ],
  ['{{ null | yaml }}', 'null'],
  ['{{ sample.word | toIon }} {{ sample.count | toIon }} {{ sample.ratio | toIon }}', '"tide" 3 2.75e0'],
  ['{{ sample.mixed | toIon }}', '["tide",3,2.75e0]'],
  ['{{ sample.boat | toIon }}', '{name:"Skerry",crew:3,draft:1.25e0}'],
  ["{{ {'empty_object': {}} | toIon }} {{ null | toIon }}", '{empty_object:{}} null'],
  ["{{ {'two words': 1, 'true': 2} | toIon }}", "{'two words':1,'true':2}"],
]);

table('fromIon, fromJson, json and yaml read text into data', [
  ['{{ fromIon(\'{when:2022-02-02T10:00:00Z, vessel:"Skerry", knots:12}\').vessel }}', 'Skerry'],
  ["{{ fromIon('{a: ann::5, s: sym, l: (x y)}') }}", '{"a":5,"s":"sym","l":["x","y"]}'],
  ['[{{ fromIon(null) }}] [{{ fromJson(null) }}]', '[] []'],
  ['{{ fromJson(\'{"crew": [{"name": "ada"}]}\').crew[0].name }}', 'ada'],
  ['{{ fromJson(\'{"empty_object":{}}\') }}', '{"empty_object":{}}'],
  ['{{ json(\'{"knots": 12}\').knots }}', '12'],
  ["{{ yaml('# comment\\nname: Skerry\\ncrew: 3\\nrig:\\n  mast: 2\\nports: [oslo]').rig.mast }}", '2'],
  ['{{ yaml(\'when: "1918-02-24T00:00:00Z"\\nday: 1991-08-20\').day }}', '1991-08-20'],
  ["{{ yaml('base: &b {k: v}\\nuse: *b').use.k }}", 'v'],
]);

test('fromIon, fromJson and yaml refuse what they cannot read', () => {
  fails("{{ fromIon('{not: ion') }}", /function `fromIon` got invalid Ion/);
  fails('{{ fromIon() }}', /function `fromIon` expects an argument `ion`/);
  fails("{{ fromJson('{not: json}') }}", /function `fromJson` got invalid JSON/);
  fails("{{ yaml('a: [1') }}", /function `yaml` got invalid YAML/);
  fails('{{ yaml(3) }}', /function `yaml` expects an argument `yaml` with type string, got a number/);
});

table('keys, values, className', [
  ['{{ sample.mixed | keys }} {{ sample.boat | keys }}', '[0,1,2] ["name","crew","draft"]'],
  ['{{ sample.boat | values }}', '["Skerry",3,1.25]'],
  [
    '{{ sample.word | className }} {{ sample.count | className }} {{ sample.ratio | className }} {{ true | className }}',
    'java.lang.String java.lang.Integer java.lang.Double java.lang.Boolean',
  ],
  ['{{ 9000000000 | className }} [{{ null | className }}]', 'java.lang.Long []'],
  [
    "{{ '2147483647' | number | className }} {{ '12.5' | number | className }}",
    'java.lang.Integer java.lang.Double',
  ],
]);

table('render and renderOnce', [
  ['{{ render(layer1) }}', 'bottom'],
  ['{{ renderOnce(layer1) }}', '{{ layer3 }}'],
  ['{{ render(layer1, false) }} {{ render(toRender=layer1) }}', '{{ layer3 }} bottom'],
  ['{{ render(42) }} {{ render(true) }} [{{ render(null) }}]', '42 true []'],
  ['{{ render(pointer).to.deeper }}', 'bottom'],
  ["{{ renderOnce('plain') }}", 'plain'],
]);

table('uuid, id, randomInt, now, printContext', [
  ['{{ uuid() | length }}', '36'],
  ['{{ randomInt(4, 4) }}', '4'],
  ['{{ randomInt(-3, -2) }}', '-3'],
  ['{{ printContext().flow.id }} {{ fetchContext().sample.count }}', 'harbour 3'],
]);

describe('uuid(), id() and randomInt() give fresh values', () => {
  test('two uuid() and two id() calls differ; uuid() is a version 4 UUID, id() base 62', () => {
    const [a, b] = render('{{ uuid() }} {{ uuid() }}', vars).split(' ');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const ids = render('{{ id() }} {{ id() }}', vars).split(' ');
    expect(ids[0]).not.toBe(ids[1]);
    for (const id of ids) expect(id).toMatch(/^[0-9A-Za-z]{1,22}$/);
  });

  test('randomInt stays in [lower, upper)', () => {
    const seen = new Set(Array.from({ length: 200 }, () => render('{{ randomInt(1, 4) }}', vars)));
    expect([...seen].sort()).toEqual(['1', '2', '3']);
  });

  test('randomInt refuses strings, a missing bound and upper below lower', () => {
    fails("{{ randomInt('1', '10') }}", /function `randomInt` expects an argument `lower` with type integer/);
    fails('{{ randomInt(3) }}', /function `randomInt` expects an argument `upper`/);
    fails('{{ randomInt(10, 1) }}', /function `randomInt` expects upper to be at least lower/);
  });
});

describe('encrypt() and decrypt() with a base64 AES key, as Kestra does', () => {
  const key = Buffer.alloc(32, 9).toString('base64');

  test('decrypt gives back what encrypt sealed, and each sealing differs', () => {
    const one = render(`{{ encrypt('${key}', 'anchor') }}`, vars);
    const two = render(`{{ encrypt('${key}', 'anchor') }}`, vars);
    expect(one).not.toBe(two);
    expect(render(`{{ decrypt('${key}', '${one}') }}`, vars)).toBe('anchor');
  });

  test("the text is Kestra's layout: base64 of a 12-byte IV, the cipher text and a 16-byte tag", () => {
    const sealed = Buffer.from(render(`{{ encrypt('${key}', 'anchor') }}`, vars), 'base64');
    expect(sealed).toHaveLength(12 + 'anchor'.length + 16);
  });

  test('a missing argument, a bad key or another key fail with a message that shows nothing secret', () => {
    fails("{{ encrypt('anchor') }}", /function `encrypt` expects an argument `plaintext`/);
    fails("{{ decrypt('anchor') }}", /function `decrypt` expects an argument `encrypted`/);
    fails("{{ encrypt('c2hvcnQ=', 'anchor') }}", /expects a base64 key of 16, 24 or 32 bytes/);
    const sealed = render(`{{ encrypt('${key}', 'anchor') }}`, vars);
    const other = Buffer.alloc(32, 1).toString('base64');
    fails(
      `{{ decrypt('${other}', '${sealed}') }}`,
      /^function `decrypt` cannot decrypt the value with this key/,
    );
  });
});

describe('fileURI() names where a namespace file lives', () => {
  table('paths', [
    ["{{ fileURI('charts/north.csv') }}", 'sluice:///_namespaces/coast.north/_files/charts/north.csv'],
    ["{{ fileURI('/charts/north.csv') }}", 'sluice:///_namespaces/coast.north/_files/charts/north.csv'],
  ]);

  test("a path with '../' is refused", () => {
    fails("{{ fileURI('../other/secret.txt') }}", /Path must not contain '\.\.\/'/);
  });
});

describe('read(), fileSize() and kv() through render services', () => {
  const files: Record<string, string> = {
    'sluice:///coast/north/harbour/executions/e1/log.txt': 'Hello {{ flow.id }}',
  };
  const services: RenderServices = {
    storage: {
      async read(uri) {
        const content = files[uri];
        if (content === undefined) throw new Error(`${uri} belongs to another execution`);
        return content;
      },
      async size(uri) {
        return Buffer.byteLength(files[uri] ?? '');
      },
    },
    kv: {
      async get(namespace, key) {
        return namespace === 'coast.north' && key === 'depth' ? { value: { metres: 12 } } : undefined;
      },
    },
  };
  const uri = 'sluice:///coast/north/harbour/executions/e1/log.txt';

  test('read() and fileSize() give the text and byte size of a file the render may read', async () => {
    expect(await renderAsync(`{{ read('${uri}') }}|{{ fileSize('${uri}') }}`, vars, { services })).toBe(
      'Hello {{ flow.id }}|19',
    );
    expect(await renderAsync(`{{ render(read('${uri}')) }}`, vars, { services })).toBe('Hello harbour');
  });

  test('every string of a structure is rendered with the same answers', async () => {
    const value = { a: `{{ read('${uri}') | length }}`, b: [`{{ fileSize('${uri}') }}`] };
    expect(await renderRecursiveAsync(value, vars, { services })).toEqual({ a: '19', b: ['19'] });
  });

  test("the service's refusal is the function's error, at its position", async () => {
    await expect(
      renderAsync("x {{ read('sluice:///elsewhere/f.txt') }}", vars, { services }),
    ).rejects.toThrow(
      /sluice:\/\/\/elsewhere\/f\.txt belongs to another execution, in the expression `read\('sluice:\/\/\/elsewhere\/f\.txt'\)` at 1:6/,
    );
  });

  test('kv() gives the value, null for a missing key, or fails for it when asked to', async () => {
    expect(await renderAsync("{{ kv('depth').metres }}", vars, { services })).toBe('12');
    expect(await renderAsync("[{{ kv('tide') }}]", vars, { services })).toBe('[]');
    await expect(renderAsync("{{ kv('tide', errorOnMissing=true) }}", vars, { services })).rejects.toThrow(
      /The key 'tide' does not exist in the namespace 'coast.north'\./,
    );
  });

  test('without the service, each function says it is not available here', async () => {
    await expect(renderAsync("{{ kv('depth') }}", vars, {})).rejects.toThrow(
      /function `kv` is not available here: this render has no access to a KV store/,
    );
    await expect(renderAsync("{{ read('charts/north.csv') }}", vars, { services })).rejects.toThrow(
      /function `read` is not available here: this render has no access to namespace files/,
    );
    fails(
      `{{ read('${uri}') }}`,
      /function `read` is not available here: this render has no access to internal storage/,
    );
    fails(`{{ fileSize('${uri}') }}`, /function `fileSize` is not available here/);
  });

  test('a template may wait for at most 100 answers', async () => {
    const many = { storage: { read: async (u: string) => u, size: async () => 1 } };
    await expect(
      renderAsync("{% for i in range(1, 101) %}{{ read('sluice:///f/' ~ i) }}{% endfor %}", vars, {
        services: many,
      }),
    ).rejects.toThrow(/a template may read at most 100 files or keys/);
  });
});

describe('checkTemplate: what flow validate reports', () => {
  test.each([
    ['{{ x | uper }}', 'unknown filter `uper` (did you mean `upper`?) at 1:8'],
    ['{{ x | Upper }}', 'unknown filter `Upper` (did you mean `upper`?) at 1:8'],
    ['{{ x is evn }}', 'unknown test `evn` (did you mean `even`?) at 1:9'],
    ['{{ nowz() }}', 'unknown function `nowz` (did you mean `now`?) at 1:4'],
    ['{{ x | now }}', 'unknown filter `now`: `now` is a function, call it as now(…) at 1:8'],
    ['{{ upper(x) }}', 'unknown function `upper`: `upper` is a filter, write value | upper at 1:4'],
    ['{{ frobnicate() }}', 'unknown function `frobnicate` at 1:4'],
  ])('%s', (template, message) => {
    expect(checkTemplate(template).map((e) => e.message)).toEqual([message]);
  });

  test('every unknown function is reported, wherever it is nested', () => {
    const template =
      "{% if a(1) %}{% for x in b() %}{{ [c(), {'k': x | default(d())}] }}{% endfor %}{% endif %}";
    expect(checkTemplate(template).map((e) => e.message)).toEqual([
      'unknown function `a` at 1:7',
      'unknown function `b` at 1:26',
      'unknown function `c` at 1:36',
      'unknown function `d` at 1:59',
    ]);
  });

  test('every function and filter of Kestra and Pebble is known', () => {
    const functions = [
      'now',
      'json',
      'fromJson',
      'currentEachOutput',
      'secret',
      'kv',
      'read',
      'fileURI',
      'render',
      'renderOnce',
      'encrypt',
      'decrypt',
      'yaml',
      'printContext',
      'fetchContext',
      'uuid',
      'id',
      'fromIon',
      'fileSize',
      'errorLogs',
      'randomInt',
      'max',
      'min',
      'range',
    ];
    const filters = [
      'chunk',
      'className',
      'date',
      'dateAdd',
      'timestamp',
      'timestampMicro',
      'timestampNano',
      'jq',
      'escapeChar',
      'json',
      'toJson',
      'keys',
      'number',
      'urldecode',
      'slugify',
      'substringBefore',
      'substringBeforeLast',
      'substringAfter',
      'substringAfterLast',
      'flatten',
      'indent',
      'nindent',
      'yaml',
      'startsWith',
      'endsWith',
      'values',
      'toIon',
      'sha1',
      'sha512',
      'md5',
      'numberFormat',
      'replace',
      'abbreviate',
      'abs',
      'capitalize',
      'default',
      'first',
      'join',
      'last',
      'lower',
      'slice',
      'sort',
      'rsort',
      'reverse',
      'title',
      'trim',
      'upper',
      'urlencode',
      'length',
      'merge',
      'split',
      'base64encode',
      'base64decode',
      'sha256',
    ];
    const tests = ['empty', 'even', 'odd', 'iterable', 'map', 'null', 'defined', 'json'];
    const template = [
      ...functions.map((f) => `{{ ${f}() }}`),
      ...filters.map((f) => `{{ x | ${f} }}`),
      ...tests.map((t) => `{{ x is ${t} }}`),
    ].join('\n');
    expect(checkTemplate(template)).toEqual([]);
  });
});
