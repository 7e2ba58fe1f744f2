// The declaration of one input (a flow's `inputs`, a Pause task's `onResume`): which properties each
// input type takes, and that its default is a valid value of that type.
import { z } from 'zod';
import { coerceInput, misfitMessage } from './inputs.js';
import { isTemplate } from './expressions.js';
import type { InputDef, InputType } from './model.js';
import { expecting, text } from './schemas.js';

export const INPUT_TYPES = [
  'STRING',
  'INT',
  'FLOAT',
  'BOOLEAN',
  'BOOL',
  'DATETIME',
  'DATE',
  'TIME',
  'DURATION',
  'JSON',
  'YAML',
  'ARRAY',
  'ENUM',
  'SELECT',
  'MULTISELECT',
  'FILE',
  'SECRET',
  'URI',
  'EMAIL',
] as const satisfies readonly InputType[];

export const INPUT_ID = /^[a-zA-Z0-9][.a-zA-Z0-9_-]*$/;

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern, 'u');
    return true;
  } catch {
    return false;
  }
}

const length = () => z.int().min(0).optional();
const choices = () => z.array(text()).min(1);
const bound = () => z.string().optional();

const inputId = () => z.string().regex(INPUT_ID).max(100);

const base = {
  id: inputId().optional(),
  /** Kestra's older name for `id` */
  name: inputId().optional(),
  description: text().optional(),
  displayName: text().optional(),
  required: z.boolean().default(true),
  defaults: z.unknown().optional(),
  prefill: z.unknown().optional(),
  dependsOn: z.record(z.string(), z.unknown()).optional(),
};

const EXTRA: Record<InputType, z.ZodRawShape> = {
  STRING: {
    validator: z.string().refine(compiles, expecting('a regular expression')).optional(),
    minLength: length(),
    maxLength: length(),
  },
  SECRET: { validator: z.string().refine(compiles, expecting('a regular expression')).optional() },
  INT: { min: z.int().optional(), max: z.int().optional() },
  FLOAT: { min: z.number().optional(), max: z.number().optional() },
  BOOLEAN: {},
  BOOL: {},
  DATETIME: { after: bound(), before: bound() },
  DATE: { after: bound(), before: bound() },
  TIME: { after: bound(), before: bound() },
  DURATION: {},
  JSON: {},
  YAML: {},
  ARRAY: { itemType: z.enum(INPUT_TYPES) },
  ENUM: { values: choices() },
  SELECT: {
    values: choices(),
    allowCustomValue: z.boolean().optional(),
    isRadio: z.boolean().optional(),
    autoSelectFirst: z.boolean().optional(),
  },
  MULTISELECT: {
    values: choices().optional(),
    /** Kestra's older name for `values` */
    options: choices().optional(),
    allowCustomValue: z.boolean().optional(),
    autoSelectFirst: z.boolean().optional(),
  },
  FILE: { extension: z.string().optional(), allowedFileExtensions: z.array(z.string()).optional() },
  URI: {},
  EMAIL: {},
};

const [firstVariant, ...otherVariants] = INPUT_TYPES.map((type) =>
  z.strictObject({ ...base, type: z.literal(type), ...EXTRA[type] }),
);

/** A parsed declaration; the type-specific properties are only known to the schema, except the two
 * read here. */
type Declared = z.output<typeof firstVariant> & {
  values?: string[];
  options?: string[];
  [key: string]: unknown;
};

/** Each property that has an older name must be written under one of its two names. */
function requireNames(def: Declared, ctx: z.RefinementCtx): void {
  const missing = (current: string, older: string) => def[current] === undefined && def[older] === undefined;
  if (missing('id', 'name')) {
    ctx.addIssue({ code: 'custom', path: ['id'], message: 'required', input: undefined });
  }
  if (def.type === 'MULTISELECT' && missing('values', 'options')) {
    ctx.addIssue({ code: 'custom', path: ['values'], message: 'required', input: undefined });
  }
}

/** The declaration under current names only. */
function currentNames({ name, options, ...def }: Declared): InputDef {
  return {
    ...def,
    id: def.id ?? String(name),
    ...(options !== undefined && def.values === undefined && { values: options }),
  };
}

/** A value that must itself be valid for the input: its default and its date bounds. */
function checkValues(def: InputDef, ctx: z.RefinementCtx): void {
  const samples: [string, unknown][] = [
    ['defaults', def.defaults],
    ['after', def.after],
    ['before', def.before],
  ];
  for (const [key, value] of samples) {
    if (value === undefined || value === null || isTemplate(value)) continue;
    const coerced = coerceInput({ ...def, after: undefined, before: undefined }, value);
    if (!coerced.ok) {
      ctx.addIssue({ code: 'custom', path: [key], message: misfitMessage(coerced.misfit), input: value });
    }
  }
}

export const inputDef = () =>
  z
    .discriminatedUnion('type', [firstVariant, ...otherVariants])
    .superRefine(requireNames)
    .transform(currentNames)
    .superRefine(checkValues);
