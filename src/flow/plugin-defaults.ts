// pluginDefaults (older name: taskDefaults): property values for every task or trigger of a type, or of
// all types under a package prefix. A task's own values win unless the default is `forced`.
import type { Node } from 'yaml';
import { isRecord } from './values.js';

export interface PluginDefaultSource {
  type: string;
  forced: boolean;
  values: Record<string, unknown>;
  /** the YAML node of `values`, so that a bad default value is reported where it is written */
  node: Node;
}

/** Whether a default for `type` applies to a plugin known under `names` (canonical name and aliases). */
export function appliesTo(type: string, names: readonly string[]): boolean {
  return names.some((name) => name === type || name.startsWith(`${type}.`));
}

/** Maps are merged key by key, any other value of `over` replaces the one of `base`. */
function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = merged[key];
    merged[key] = isRecord(current) && isRecord(value) ? merge(current, value) : value;
  }
  return merged;
}

/** The properties of a plugin once the defaults that apply to it are filled in, in declaration order. */
export function applyDefaults(
  own: Record<string, unknown>,
  defaults: readonly PluginDefaultSource[],
): Record<string, unknown> {
  return defaults.reduce((props, d) => (d.forced ? merge(props, d.values) : merge(d.values, props)), own);
}
