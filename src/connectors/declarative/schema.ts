// Airbyte's declarative component schema, shipped as data (schemas/airbyte-declarative/), and the
// validator of manifests against it. Compiled once per process, on first use.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';

/** The airbyte-python-cdk release the shipped schema comes from. */
export const SCHEMA_VERSION = '7.28.2';

/** schemas/ at the package root, from both src/ and dist/. */
const SCHEMA_FILE = fileURLToPath(
  new URL('../../../schemas/airbyte-declarative/declarative_component_schema.json', import.meta.url),
);

let schema: { definitions: Record<string, unknown> } | undefined;
let validator: ValidateFunction | undefined;

export function componentSchema(): { definitions: Record<string, unknown> } {
  schema ??= JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as { definitions: Record<string, unknown> };
  return schema;
}

/** The component type names the schema defines (DeclarativeStream, CursorPagination, …). */
export function componentTypes(): Set<string> {
  return new Set(Object.keys(componentSchema().definitions));
}

/** Validation errors of a resolved manifest against the schema, most specific first (empty: valid). */
export function schemaErrors(manifest: unknown): string[] {
  if (!validator) {
    // refs kept as functions and no code optimisation: 0.6 s to compile instead of 2.2 s, every
    // connector command paying it once; validating a manifest stays well under a millisecond
    const ajv = new Ajv({
      strict: false,
      validateFormats: false,
      inlineRefs: false,
      code: { optimize: false },
    });
    validator = ajv.compile(componentSchema());
  }
  if (validator(manifest)) return [];
  return describe(validator.errors ?? []);
}

function describe(errors: ErrorObject[]): string[] {
  // under anyOf every branch reports; the deepest error is the one that names the real mistake
  const sorted = [...errors].sort((a, b) => depth(b.instancePath) - depth(a.instancePath));
  const seen = new Set<string>();
  const out: string[] = [];
  for (const e of sorted) {
    const where = e.instancePath.replace(/^\//, '').replace(/\//g, '.') || '(root)';
    const extra =
      e.keyword === 'additionalProperties'
        ? ` (${(e.params as { additionalProperty: string }).additionalProperty})`
        : e.keyword === 'enum'
          ? ` (${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')})`
          : '';
    const text = `${where}: ${e.message ?? 'invalid'}${extra}`;
    if (!seen.has(text)) out.push(text);
    seen.add(text);
    if (out.length === 3) break;
  }
  return out;
}

const depth = (path: string) => path.split('/').length;
