import type { Args } from './args.js';
import { formatDate, instantOfDate } from './date.js';
import { checkLocale } from './filters-convert.js';
import { dataFunctions } from './functions-data.js';
import { platformFunctions } from './functions-platform.js';
import { Fault } from './errors.js';
import type { CallEnv, FunctionDef } from './registry.js';
import { zoneOf } from './time-zone.js';
import { type Budget, depthError } from './limits.js';
import {
  compare,
  describe,
  getMember,
  getVariable,
  isMap,
  listItems,
  MISSING,
  makeMap,
  mapEntries,
} from './values.js';

/** Pebble's range: both ends included; the size is charged to the iteration budget before anything is built. */
export function range(start: number, end: number, step: number, budget: Budget): number[] {
  if (step === 0) throw new Fault('function `range` expects a step other than 0');
  const count = (step > 0 ? end >= start : end <= start) ? Math.floor((end - start) / step) + 1 : 0;
  budget.iterate(count);
  const result = new Array<number>(count);
  for (let i = 0; i < count; i++) result[i] = start + i * step;
  return result;
}

function isTemplateText(text: string): boolean {
  return text.includes('{{') || text.includes('{%') || text.includes('{#');
}

function parseJson(args: Args): unknown {
  const text = args.required('json');
  if (text === null) return null;
  if (typeof text !== 'string') throw new Fault(`${args.owner} expects a string, got ${describe(text)}`);
  try {
    return JSON.parse(text);
  } catch {
    // JSON.parse's own message quotes the input, which may hold a secret.
    throw new Fault(`${args.owner} got invalid JSON`);
  }
}

function extreme(args: Args, sign: 1 | -1): unknown {
  const values =
    args.positional.length === 1 && Array.isArray(args.positional[0])
      ? listItems(args.positional[0])
      : args.positional;
  if (values.length === 0) throw new Fault(`${args.owner} expects at least one value`);
  return values.reduce((best, value) => (compare(value, best, args.owner) * sign > 0 ? value : best));
}

/**
 * Kestra's currentEachOutput: outputs of a task inside ForEach loops are keyed by loop value, outermost
 * first; descend by each enclosing value, then by the current task run's value.
 */
function currentEachOutput(args: Args, env: CallEnv): unknown {
  let outputs = args.required('outputs');
  if (!isMap(outputs)) throw new Fault(`${args.owner} expects a map of outputs, got ${describe(outputs)}`);
  const variables = env.variables();
  const values: unknown[] = [];
  const parents = getVariable(variables, 'parents');
  if (Array.isArray(parents)) {
    for (const parent of listItems(parents).reverse()) {
      const value = getMember(getMember(parent, 'taskrun'), 'value');
      if (value !== MISSING && value !== null) values.push(value);
    }
  }
  const own = getMember(getVariable(variables, 'taskrun'), 'value');
  if (own !== MISSING && own !== null) values.push(own);
  for (const value of values) {
    const next = getMember(outputs, value);
    if (next !== MISSING) outputs = next;
  }
  return outputs;
}

function renderText(template: string, env: CallEnv, recursive: boolean): string {
  let current = template;
  // Each pass is one more level, so a template that keeps producing other templates stops at maxDepth.
  for (let pass = 0; ; pass++) {
    if (pass >= env.budget.limits.maxDepth) throw depthError(env.budget.limits);
    const next = env.render(current);
    if (!recursive || next === current || !isTemplateText(next)) return next;
    current = next;
  }
}

/** Kestra's renderObject: strings are rendered, lists and maps have their strings rendered, the rest is kept. */
function renderValue(value: unknown, env: CallEnv, recursive: boolean): unknown {
  env.budget.step();
  if (typeof value === 'string') return renderText(value, env, recursive);
  if (Array.isArray(value)) return listItems(value).map((item) => renderValue(item, env, recursive));
  if (isMap(value)) {
    return makeMap(mapEntries(value).map(([key, item]) => [key, renderValue(item, env, recursive)]));
  }
  return value;
}

function render(args: Args, env: CallEnv): unknown {
  return renderValue(args.required('toRender'), env, args.boolean('recursive', true));
}

export const FUNCTIONS: ReadonlyMap<string, FunctionDef> = new Map<string, FunctionDef>([
  [
    'now',
    {
      args: ['format', 'timeZone', 'existingFormat', 'locale'],
      call(args, env) {
        checkLocale(args);
        const zone = zoneOf(args.optionalString('timeZone'));
        return formatDate(instantOfDate(env.now()), args.string('format', 'iso'), zone);
      },
    },
  ],
  [
    'range',
    {
      args: ['start', 'end', 'step'],
      call: (args, env) =>
        range(args.integer('start'), args.integer('end'), args.integer('step', 1), env.budget),
    },
  ],
  ['fromJson', { args: ['json'], call: parseJson }],
  ['json', { args: ['json'], call: parseJson }],
  ['jsonDecode', { args: ['json'], call: parseJson }],
  ['secret', { args: ['key'], call: (args, env) => env.secret(args.string('key')) }],
  ['render', { args: ['toRender', 'recursive'], call: render }],
  [
    'renderOnce',
    { args: ['toRender'], call: (args, env) => renderValue(args.required('toRender'), env, false) },
  ],
  // every variable of the render, as Kestra's printContext() shows them
  ['printContext', { args: [], call: (_args, env) => env.variables() }],
  ['fetchContext', { args: [], call: (_args, env) => env.variables() }],
  ['currentEachOutput', { args: ['outputs'], call: currentEachOutput }],
  [
    'errorLogs',
    {
      args: [],
      call(_args, env) {
        const logs = getVariable(env.variables(), 'errorLogs');
        return logs === MISSING || logs === null ? [] : logs;
      },
    },
  ],
  ['min', { args: [], variadic: true, call: (args) => extreme(args, -1) }],
  ['max', { args: [], variadic: true, call: (args) => extreme(args, 1) }],
  ...dataFunctions,
  ...platformFunctions,
]);
