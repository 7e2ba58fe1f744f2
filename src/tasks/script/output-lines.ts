import type { LogLevel } from '../types.js';

// Kestra's script protocol: a line that is exactly `::{json}::` carries outputs, logs or metrics
// instead of text to log, e.g. `::{"outputs":{"rows":42}}::`.

const PROTOCOL_LINE = /^::(\{.*\})::$/;
const LEVELS: ReadonlySet<string> = new Set<LogLevel>(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR']);

export interface ProtocolLog {
  level: LogLevel;
  message: string;
}

export interface ProtocolMessage {
  outputs?: Record<string, unknown>;
  logs: ProtocolLog[];
}

/** The message a protocol line carries, or undefined for an ordinary line. A line that looks like the
 * protocol but is not valid JSON, or not an object, counts as ordinary so that it is logged as-is. */
export function parseProtocolLine(line: string): ProtocolMessage | undefined {
  const match = PROTOCOL_LINE.exec(line);
  if (!match) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(match[1]);
  } catch {
    return undefined;
  }
  if (!isPlainObject(data)) return undefined;
  const outputs = data.outputs;
  if (outputs !== undefined && outputs !== null && !isPlainObject(outputs)) return undefined;
  const logs = data.logs;
  if (logs !== undefined && logs !== null && !Array.isArray(logs)) return undefined;
  // `metrics` are accepted (the line is not logged) but not recorded yet: there is no metric store.
  return {
    outputs: outputs ?? undefined,
    logs: (logs ?? []).map(toLog),
  };
}

function toLog(entry: unknown): ProtocolLog {
  if (!isPlainObject(entry)) return { level: 'INFO', message: JSON.stringify(entry) };
  const level = typeof entry.level === 'string' ? entry.level.toUpperCase() : 'INFO';
  const message = typeof entry.message === 'string' ? entry.message : JSON.stringify(entry.message ?? '');
  return { level: LEVELS.has(level) ? (level as LogLevel) : 'INFO', message };
}

/** Merges source into target, recursing into objects present on both sides; anything else in source
 * (arrays included) replaces. Keys are defined rather than assigned, so a `__proto__` key coming from
 * a script's JSON stays plain data and never reaches a prototype. */
export function deepMerge(
  target: Record<string, unknown>,
  source: Record<string, unknown>,
): Record<string, unknown> {
  for (const [key, value] of Object.entries(source)) {
    const existing = Object.hasOwn(target, key) ? target[key] : undefined;
    const merged = isPlainObject(existing) && isPlainObject(value) ? deepMerge(existing, value) : value;
    Object.defineProperty(target, key, {
      value: merged,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return target;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
