import type { RunContext, RunnableTask } from '../types.js';

const SYSTEM_PREFIX = 'system.';

/** io.kestra.plugin.core.execution.Labels: sets labels on the running execution, from a map, a list of
 * `{key, value}` or an expression rendering to a JSON object; a key the execution (or its flow) already
 * labels takes the new value. `system.` labels are Kestra's own and refused. */
export const labelsTask: RunnableTask = {
  async run(task, ctx) {
    const labels = await labelsOf(task.labels, ctx);
    const system = Object.keys(labels).find((key) => key.startsWith(SYSTEM_PREFIX));
    if (system !== undefined) {
      throw new Error(
        `System labels can only be set by Kestra itself, offending label: ${system}=${labels[system]}`,
      );
    }
    return { labels };
  },
};

async function labelsOf(value: unknown, ctx: RunContext): Promise<Record<string, string>> {
  const labels: Record<string, string> = {};
  const set = (key: string, v: string) => {
    if (key === '') throw new Error('a label key must not be empty');
    Object.defineProperty(labels, key, { value: v, enumerable: true, writable: true, configurable: true });
  };
  if (typeof value === 'string') {
    const rendered = await ctx.renderString(value);
    let parsed: unknown;
    try {
      parsed = JSON.parse(rendered);
    } catch {
      throw new Error(`labels rendered to ${JSON.stringify(rendered.slice(0, 80))}, not a JSON object`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new Error('labels must render to a JSON object of key → value');
    }
    for (const [key, v] of Object.entries(parsed)) set(key, scalarText(v, key));
  } else if (Array.isArray(value)) {
    for (const item of value as Array<{ key: unknown; value: unknown }>) {
      set(await ctx.renderString(String(item.key)), await ctx.renderString(String(item.value)));
    }
  } else {
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      set(await ctx.renderString(key), await ctx.renderString(String(v)));
    }
  }
  return labels;
}

/** Kestra reads the JSON into a map of strings: scalars become their text, anything else is refused. */
function scalarText(value: unknown, key: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new Error(`label '${key}' must have a text value, got ${value === null ? 'null' : typeof value}`);
}
