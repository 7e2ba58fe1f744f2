import { describe, expect, it } from 'vitest';
import {
  interpolate,
  interpolateBoolean,
  interpolateMapping,
  interpolateString,
} from '../../../../src/connectors/declarative/interpolation/interpolate.js';
import { LIMITS, renderTemplate } from '../../../../src/connectors/declarative/interpolation/jinja.js';
import { literalOrText } from '../../../../src/connectors/declarative/interpolation/py-values.js';
import {
  isoparse,
  parseDuration,
  strftime,
  strptime,
} from '../../../../src/connectors/declarative/interpolation/py-time.js';

const config = { start_date: '2024-01-15T10:20:30Z', api_key: 'k', page_size: 50, nested: { a: [1, 2] } };

describe('literal_eval of the rendered text', () => {
  it('turns Python literals into values', () => {
    expect(literalOrText('123')).toBe(123);
    expect(literalOrText('1.5')).toBe(1.5);
    expect(literalOrText('True')).toBe(true);
    expect(literalOrText('None')).toBe(null);
    expect(literalOrText("{'a': [1, 'x'], 'b': None}")).toEqual({ a: [1, 'x'], b: null });
    expect(literalOrText('(1, 2)')).toEqual([1, 2]);
  });
  it('leaves text that is not a literal as text', () => {
    expect(literalOrText('2024-01-15')).toBe('2024-01-15');
    expect(literalOrText('007')).toBe('007');
    expect(literalOrText('hello world')).toBe('hello world');
    expect(literalOrText('1-2')).toBe('1-2');
  });
});

describe('jinja rendering', () => {
  it('reads config by item and by attribute', () => {
    expect(interpolate("{{ config['api_key'] }}", { config })).toBe('k');
    expect(interpolate('{{ config.page_size }}', { config })).toBe(50);
    expect(interpolate('{{ config.nested.a[1] }}', { config })).toBe(2);
  });
  it('calls dict.get with a default', () => {
    expect(interpolate("{{ config.get('missing', 'dflt') }}", { config })).toBe('dflt');
    expect(interpolate("{{ config.get('api_key') }}", { config })).toBe('k');
  });
  it('evaluates inline if/else', () => {
    expect(interpolate("{{ 'a' if config.page_size > 10 else 'b' }}", { config })).toBe('a');
    expect(interpolate("{{ 'a' if not config.page_size else 'b' }}", { config })).toBe('b');
  });
  it('runs if, for and set blocks', () => {
    const t =
      '{% set xs = config.nested.a %}{% for x in xs %}{{ x }}{% if not loop.last %},{% endif %}{% endfor %}';
    expect(renderTemplate(t, { config })).toBe('1,2');
    expect(
      renderTemplate('{%- if config.x is defined -%} yes {%- else -%} no {%- endif %}', { config }),
    ).toBe('no');
  });
  it('applies the filters manifests use', () => {
    expect(interpolate("{{ '42' | int + 1 }}", {})).toBe(43);
    expect(interpolate('{{ config.nested.a | length }}', { config })).toBe(2);
    expect(interpolate("{{ config.missing | default('d') }}", { config })).toBe('d');
    expect(interpolate("{{ 'user:pw' | base64encode }}", {})).toBe('dXNlcjpwdw==');
    expect(interpolate("{{ 'abc-123' | regex_search('(\\d+)') }}", {})).toBe(123);
    expect(interpolate("{{ 'x' | hash('md5') }}", {})).toBe('9dd4e461268c8034f5c8564e155c67a6');
    // `string` keeps JSON text a string through literal_eval
    expect(interpolate('{{ config.nested | string }}', { config })).toBe('{"a": [1, 2]}');
  });
  it('formats dates as Python does', () => {
    expect(interpolate("{{ str_to_datetime(config.start_date).strftime('%Y-%m-%d') }}", { config })).toBe(
      '2024-01-15',
    );
    expect(interpolate("{{ format_datetime(config.start_date, '%s') }}", { config })).toBe(1705314030);
    expect(
      interpolate("{{ (str_to_datetime('2024-03-31') - duration('P1M')).strftime('%Y-%m-%d') }}", {}),
    ).toBe('2024-02-29');
    expect(interpolate("{{ str_to_datetime('2024-01-01') + duration('PT36H') }}", {})).toBe(
      '2024-01-02 12:00:00+00:00',
    );
    expect(interpolate("{{ timestamp('2024-01-01T00:00:00Z') }}", {})).toBe(1704067200);
    expect(interpolate('{{ max(1, 5, 3) }}', {})).toBe(5);
    const today = interpolate('{{ today_utc() }}', {});
    expect(today).toBe(new Date().toISOString().slice(0, 10));
    const now = interpolate("{{ now_utc().strftime('%Y') }}", {});
    expect(now).toBe(new Date().getUTCFullYear());
  });
  it('prints dicts, lists, None and booleans as Python does before literal_eval', () => {
    expect(renderTemplate('{{ x }}|{{ y }}|{{ z }}', { x: { a: 'b' }, y: null, z: true })).toBe(
      "{'a': 'b'}|None|True",
    );
  });
  it('falls back to the default when the rendering is empty or looks into something undefined', () => {
    expect(interpolate("{{ config['missing'] }}", { config }, 'fallback')).toBe('fallback');
    expect(interpolate('{{ config.missing.deeper }}', { config }, '7')).toBe(7);
    expect(interpolate("{{ config['missing'] }}", { config })).toBe(null);
  });
  it('aliases stream_slice as stream_interval and stream_partition', () => {
    const ctx = { stream_slice: { start_time: 's', parent_id: 3 } };
    expect(interpolate('{{ stream_interval.start_time }}', ctx)).toBe('s');
    expect(interpolate('{{ stream_partition.parent_id }}', ctx)).toBe(3);
  });
  it('keeps a plain string as it is, without literal_eval', () => {
    expect(interpolateString('123', {})).toBe('123');
    expect(interpolateString('{{ 123 }}', {})).toBe(123);
  });
  it('evaluates booleans and mappings as the CDK does', () => {
    expect(interpolateBoolean('{{ response.next is not none }}', { response: { next: null } })).toBe(false);
    expect(interpolateBoolean('{{ response.data | length == 0 }}', { response: { data: [] } })).toBe(true);
    expect(interpolateMapping({ limit: '100', q: '{{ config.api_key }}' }, { config })).toEqual({
      limit: 100,
      q: 'k',
    });
  });
  it('exposes no JavaScript object or constructor', () => {
    expect(() => interpolate("{{ ''.constructor }}", {})).not.toThrow();
    expect(interpolate("{{ ''.constructor }}", {})).toBe(null);
    expect(() => interpolate("{{ config.constructor('x') }}", { config })).toThrow(/not a function/);
    expect(() => interpolate('{{ range(10) }}', {})).toThrow(/not a function/);
  });
  it('stops a template that costs too much', () => {
    const big = { xs: Array.from({ length: 1000 }, (_, i) => i) };
    const t = '{% for a in xs %}{% for b in xs %}{{ a }}{% endfor %}{% endfor %}';
    expect(() => renderTemplate(t, big)).toThrow(new RegExp(`over ${LIMITS.steps} steps`));
    expect(() => renderTemplate("{{ 'x' * 10000000 }}", {})).toThrow(/too large/);
  });
});

describe('python datetime', () => {
  it('parses and formats with strptime / strftime', () => {
    const d = strptime('2024-02-05T12:00:00Z', '%Y-%m-%dT%H:%M:%SZ');
    expect(strftime(d, '%Y-%m-%d %H:%M:%S.%f')).toBe('2024-02-05 12:00:00.000000');
    const z = strptime('2024-02-05T12:00:00.123+02:00', '%Y-%m-%dT%H:%M:%S.%f%z');
    expect(z.timestamp()).toBe(Date.parse('2024-02-05T10:00:00.123Z') / 1000);
    expect(strftime(z, '%z')).toBe('+0200');
    expect(() => strptime('2024-02-05', '%Y-%m-%dT%H')).toThrow(/does not match/);
  });
  it('parses ISO dates and durations', () => {
    expect(isoparse('2024-01-01').isoformat()).toBe('2024-01-01T00:00:00+00:00');
    expect(String(parseDuration('P1DT2H'))).toBe('1 day, 2:00:00');
  });
});
