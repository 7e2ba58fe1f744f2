// Triggers: an id and a known trigger type, whose schema checks the rest.
import { isNode, isSeq, type Node } from 'yaml';
import { z } from 'zod';
import { findTriggerType, triggerTypeNames } from '../tasks/catalog.js';
import type { TriggerTypeSpec } from '../tasks/spec.js';
import type { LoadContext } from './context.js';
import type { TriggerDef } from './model.js';
import { checkPlugin, type PluginKind, UNTEMPLATED_KEYS } from './plugins.js';
import { taskId } from './tasks.js';

const common = z.strictObject({ id: taskId(), type: z.string().min(1) });

const TRIGGER: PluginKind<TriggerTypeSpec, typeof common> = {
  noun: 'trigger',
  find: findTriggerType,
  names: triggerTypeNames,
  common,
  commonKeys: new Set(Object.keys(common.shape)),
  ids: (ctx) => ctx.triggerIds,
  untemplated: (key) => UNTEMPLATED_KEYS.has(key),
};

function checkTrigger(node: Node | null, ctx: LoadContext): TriggerDef | undefined {
  const checked = checkPlugin(node, TRIGGER, ctx);
  if (!checked?.spec || !checked.common || !checked.properties) return undefined;
  return { ...checked.common, ...checked.properties, type: checked.spec.type };
}

export function checkTriggers(node: Node | undefined, ctx: LoadContext): TriggerDef[] | undefined {
  if (!isSeq(node)) return node ? undefined : [];
  const triggers = node.items.map((item) => checkTrigger(isNode(item) ? item : null, ctx));
  return triggers.every((trigger) => trigger !== undefined) ? triggers : undefined;
}
