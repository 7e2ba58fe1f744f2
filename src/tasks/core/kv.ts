// Kestra's io.kestra.plugin.core.kv tasks over the namespaces' KV store.
import { parseDuration } from '../../flow/duration.js';
import type { KvStore } from '../../namespaces/kv-store.js';
import {
  checkKey,
  KV_TYPES,
  type KvType,
  type TypedValue,
  typed,
  typeOf,
} from '../../namespaces/kv-values.js';
import { booleanProp, optionalString, type Props, renderProps, requiredString } from '../script/props.js';
import type { RunContext, RunnableTask } from '../types.js';

export function kvStoreOf(ctx: RunContext): KvStore {
  const kv = ctx.namespaces?.kv;
  if (!kv) throw new Error('the KV store is not available here: this worker has no database');
  return kv;
}

async function keyProps(task: Readonly<Record<string, unknown>>, ctx: RunContext, names: string[]) {
  const props = await renderProps(task, ['namespace', ...names], (value) => ctx.render(value));
  const namespace = optionalString(props, 'namespace') ?? ctx.execution.namespace;
  return { props, namespace };
}

const SINGLE_EXPRESSION = /^\s*\{\{[^]*\}\}\s*$/;

/** Kestra renders `value` typed: one expression that gives a number, a boolean, a map or a list keeps
 * that type, where any other template gives text. Rendering here always gives text, so the text of a
 * single expression is read back as JSON when it is one. */
async function renderTypedValue(raw: unknown, ctx: RunContext): Promise<unknown> {
  const rendered = await ctx.render(raw);
  if (typeof raw !== 'string' || typeof rendered !== 'string' || !SINGLE_EXPRESSION.test(raw))
    return rendered;
  try {
    const parsed: unknown = JSON.parse(rendered);
    return typeof parsed === 'string' || parsed === null ? rendered : parsed;
  } catch {
    return rendered;
  }
}

function kvType(props: Props): KvType | undefined {
  const type = optionalString(props, 'kvType');
  if (type === undefined) return undefined;
  if (!(KV_TYPES as readonly string[]).includes(type)) {
    throw new Error(`property 'kvType' must be one of ${KV_TYPES.join(', ')}, got ${JSON.stringify(type)}`);
  }
  return type as KvType;
}

/** kv.Set: stores `value` under `key`, typed by `kvType` or by the value itself. */
export const kvSetTask: RunnableTask = {
  async run(task, ctx) {
    const { props, namespace } = await keyProps(task, ctx, [
      'key',
      'overwrite',
      'ttl',
      'kvType',
      'description',
    ]);
    const key = checkKey(requiredString(props, 'key'));
    const value = await renderTypedValue(task.value, ctx);
    const type = kvType(props);
    const entry: TypedValue = type ? typed(value, type) : { type: typeOf(value), value };
    const ttl = optionalString(props, 'ttl');
    await kvStoreOf(ctx).put(namespace, key, {
      ...entry,
      ttlMs: ttl === undefined ? undefined : parseDuration(ttl),
      description: optionalString(props, 'description'),
      overwrite: booleanProp(props, 'overwrite', true),
    });
    return { outputs: {} };
  },
};

/** kv.Get: the output `value`, null for a missing key unless errorOnMissing. */
export const kvGetTask: RunnableTask = {
  async run(task, ctx) {
    const { props, namespace } = await keyProps(task, ctx, ['key', 'errorOnMissing']);
    const key = checkKey(requiredString(props, 'key'));
    const found = await kvStoreOf(ctx).get(namespace, key);
    if (!found && booleanProp(props, 'errorOnMissing', false)) {
      throw new Error(
        `No value found for key '${key}' in namespace '${namespace}' and \`errorOnMissing\` is set to true`,
      );
    }
    return { outputs: { value: found?.value ?? null } };
  },
};

/** kv.Delete: the output `deleted`; a missing key fails only with errorOnMissing. */
export const kvDeleteTask: RunnableTask = {
  async run(task, ctx) {
    const { props, namespace } = await keyProps(task, ctx, ['key', 'errorOnMissing']);
    const key = checkKey(requiredString(props, 'key'));
    const deleted = await kvStoreOf(ctx).delete(namespace, key);
    if (!deleted && booleanProp(props, 'errorOnMissing', false)) {
      throw new Error(
        `No value found for key '${key}' in namespace '${namespace}' and \`errorOnMissing\` is set to true`,
      );
    }
    return { outputs: { deleted } };
  },
};

/** kv.GetKeys: the output `keys`, those starting with `prefix` when one is given. */
export const kvGetKeysTask: RunnableTask = {
  async run(task, ctx) {
    const { props, namespace } = await keyProps(task, ctx, ['prefix']);
    const prefix = optionalString(props, 'prefix') ?? '';
    const entries = await kvStoreOf(ctx).list(namespace);
    return { outputs: { keys: entries.map((e) => e.key).filter((k) => k.startsWith(prefix)) } };
  },
};
