// The configuration fields a connector's spec marks `airbyte_secret`: found by walking the spec, shown
// as a mask, kept when an update sends the mask back, and encrypted at rest.
import type { JsonObject } from '../protocol/messages.js';

export const SECRET_MASK = '**********';

export type FieldPath = string[];

/** Paths of the secret fields present in a configuration. A spec's `oneOf` branches (Airbyte's way
 * of writing alternatives such as ssl_mode or tunnel_method) are walked too: whichever branch the
 * configuration took, its secrets are found. */
export function secretPaths(schema: unknown, config: unknown, at: FieldPath = []): FieldPath[] {
  if (!isObject(schema) || !isObject(config)) return [];
  const found: FieldPath[] = [];
  const properties = isObject(schema.properties) ? schema.properties : {};
  for (const [key, sub] of Object.entries(properties)) {
    if (!(key in config)) continue;
    const path = [...at, key];
    if (isObject(sub) && sub.airbyte_secret === true && typeof config[key] === 'string') found.push(path);
    else found.push(...secretPaths(sub, config[key], path));
  }
  for (const alternatives of [schema.oneOf, schema.anyOf, schema.allOf]) {
    if (!Array.isArray(alternatives)) continue;
    for (const branch of alternatives) found.push(...secretPaths(branch, config, at));
  }
  return dedupe(found);
}

/** A copy of the configuration with each secret replaced by the mask. */
export function masked(config: JsonObject, paths: readonly FieldPath[]): JsonObject {
  return mapPaths(config, paths, () => SECRET_MASK);
}

/** A copy with each secret turned by fn (encrypt, decrypt). */
export function mapPaths(
  config: JsonObject,
  paths: readonly FieldPath[],
  fn: (value: string) => string,
): JsonObject {
  const copy = structuredClone(config);
  for (const path of paths) {
    const parent = path
      .slice(0, -1)
      .reduce<unknown>((node, key) => (isObject(node) ? node[key] : undefined), copy);
    const key = path[path.length - 1];
    if (isObject(parent) && typeof parent[key] === 'string') parent[key] = fn(parent[key]);
  }
  return copy;
}

/** An update's configuration where every secret sent back as the mask keeps its stored clear value. */
export function keepMaskedSecrets(update: JsonObject, stored: JsonObject): JsonObject {
  const copy = structuredClone(update);
  const walk = (node: unknown, old: unknown): void => {
    if (!isObject(node) || !isObject(old)) return;
    for (const [key, value] of Object.entries(node)) {
      if (value === SECRET_MASK && typeof old[key] === 'string') node[key] = old[key];
      else walk(value, old[key]);
    }
  };
  walk(copy, stored);
  return copy;
}

/** Every clear secret value of a configuration, for redaction from logs and outputs. */
export function secretValues(config: JsonObject, paths: readonly FieldPath[]): string[] {
  const values: string[] = [];
  mapPaths(config, paths, (value) => {
    values.push(value);
    return value;
  });
  return values;
}

function dedupe(paths: FieldPath[]): FieldPath[] {
  const seen = new Set<string>();
  return paths.filter((p) => {
    const key = JSON.stringify(p);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
