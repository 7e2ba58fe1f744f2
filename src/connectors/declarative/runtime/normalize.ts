// schema_normalization: Default — the CDK's TypeTransformer (sources/utils/transform.py) gives every
// property the record has the type its stream schema declares, as Python converts: str(), float(),
// int(), strtobool; a value that does not convert stays as it is.
import { pyStr } from '../interpolation/py-values.js';

type Row = Record<string, unknown>;

const isObject = (v: unknown): v is Row => v !== null && typeof v === 'object' && !Array.isArray(v);

const TRUTHY = new Set(['y', 'yes', 't', 'true', 'on', '1']);
const FALSY = new Set(['n', 'no', 'f', 'false', 'off', '0']);
const FAILED = Symbol('does not convert');

function toNumber(v: unknown, integer: boolean): number | typeof FAILED {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return integer ? Math.trunc(v) : v;
  if (typeof v !== 'string') return FAILED;
  const text = v.trim().replace(/(\d)_(?=\d)/g, '$1');
  if (integer) return /^[+-]?\d+$/.test(text) ? Number(text) : FAILED;
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return Number(text);
  return FAILED;
}

function truthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (isObject(v)) return Object.keys(v).length > 0;
  return Boolean(v);
}

/** TypeTransformer.default_convert */
function defaultConvert(value: unknown, schema: Row): unknown {
  let type = schema.type ?? [];
  if (value === null && Array.isArray(type) && type.includes('null')) return null;
  if (Array.isArray(type)) {
    const rest = type.filter((t) => t !== 'null');
    if (rest.length !== 1) return value;
    type = rest[0];
  }
  switch (type) {
    case 'string':
      return value === null ? 'None' : pyStr(value);
    case 'number':
    case 'integer': {
      const n = toNumber(value, type === 'integer');
      return n === FAILED ? value : n;
    }
    case 'boolean': {
      if (typeof value !== 'string') return truthy(value);
      const text = value.trim().toLowerCase();
      return TRUTHY.has(text) ? true : FALSY.has(text) ? false : value;
    }
    case 'array': {
      const items = isObject(schema.items) ? schema.items.type : undefined;
      const itemTypes = Array.isArray(items) ? items : items === undefined ? [] : [items];
      const simple = ['string', 'number', 'integer', 'boolean', 'null'];
      const scalar = value === null || ['string', 'number', 'boolean'].includes(typeof value);
      return itemTypes.every((t) => simple.includes(String(t))) && scalar ? [value] : value;
    }
    default:
      return value;
  }
}

/** The properties and items of `value` normalised, depth first, as the validator walks them. */
function walk(value: unknown, schema: Row): unknown {
  if (isObject(value) && isObject(schema.properties))
    for (const [key, sub] of Object.entries(schema.properties))
      if (key in value && isObject(sub)) value[key] = walk(defaultConvert(value[key], sub), sub);
  if (Array.isArray(value) && isObject(schema.items)) {
    const sub = schema.items;
    return value.map((item) => walk(defaultConvert(item, sub), sub));
  }
  return value;
}

/** Normalises a record in place against its stream's schema. */
export function normalizeRecord(record: Row, schema: Row): Row {
  return walk(record, schema) as Row;
}
