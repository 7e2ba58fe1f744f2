// How a connector spec's Airbyte keywords show in the form: `order` orders the fields, `airbyte_secret`
// makes a password field (a masked text area when `multiline`), `multiline` a text area, `examples` a
// placeholder. A `const` (the tag that tells a oneOf's options apart) is hidden: the option's select
// says it already. No object offers to add fields of the user's own: specs stay open for older
// configurations, not for inventing keys.
import type { UiSchema } from '@rjsf/utils';

interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  oneOf?: Schema[];
  anyOf?: Schema[];
  items?: Schema | Schema[];
  order?: number;
  const?: unknown;
  examples?: unknown[];
  airbyte_secret?: boolean;
  multiline?: boolean;
}

export function uiSchemaOf(schema: Schema): UiSchema {
  const ui: UiSchema = {};
  if (schema.const !== undefined) ui['ui:widget'] = 'hidden';
  else if (schema.multiline === true) {
    // a password field would flatten a PEM certificate's lines: a text area, its text masked
    ui['ui:widget'] = 'textarea';
    if (schema.airbyte_secret === true) ui['ui:classNames'] = 'secret-text';
  } else if (schema.airbyte_secret === true) ui['ui:widget'] = 'password';
  if (Array.isArray(schema.examples) && schema.examples.length > 0) {
    ui['ui:placeholder'] = String(schema.examples[0]);
  }

  // an object's fields are its own and those of its oneOf / anyOf options, each ordered by `order`
  const fields = new Map<string, Schema[]>();
  for (const variant of [schema, ...(schema.oneOf ?? []), ...(schema.anyOf ?? [])]) {
    for (const [key, property] of Object.entries(variant.properties ?? {})) {
      fields.set(key, [...(fields.get(key) ?? []), property]);
    }
  }
  if (schema.type === 'object' || fields.size > 0) {
    ui['ui:options'] = { expandable: false };
    const rank = (key: string) =>
      Math.min(...fields.get(key)!.map((p) => (typeof p.order === 'number' ? p.order : Infinity)));
    ui['ui:order'] = [...[...fields.keys()].sort((a, b) => rank(a) - rank(b)), '*'];
    for (const [key, variants] of fields) {
      const field: UiSchema = Object.assign({}, ...variants.map(uiSchemaOf));
      if (Object.keys(field).length > 0) ui[key] = field;
    }
  }
  if (schema.items && !Array.isArray(schema.items)) ui.items = uiSchemaOf(schema.items);
  return ui;
}
