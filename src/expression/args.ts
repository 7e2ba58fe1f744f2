import { Fault } from './errors.js';
import { describe, isMap, type PlainMap } from './values.js';

/**
 * Binds positional and named arguments of a filter, test or function to its declared parameter names
 * (Pebble's model: `date('yyyy', timeZone='UTC')`), with typed readers whose errors name the owner.
 */
export class Args {
  private readonly values = new Map<string, unknown>();

  constructor(
    /** e.g. "filter `date`", used in every message */
    readonly owner: string,
    names: readonly string[],
    readonly positional: unknown[],
    named: PlainMap,
    variadic = false,
  ) {
    if (!variadic && positional.length > names.length) {
      const expected =
        names.length === 0
          ? 'no arguments'
          : `at most ${names.length} argument${names.length > 1 ? 's' : ''}`;
      throw new Fault(`${owner} takes ${expected}, got ${positional.length}`);
    }
    positional.forEach((value, index) => {
      if (index < names.length) this.values.set(names[index], value);
    });
    for (const [name, value] of Object.entries(named)) {
      if (!names.includes(name)) throw new Fault(`${owner} has no argument \`${name}\``);
      if (this.values.has(name)) throw new Fault(`${owner} got argument \`${name}\` twice`);
      this.values.set(name, value);
    }
  }

  has(name: string): boolean {
    const value = this.values.get(name);
    return value !== undefined && value !== null;
  }

  get(name: string): unknown {
    return this.values.get(name) ?? null;
  }

  required(name: string): unknown {
    if (!this.values.has(name)) throw new Fault(`${this.owner} expects an argument \`${name}\``);
    return this.values.get(name);
  }

  private wrong(name: string, expected: string, value: unknown): Fault {
    return new Fault(`${this.owner} expects argument \`${name}\` to be ${expected}, got ${describe(value)}`);
  }

  string(name: string, fallback?: string): string {
    if (!this.has(name) && fallback !== undefined) return fallback;
    const value = this.required(name);
    if (typeof value !== 'string') throw this.wrong(name, 'a string', value);
    return value;
  }

  optionalString(name: string): string | undefined {
    return this.has(name) ? this.string(name) : undefined;
  }

  number(name: string, fallback?: number): number {
    if (!this.has(name) && fallback !== undefined) return fallback;
    const value = this.required(name);
    if (typeof value !== 'number') throw this.wrong(name, 'a number', value);
    return value;
  }

  integer(name: string, fallback?: number): number {
    const value = this.number(name, fallback);
    if (!Number.isInteger(value)) throw this.wrong(name, 'an integer', value);
    return value;
  }

  boolean(name: string, fallback?: boolean): boolean {
    if (!this.has(name) && fallback !== undefined) return fallback;
    const value = this.required(name);
    if (typeof value !== 'boolean') throw this.wrong(name, 'a boolean', value);
    return value;
  }

  map(name: string): PlainMap {
    const value = this.required(name);
    if (!isMap(value)) throw this.wrong(name, 'a map', value);
    return value;
  }
}
