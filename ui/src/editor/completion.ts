// Completion of keys, task and trigger types and enum values from the flow's JSON Schema.
import type { Completion, CompletionContext, CompletionResult } from '@codemirror/autocomplete';
import { deref, flowJsonSchema, schemaAt, typeNames, variantFor, variants, type JsonSchema } from './schema';
import { cursorContext } from './yaml-context';

function describeType(s: JsonSchema): string | undefined {
  if (s.enum) return 'enum';
  if (Array.isArray(s.type)) return s.type.join(' | ');
  if (s.type) return s.type;
  const alternatives = (s.anyOf ?? []).map((a) => a.type).filter((t) => t && t !== 'null');
  return alternatives.length > 0 ? alternatives.flat().join(' | ') : undefined;
}

function keyOptions(mapping: JsonSchema, root: JsonSchema, type: string | undefined, present: Set<string>) {
  const resolved = variantFor(mapping, root, type);
  const required = new Set(resolved.required ?? []);
  return Object.entries(resolved.properties ?? {})
    .filter(([key]) => !present.has(key))
    .map(([key, property]): Completion => {
      const s = deref(property, root);
      return {
        label: key,
        type: 'property',
        detail: describeType(s),
        info: s.description,
        apply: `${key}: `,
        boost: required.has(key) ? 2 : key === 'id' || key === 'type' ? 1 : 0,
      };
    });
}

function valueOptions(mapping: JsonSchema, root: JsonSchema, type: string | undefined, key: string) {
  // `type` of a task or trigger: every name of every variant, described by its variant
  if (key === 'type' && variants(mapping, root).length > 0) {
    return variants(mapping, root).flatMap((variant) =>
      typeNames(variant).map((name, i): Completion => ({
        label: name,
        type: 'type',
        detail: i === 0 ? undefined : `= ${typeNames(variant)[0]}`,
        info: variant.description,
        boost: i === typeNames(variant).length - 1 ? 1 : 0,
      })),
    );
  }
  const property = deref(variantFor(mapping, root, type).properties?.[key], root);
  const values = [property, ...variants(property, root)].flatMap((s) => [
    ...(s.enum ?? []),
    ...(s.const !== undefined ? [s.const] : []),
    ...(s.type === 'boolean' ? [true, false] : []),
  ]);
  return [...new Set(values.map(String))].map((v): Completion => ({ label: v, type: 'enum' }));
}

export async function completeFlow(context: CompletionContext): Promise<CompletionResult | null> {
  const at = cursorContext(context.state.doc.toString(), context.pos);
  if (!at) return null;
  if (at.from === context.pos && !context.explicit && at.kind === 'key') {
    // on an empty key position, offer only when asked or after a dash (a new list item)
    const lineText = context.state.doc.lineAt(context.pos).text;
    if (!/-\s*$/.test(lineText.slice(0, context.pos - context.state.doc.lineAt(context.pos).from)))
      return null;
  }
  const root = await flowJsonSchema();
  const mapping = schemaAt(root, at.path, at.typeAt);
  if (!mapping) return null;
  const type = at.typeAt[at.path.length];
  const options =
    at.kind === 'key'
      ? keyOptions(mapping, root, type, at.present)
      : valueOptions(mapping, root, type, at.key ?? '');
  return options.length > 0 ? { from: at.from, options, validFor: /^[\w.-]*$/ } : null;
}
