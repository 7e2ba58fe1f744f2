// Walks the flow's JSON Schema (served by /api/v1/plugins/schemas/flow) along a YAML path, choosing
// among a task's or trigger's variants by the `type` written beside it.
import { api } from '../api';
import type { Segment } from './yaml-context';

export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  title?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  required?: string[];
  $defs?: Record<string, JsonSchema>;
}

let loading: Promise<JsonSchema> | undefined;

export function flowJsonSchema(): Promise<JsonSchema> {
  loading ??= api<JsonSchema>('/api/v1/plugins/schemas/flow').catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

export function deref(schema: JsonSchema | undefined, root: JsonSchema): JsonSchema {
  let s = schema ?? {};
  for (let hops = 0; s.$ref && hops < 10; hops++) s = root.$defs?.[s.$ref.replace('#/$defs/', '')] ?? {};
  return s;
}

export const variants = (s: JsonSchema, root: JsonSchema) =>
  (s.anyOf ?? s.oneOf ?? []).map((v) => deref(v, root));

/** The names a variant answers to in its `type` property. */
export function typeNames(variant: JsonSchema): string[] {
  const type = variant.properties?.type;
  if (!type) return [];
  return [...(type.enum ?? []), ...(type.const !== undefined ? [type.const] : [])].map(String);
}

/** The variant for `type` merged over the common part, or the schema as it is. */
function pick(schema: JsonSchema, root: JsonSchema, type: string | undefined): JsonSchema {
  const s = deref(schema, root);
  const chosen = type === undefined ? undefined : variants(s, root).find((v) => typeNames(v).includes(type));
  return chosen ? { ...s, ...chosen, properties: { ...s.properties, ...chosen.properties } } : s;
}

function child(s: JsonSchema, root: JsonSchema, segment: Segment): JsonSchema | undefined {
  const among = [s, ...variants(s, root)];
  for (const candidate of among) {
    if (typeof segment === 'number' && candidate.items) return candidate.items;
    if (typeof segment === 'string') {
      const property = candidate.properties?.[segment];
      if (property) return property;
      if (typeof candidate.additionalProperties === 'object') return candidate.additionalProperties;
    }
  }
  return undefined;
}

/** The schema of the mapping at `path` (unresolved: its variants are still there), or undefined. */
export function schemaAt(
  root: JsonSchema,
  path: Segment[],
  typeAt: Array<string | undefined>,
): JsonSchema | undefined {
  let s: JsonSchema | undefined = root;
  for (let i = 0; i < path.length && s; i++) s = child(pick(s, root, typeAt[i]), root, path[i]);
  return s && deref(s, root);
}

export { pick as variantFor };
