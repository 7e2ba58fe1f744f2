// What tasks and triggers have in common: a map with an `id` and a `type` from the catalog, fields the
// loader checks for every type, properties checked by the type's own schema, pluginDefaults applied
// first, and templates checked in what the user wrote.
import { isMap, isNode, isScalar, type Node, type YAMLMap } from 'yaml';
import type { z } from 'zod';
import { closestName } from '../expression/names.js';
import type { LoadContext, UniqueIds } from './context.js';
import { check } from './issues.js';
import { applyDefaults, appliesTo } from './plugin-defaults.js';
import { Locator } from './positions.js';
import { isRecord } from './values.js';

export interface PluginSpec {
  type: string;
  aliases: string[];
  properties: z.ZodType;
}

export interface PluginKind<S extends PluginSpec, C extends z.ZodType> {
  noun: 'task' | 'trigger';
  find(name: string): S | undefined;
  /** every name a type of this kind is known by, for "did you mean" */
  names(): readonly string[];
  /** fields every type of this kind takes, checked here rather than by each type's schema */
  common: C;
  commonKeys: ReadonlySet<string>;
  ids(ctx: LoadContext): UniqueIds;
  /** keys whose values are not templates (ids, types, descriptions, nested tasks checked on their own) */
  untemplated(key: string, spec: S | undefined): boolean;
}

export interface CheckedPlugin<S extends PluginSpec, C extends z.ZodType> {
  node: YAMLMap;
  spec: S | undefined;
  locator: Locator;
  /** undefined when invalid (the reasons are reported) */
  common: z.output<C> | undefined;
  properties: Record<string, unknown> | undefined;
}

function partition(props: Record<string, unknown>, keys: ReadonlySet<string>) {
  const common: Record<string, unknown> = {};
  const specific: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(props)) (keys.has(key) ? common : specific)[key] = value;
  return [common, specific] as const;
}

/** Keys of a task or trigger that are names, never templates, so they are not syntax-checked. */
export const UNTEMPLATED_KEYS: ReadonlySet<string> = new Set(['id', 'type', 'description']);

export function checkPlugin<S extends PluginSpec, C extends z.ZodType>(
  node: Node | null | undefined,
  kind: PluginKind<S, C>,
  ctx: LoadContext,
): CheckedPlugin<S, C> | undefined {
  if (!isMap(node)) {
    ctx.errors.add(ctx.positions.of(node), `a ${kind.noun} must be a map with at least 'id' and 'type'`);
    return undefined;
  }
  const own: unknown = node.toJS(ctx.doc);
  if (!isRecord(own)) return undefined;
  const spec = typeof own.type === 'string' ? kind.find(own.type) : undefined;
  const defaults = spec ? ctx.defaults.filter((d) => appliesTo(d.type, [spec.type, ...spec.aliases])) : [];
  const props = applyDefaults(own, defaults);
  const locator = new Locator(ctx.positions, [node, ...defaults.map((d) => d.node)]);
  const label = typeof own.id === 'string' ? `${kind.noun} '${own.id}'` : kind.noun;
  const where = { locator, errors: ctx.errors, label };

  const [commonPart, specific] = partition(props, kind.commonKeys);
  const common = check(kind.common, commonPart, where);
  if (typeof own.id === 'string') kind.ids(ctx).claim(own.id, locator.value(['id']));
  if (typeof props.type === 'string' && !spec) {
    const suggestion = closestName(props.type, kind.names());
    ctx.errors.add(
      locator.value(['type']),
      `unknown ${kind.noun} type '${props.type}'${suggestion ? ` (did you mean '${suggestion}'?)` : ''}`,
    );
  }
  const parsed: unknown = spec ? check(spec.properties, specific, where) : undefined;

  for (const pair of node.items) {
    if (isScalar(pair.key) && isNode(pair.value) && !kind.untemplated(String(pair.key.value), spec)) {
      ctx.checkTemplates(pair.value);
    }
  }
  return { node, spec, locator, common, properties: isRecord(parsed) ? parsed : undefined };
}
