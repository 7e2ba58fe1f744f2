// Turns zod's findings into flow errors: one wording for every schema, and a position for each.
import type { z } from 'zod';
import type { ErrorList } from './errors.js';
import type { Locator, Path } from './positions.js';
import { isRecord } from './values.js';

const MAX_SHOWN = 60;

/** How a value is quoted in messages: strings in quotes (shortened), collections by kind. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') {
    return `'${value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}…` : value}'`;
  }
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  return String(value);
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'a boolean',
  array: 'a list',
  object: 'a map',
  record: 'a map',
  map: 'a map',
  null: 'null',
};

const typeName = (expected: string): string => TYPE_NAMES[expected] ?? expected;

function sizeWord(origin: string): string {
  if (origin === 'string') return 'characters';
  if (origin === 'array' || origin === 'set') return 'items';
  return '';
}

/** The messages every flow schema is parsed with; a schema's own `error` wins over these. */
export const issueMessage: z.core.$ZodErrorMap = (issue) => {
  const got = `got ${describeValue(issue.input)}`;
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${typeName(issue.expected)}, ${got}`;
    case 'invalid_value':
      return `expected ${issue.values.length === 1 ? '' : 'one of '}${issue.values.map(String).join('|')}, ${got}`;
    case 'too_small': {
      const unit = sizeWord(issue.origin);
      if (unit && Number(issue.minimum) === 1) return 'must not be empty';
      return unit ? `must have at least ${issue.minimum} ${unit}` : `must be >= ${issue.minimum}, ${got}`;
    }
    case 'too_big': {
      const unit = sizeWord(issue.origin);
      return unit ? `must have at most ${issue.maximum} ${unit}` : `must be <= ${issue.maximum}, ${got}`;
    }
    case 'invalid_format':
      return issue.format === 'regex' && 'pattern' in issue
        ? `must match ${issue.pattern}, ${got}`
        : `expected ${issue.format}, ${got}`;
    case 'invalid_union': {
      const options = issue.inclusive === false ? undefined : issue.options;
      if (issue.discriminator !== undefined && options) {
        const chosen = isRecord(issue.input) ? issue.input[issue.discriminator] : issue.input;
        return `expected one of ${options.map(String).join('|')}, got ${describeValue(chosen)}`;
      }
      const expected = new Set(
        issue.errors.flatMap((option) =>
          option.flatMap((i) =>
            i.path.length === 0 && i.code === 'invalid_type' ? [typeName(i.expected)] : [],
          ),
        ),
      );
      return expected.size > 0 ? `expected ${[...expected].join(' or ')}, ${got}` : `invalid value, ${got}`;
    }
    default:
      return undefined;
  }
};

function valueAt(data: unknown, path: Path): unknown {
  let current = data;
  for (const step of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[step];
  }
  return current;
}

/** `tasks[0].dependsOn[1]` */
function pathName(path: Path): string {
  return path
    .map((step, i) => (typeof step === 'number' ? `[${step}]` : `${i > 0 ? '.' : ''}${String(step)}`))
    .join('');
}

export interface Where {
  locator: Locator;
  errors: ErrorList;
  /** what the value is, e.g. `task 'hello'`; prefixes every message */
  label?: string;
}

function say(where: Where, message: string): string {
  return where.label ? `${where.label}: ${message}` : message;
}

function report(issue: z.core.$ZodIssue, data: unknown, where: Where): void {
  const { locator, errors } = where;
  const path = issue.path;
  if (issue.code === 'unrecognized_keys') {
    for (const key of issue.keys) {
      errors.add(locator.key([...path, key]), say(where, `unknown property '${pathName([...path, key])}'`));
    }
    return;
  }
  // whatever a schema says about a property that is not there, the fix is to write it
  if (path.length > 0 && valueAt(data, path) === undefined) {
    errors.add(locator.value(path.slice(0, -1)), say(where, `missing required property '${pathName(path)}'`));
  } else if (path.length > 0) {
    errors.add(locator.value(path), say(where, `property '${pathName(path)}': ${issue.message}`));
  } else {
    errors.add(locator.value(path), say(where, issue.message));
  }
}

/** Parses data with schema, reporting every issue where it lies; undefined when data is invalid. */
export function check<T extends z.ZodType>(schema: T, data: unknown, where: Where): z.output<T> | undefined {
  const result = schema.safeParse(data, { error: issueMessage });
  if (result.success) return result.data;
  for (const issue of result.error.issues) report(issue, data, where);
  return undefined;
}
