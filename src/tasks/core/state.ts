// Kestra's older io.kestra.plugin.core.state tasks: a map of values per name, kept in the flow's
// namespace KV store under the key Kestra's StateStore uses, `<flow>_states_<name>[_<taskrun value>]`.
import { createHash } from 'node:crypto';
import { booleanProp, optionalString, renderProps } from '../script/props.js';
import type { RunContext, RunnableTask } from '../types.js';
import { kvStoreOf } from './kv.js';

/** Kestra's Slugify.of. */
function slugify(text: string): string {
  return text
    .replace(/\s/g, '-')
    .normalize('NFD')
    .replace(/[^\w-]/g, '')
    .replace(/_/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase();
}

async function stateKey(task: Readonly<Record<string, unknown>>, ctx: RunContext) {
  const props = await renderProps(task, ['name', 'namespace', 'taskrunValue', 'errorOnMissing'], (v) =>
    ctx.render(v),
  );
  const name = optionalString(props, 'name') ?? 'default';
  // `namespace: true` shares the state between the flows of the namespace
  const flowPrefix = booleanProp(props, 'namespace', false) ? '' : `${slugify(ctx.execution.flowId)}_`;
  const value = booleanProp(props, 'taskrunValue', true) ? ctx.taskRun.value : undefined;
  // Kestra hashes the task run value (murmur3); any stable hash keeps loop iterations apart
  const suffix =
    value === undefined ? '' : `_${createHash('sha256').update(value).digest('hex').slice(0, 32)}`;
  const key = `${flowPrefix}states_${name}${suffix}`;
  return { key, errorOnMissing: booleanProp(props, 'errorOnMissing', false) };
}

async function readState(ctx: RunContext, key: string): Promise<Record<string, unknown> | undefined> {
  const found = await kvStoreOf(ctx).get(ctx.execution.namespace, key);
  if (!found) return undefined;
  const data = found.value;
  return typeof data === 'object' && data !== null && !Array.isArray(data)
    ? (data as Record<string, unknown>)
    : {};
}

/** Kestra's MapUtils.merge: maps merge key by key, at any depth; anything else is replaced. */
function merge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [key, value] of Object.entries(b)) {
    const current = out[key];
    out[key] = isMap(current) && isMap(value) ? merge(current, value) : value;
  }
  return out;
}

const isMap = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** state.Get: outputs `data` and `count`; a missing state is empty unless errorOnMissing. */
export const stateGetTask: RunnableTask = {
  async run(task, ctx) {
    const { key, errorOnMissing } = await stateKey(task, ctx);
    const data = await readState(ctx, key);
    if (!data && errorOnMissing) throw new Error(`State ${key} not found`);
    return { outputs: { count: Object.keys(data ?? {}).length, data: data ?? {} } };
  },
};

/** state.Set: merges `data` into the state; outputs `count` and the `key` it is stored under. */
export const stateSetTask: RunnableTask = {
  async run(task, ctx) {
    const { key } = await stateKey(task, ctx);
    const rendered = await ctx.render(task.data ?? {});
    if (!isMap(rendered)) throw new Error("property 'data' must be a map");
    const merged = merge((await readState(ctx, key)) ?? {}, rendered);
    await kvStoreOf(ctx).put(ctx.execution.namespace, key, { type: 'JSON', value: merged });
    return { outputs: { count: Object.keys(merged).length, key } };
  },
};

/** state.Delete: outputs `deleted`; a missing state fails only with errorOnMissing. */
export const stateDeleteTask: RunnableTask = {
  async run(task, ctx) {
    const { key, errorOnMissing } = await stateKey(task, ctx);
    const deleted = await kvStoreOf(ctx).delete(ctx.execution.namespace, key);
    if (!deleted && errorOnMissing) throw new Error(`Unable to find the state file '${key}'`);
    return { outputs: { deleted } };
  },
};
