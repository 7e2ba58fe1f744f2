// A connector configuration checked against its spec's `connectionSpecification` (JSON Schema, draft
// 7), with the spec's defaults filled in. Airbyte's UI keywords are declared as known, so ajv's strict
// mode still catches real typos in a spec (`requried`) while accepting what every Airbyte spec has.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { JsonObject } from './messages.js';

// ajv-formats is CommonJS: under NodeNext its default import is the module object
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

/** Keywords Airbyte specs use for their forms and secrets; none of them constrains a value. */
export const AIRBYTE_KEYWORDS = [
  'airbyte_secret',
  'airbyte_hidden',
  'always_show',
  'order',
  'group',
  'groups',
  'display_type',
  'multiline',
  'pattern_descriptor',
  'is_auth',
  'path_in_connector_config',
  'path_in_oauth_response',
  'examples_description',
  'x-speakeasy-param-sensitive',
  // OpenAPI's singular of `examples`, which some connectors' specs use (Faros' destination does)
  'example',
] as const;

export type ConfigValidation = { ok: true; config: JsonObject } | { ok: false; errors: string[] };

let ajv: Ajv | undefined;

/** Where ajv reports strict-mode findings once `strictSchema` is "log": each one refuses the spec,
 * except a default inside a oneOf / anyOf branch. Airbyte specs give each choice of a oneOf its own
 * defaults (Faros' destination does); ajv cannot apply them there, and the spec is valid as it is. */
const strictFindings = {
  log: console.log,
  warn(message: string): void {
    if (!message.startsWith('strict mode: default is ignored for:')) throw new Error(message);
  },
  error: console.error,
};

function validator(): Ajv {
  if (ajv) return ajv;
  ajv = new Ajv({
    allErrors: true,
    useDefaults: true,
    strictSchema: 'log',
    logger: strictFindings,
    // Airbyte specs put `required` in oneOf branches, mix types freely and write tuples loosely:
    // valid JSON Schema that these strict checks would refuse
    strictRequired: false,
    strictTypes: false,
    strictTuples: false,
    allowUnionTypes: true,
  });
  addFormats(ajv);
  ajv.addVocabulary([...AIRBYTE_KEYWORDS]);
  return ajv;
}

/** Compiled validators by the spec's text. Compiling a spec such as destination-postgres's costs tens
 * of milliseconds, and one sync validates each side's configuration several times (the platform, then
 * each call of a connector run in process): a fifth of a `flow run` sync's time before its first
 * record. Bounded, as a long-lived worker meets any number of specs. */
const compiled = new Map<string, ValidateFunction>();
const COMPILED_MAX = 32;

/** Validates a copy of `config` (the caller's object is left alone) and returns it with defaults. */
export function validateConfig(connectionSpecification: JsonObject, config: unknown): ConfigValidation {
  // a fresh object without `$id`, removed from ajv's cache once compiled: a long-lived worker
  // validates many configs and ajv would otherwise keep every schema, or refuse a repeated `$id`
  const { $id: _id, ...schema } = connectionSpecification;
  const key = JSON.stringify(schema);
  let validate = compiled.get(key);
  try {
    if (!validate) {
      validate = validator().compile(schema);
      validator().removeSchema(schema);
      if (compiled.size >= COMPILED_MAX) compiled.delete(compiled.keys().next().value!);
      compiled.set(key, validate);
    }
  } catch (error) {
    return {
      ok: false,
      errors: [`the connector's spec is not a valid JSON schema: ${(error as Error).message}`],
    };
  }
  const copy: unknown = structuredClone(config);
  if (validate(copy)) return { ok: true, config: copy as JsonObject };
  return { ok: false, errors: (validate.errors ?? []).map(describeError) };
}

/** `config.port: must be integer`, with the field's own path rather than its parent's. */
export function describeError(error: ErrorObject): string {
  const path = `config${error.instancePath.split('/').slice(1).map(segment).join('')}`;
  switch (error.keyword) {
    case 'required':
      return `${path}${segment(String(error.params.missingProperty))}: is required`;
    case 'additionalProperties':
      return `${path}${segment(String(error.params.additionalProperty))}: is not allowed`;
    default:
      return `${path}: ${error.message ?? 'is invalid'}`;
  }
}

function segment(raw: string): string {
  const name = raw.replace(/~1/g, '/').replace(/~0/g, '~');
  if (/^\d+$/.test(name)) return `[${name}]`;
  return /^[A-Za-z_$][\w$]*$/.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`;
}
