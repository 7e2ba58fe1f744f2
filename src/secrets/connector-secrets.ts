import type { SecretCipher } from './cipher.js';

// The fields of a connector configuration that its spec marks `airbyte_secret: true`: encrypted in
// the database, masked in API answers, and accepted back masked (the stored value is kept), as
// Airbyte's API does. A field is secret when any schema that may apply to it says so: its property
// schema, in whichever oneOf/anyOf/allOf branch it is declared.

/** What an API answer shows in place of a secret field, and what an update sends to keep it. */
export const SECRET_MASK = '**********';

type Schema = Record<string, unknown>;
type Path = ReadonlyArray<string | number>;

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** The schema and every branch it combines, so that a property declared in any of them is found. */
function alternatives(schema: Schema): Schema[] {
  const out = [schema];
  for (const keyword of ['oneOf', 'anyOf', 'allOf']) {
    const branches = schema[keyword];
    if (Array.isArray(branches)) for (const b of branches) if (isObject(b)) out.push(...alternatives(b));
  }
  return out;
}

/** A copy of value in which every secret field is replaced by what `fn` returns for it. */
function mapSecretFields(
  schemas: Schema[],
  value: unknown,
  fn: (secret: unknown, path: Path) => unknown,
  path: Path = [],
): unknown {
  const all = schemas.flatMap(alternatives);
  if (Array.isArray(value)) {
    const items = all.map((s) => s.items).filter(isObject);
    return value.map((item, i) => mapSecretFields(items, item, fn, [...path, i]));
  }
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => {
      const declared = all
        .map((s) => (isObject(s.properties) ? s.properties[key] : undefined))
        .filter(isObject);
      const secret = declared.some((s) => s.airbyte_secret === true);
      return [key, secret ? fn(item, [...path, key]) : mapSecretFields(declared, item, fn, [...path, key])];
    }),
  );
}

const fieldName = (path: Path) => path.join('.');

/** The configuration as an API answer shows it. */
export function maskSecretFields(spec: Schema, config: unknown): unknown {
  return mapSecretFields([spec], config, (v) => (v === undefined || v === null ? v : SECRET_MASK));
}

/** An update's configuration with every masked secret field given back its stored value. */
export function keepMaskedSecretFields(spec: Schema, incoming: unknown, stored: unknown): unknown {
  return mapSecretFields([spec], incoming, (v, path) => {
    if (v !== SECRET_MASK) return v;
    const kept = path.reduce<unknown>(
      (node, key) =>
        isObject(node) || Array.isArray(node) ? (node as Record<string, unknown>)[key] : undefined,
      stored,
    );
    if (kept === undefined) {
      throw new Error(
        `${fieldName(path)}: the mask ${SECRET_MASK} was sent, but no value is stored for this field`,
      );
    }
    return kept;
  });
}

/** The configuration as the database keeps it: each secret field encrypted (as JSON, so that a
 * number or an object comes back as one). */
export function encryptSecretFields(spec: Schema, config: unknown, cipher: SecretCipher): unknown {
  return mapSecretFields([spec], config, (v) => (v === undefined ? v : cipher.encrypt(JSON.stringify(v))));
}

export function decryptSecretFields(spec: Schema, config: unknown, cipher: SecretCipher): unknown {
  return mapSecretFields([spec], config, (v, path) => {
    if (v === undefined) return v;
    if (typeof v !== 'string') throw new Error(`${fieldName(path)}: a stored secret field is not encrypted`);
    return JSON.parse(cipher.decrypt(v)) as unknown;
  });
}

/** The clear values of the secret fields, as text: what a sync task masks in its logs and outputs
 * (see redactInTaskRun). */
export function secretFieldValues(spec: Schema, config: unknown): string[] {
  const values: string[] = [];
  mapSecretFields([spec], config, (v) => {
    if (v !== undefined && v !== null) values.push(typeof v === 'string' ? v : JSON.stringify(v));
    return v;
  });
  return values;
}
