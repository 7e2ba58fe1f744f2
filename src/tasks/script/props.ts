// Reading task properties after rendering. A template renders to a string, so a property that should
// be a boolean or a number may arrive as "true" or "3"; those are accepted, anything else fails the
// task with a message naming the property.

export type Props = Readonly<Record<string, unknown>>;

export function requiredString(props: Props, name: string): string {
  const value = props[name];
  if (value === undefined || value === null || value === '')
    throw new Error(`property '${name}' is required`);
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new Error(`property '${name}' must be a string, got ${describe(value)}`);
  }
  return String(value);
}

export function optionalString(props: Props, name: string): string | undefined {
  const value = props[name];
  return value === undefined || value === null ? undefined : requiredString(props, name);
}

/** A list of strings; a single string counts as a list of one. */
export function stringList(props: Props, name: string): string[] {
  const value = props[name];
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value : [value];
  return items.map((item) => {
    if (typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean')
      return String(item);
    throw new Error(`property '${name}' must be a list of strings, got an item that is ${describe(item)}`);
  });
}

export function booleanProp(props: Props, name: string, fallback: boolean): boolean {
  const value = props[name];
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new Error(`property '${name}' must be true or false, got ${describe(value)}`);
}

/** A map of names to strings; numbers and booleans are written as text, objects and lists as JSON. */
export function stringMap(props: Props, name: string): Record<string, string> {
  const value = props[name];
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`property '${name}' must be a map, got ${describe(value)}`);
  }
  const map: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) {
    if (item === undefined || item === null) continue;
    map[key] =
      typeof item === 'string' ? item : typeof item === 'object' ? JSON.stringify(item) : String(item);
  }
  return map;
}

export function objectProp(props: Props, name: string): Props {
  const value = props[name];
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`property '${name}' must be a map, got ${describe(value)}`);
  }
  return value as Props;
}

/** The named properties of a task, rendered: only those, so that nothing else in the task definition
 * (nested tasks, retry, …) is rendered by a task that does not own it. */
export async function renderProps(
  task: Readonly<Record<string, unknown>>,
  names: readonly string[],
  render: (value: unknown) => Promise<unknown>,
): Promise<Props> {
  const picked: Record<string, unknown> = {};
  for (const name of names) if (task[name] !== undefined) picked[name] = task[name];
  return (await render(picked)) as Props;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a map' : `${typeof value} ${JSON.stringify(value)}`;
}
