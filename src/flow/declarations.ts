// A flow's input and output declarations, checked one by one so that each message names its input.
import { isMap, isNode, isSeq, type Node } from 'yaml';
import { type LoadContext, UniqueIds } from './context.js';
import { inputDef } from './input-defs.js';
import { check } from './issues.js';
import type { InputDef } from './model.js';
import { Locator } from './positions.js';
import { isRecord } from './values.js';

const INPUT_DEF = inputDef();

function idOf(node: Node): unknown {
  return isMap(node) ? (node.get('id') ?? node.get('name')) : undefined;
}

export function checkInputs(node: Node | undefined, ctx: LoadContext): InputDef[] | undefined {
  if (!isSeq(node)) return node ? undefined : [];
  const ids = new UniqueIds('input', ctx.errors);
  const inputs = node.items.map((item) => {
    if (!isNode(item)) return undefined;
    const id = idOf(item);
    const locator = new Locator(ctx.positions, [item]);
    if (typeof id === 'string') ids.claim(id, locator.value([isMap(item) && item.has('id') ? 'id' : 'name']));
    if (isMap(item)) ctx.checkTemplates(item.get('defaults', true));
    const label = typeof id === 'string' ? `input '${id}'` : 'input';
    return check(INPUT_DEF, item.toJS(ctx.doc), { locator, errors: ctx.errors, label });
  });
  return inputs.every((input) => input !== undefined) ? inputs : undefined;
}

/** Output ids must be unique; their values are templates. The rest is checked with the flow's schema. */
export function checkOutputs(node: Node | undefined, ctx: LoadContext): void {
  if (!isSeq(node)) return;
  const ids = new UniqueIds('output', ctx.errors);
  for (const item of node.items) {
    if (!isMap(item)) continue;
    const raw: unknown = item.toJS(ctx.doc);
    const locator = new Locator(ctx.positions, [item]);
    if (isRecord(raw) && typeof raw.id === 'string') ids.claim(raw.id, locator.value(['id']));
    ctx.checkTemplates(item.get('value', true));
  }
}
