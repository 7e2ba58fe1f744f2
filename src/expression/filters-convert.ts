import type { Args } from './args.js';
import { formatDate, type Instant, plus, toInstant } from './date.js';
import { Fault } from './errors.js';
import { decimalFormat, roundDecimal } from './number-format.js';
import { toJson } from './output.js';
import type { FilterDef } from './registry.js';
import { type Zone, zoneOf } from './time-zone.js';
import { describe } from './values.js';

const DATE_ARGS = ['format', 'timeZone', 'existingFormat', 'locale'] as const;

/** Dates are formatted in English only; another locale would silently give English names. */
export function checkLocale(args: Args): void {
  const locale = args.optionalString('locale');
  if (locale !== undefined && !/^en([_-]|$)/i.test(locale)) {
    throw new Fault(`${args.owner} supports only English locales, got '${locale}'`);
  }
}

function readDate(input: unknown, args: Args): [Instant, Zone] {
  checkLocale(args);
  const zone = zoneOf(args.optionalString('timeZone'));
  return [toInstant(input, zone, args.optionalString('existingFormat'), args.owner), zone];
}

function dateFilter(
  name: string,
  names: readonly string[],
  apply: (instant: Instant, zone: Zone, args: Args) => unknown,
): [string, FilterDef] {
  return [
    name,
    {
      args: names,
      apply(input, args) {
        if (input === null) return null;
        const [instant, zone] = readDate(input, args);
        return apply(instant, zone, args);
      },
    },
  ];
}

/** Seconds and milliseconds are numbers; micro- and nanoseconds pass 2^53, so they are text, as in Kestra. */
function timestamp(name: string, scale: number): [string, FilterDef] {
  return dateFilter(name, ['timeZone', 'existingFormat'], (instant) => {
    if (scale <= 1e3) return instant.seconds * scale + Math.floor((instant.nano * scale) / 1e9);
    const fraction = BigInt(Math.floor((instant.nano * scale) / 1e9));
    return (BigInt(instant.seconds) * BigInt(scale) + fraction).toString();
  });
}

// Unambiguous on purpose: `\d+\.?\d*` would backtrack quadratically on a long run of digits.
const NUMBER_TEXT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER_TYPES = new Set(['INT', 'LONG', 'BIGINTEGER']);
const DECIMAL_TYPES = new Set(['FLOAT', 'DOUBLE', 'BIGDECIMAL']);

function parseNumber(input: unknown, type: string): unknown {
  if (input === null) return null;
  const upper = type.toUpperCase();
  if (upper !== '' && !INTEGER_TYPES.has(upper) && !DECIMAL_TYPES.has(upper)) {
    throw new Fault(
      `filter \`number\` expects the type INT, LONG, FLOAT, DOUBLE, BIGDECIMAL or BIGINTEGER, got '${type}'`,
    );
  }
  let value: number;
  if (typeof input === 'number') value = input;
  else if (typeof input === 'string') {
    const text = input.trim();
    if (/^[+-]?0[xX][0-9a-fA-F]+$/.test(text)) value = Number.parseInt(text, 16);
    else if (NUMBER_TEXT.test(text)) value = Number(text);
    else
      throw new Fault(
        `filter \`number\` cannot read '${text.length > 40 ? `${text.slice(0, 40)}…` : text}' as a number`,
      );
  } else throw new Fault(`filter \`number\` expects a string, got ${describe(input)}`);
  if (INTEGER_TYPES.has(upper) && !Number.isInteger(value)) {
    throw new Fault(`filter \`number\` cannot read a decimal number as ${upper}`);
  }
  return value;
}

function numeric(
  name: string,
  args: readonly string[],
  apply: (input: number, args: Args) => unknown,
): [string, FilterDef] {
  return [
    name,
    {
      args,
      apply(input, parsed) {
        if (input === null) return null;
        if (typeof input !== 'number')
          throw new Fault(`filter \`${name}\` expects a number, got ${describe(input)}`);
        return apply(input, parsed);
      },
    },
  ];
}

/** HALF_UP on the shortest decimal form, so 1.005 | round(2) is 1.01 as people expect. */
function round(value: number, precision: number): number {
  if (!Number.isFinite(value)) return value;
  const { int, frac } = roundDecimal(value, Math.max(0, precision), 'half-up', false);
  const result = Number(`${value < 0 ? '-' : ''}${int || '0'}${frac ? `.${frac}` : ''}`);
  return Object.is(result, -0) ? 0 : result;
}

const json: FilterDef = {
  args: [],
  apply: (input, _args, env) => toJson(input, env.budget.limits.maxOutputLength),
};

const numberFormat: FilterDef = {
  args: ['format'],
  apply(input, args) {
    if (input === null) return null;
    if (typeof input !== 'number')
      throw new Fault(`filter \`numberFormat\` expects a number, got ${describe(input)}`);
    return decimalFormat(input, args.string('format', '#,##0.###'));
  },
};

export const convertFilters: [string, FilterDef][] = [
  dateFilter('date', DATE_ARGS, (instant, zone, args) =>
    formatDate(instant, args.string('format', 'iso'), zone),
  ),
  dateFilter('dateAdd', ['amount', 'unit', ...DATE_ARGS], (instant, zone, args) =>
    formatDate(
      plus(instant, args.integer('amount'), args.string('unit'), zone),
      args.string('format', 'iso'),
      zone,
    ),
  ),
  timestamp('timestamp', 1),
  timestamp('timestampMilli', 1e3),
  timestamp('timestampMicro', 1e6),
  timestamp('timestampNano', 1e9),
  ['number', { args: ['type'], apply: (input, args) => parseNumber(input, args.string('type', '')) }],
  ['numberFormat', numberFormat],
  ['numberformat', numberFormat],
  ['toJson', json],
  ['json', json],
  ['jsonEncode', json],
  numeric('abs', [], (n) => Math.abs(n)),
  numeric('round', ['precision'], (n, args) => round(n, args.integer('precision', 0))),
];
