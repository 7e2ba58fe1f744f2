// The `yaml` filter writes what Kestra's (Jackson's YAML writer with minimized quotes and indented
// lists) writes: no `---`, plain scalars where they read back as the same string, list items one space in.
// The `yaml` package's own writer places list dashes differently, hence this small block writer.
import { Fault } from './errors.js';
import { dateText, javaDoubleText } from './output.js';
import { describe, isDate, isMap, mapEntries } from './values.js';

/** Plain text that a YAML reader would take for something else (a number, a boolean, null, a structure). */
const NOT_PLAIN =
  /^$|^\s|\s$|^[-?:,[\]{}#&*!|>'"%@`]|: |:$| #|[\n\r\t\0-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029]/;
const RESERVED =
  /^(?:~|null|true|false|yes|no|on|off|y|n|[-+]?(?:\.inf|\.nan)|[-+]?[0-9][0-9_.:eE+-]*|0x[0-9a-f]+|0o[0-7]+)$/i;

function scalar(item: unknown): string | undefined {
  if (item === null || item === undefined) return 'null';
  switch (typeof item) {
    case 'string':
      return NOT_PLAIN.test(item) || RESERVED.test(item) ? JSON.stringify(item) : item;
    case 'number':
      return Number.isInteger(item) ? String(item) : javaDoubleText(item);
    case 'boolean':
      return item ? 'true' : 'false';
  }
  return isDate(item) ? dateText(item) : undefined;
}

function key(name: string): string {
  return scalar(name) ?? JSON.stringify(name);
}

function isBlock(item: unknown): item is unknown[] | Record<string, unknown> {
  return Array.isArray(item) ? item.length > 0 : isMap(item) && Object.keys(item).length > 0;
}

/** YAML text of plain data; stops as soon as it passes `maxLength`, calls `step` once per value. */
export function toYaml(value: unknown, maxLength: number, step: () => void): string {
  const lines: string[] = [];
  let length = 0;
  const ancestors = new Set<object>();
  const push = (line: string): void => {
    length += line.length + 1;
    if (length > maxLength) throw new Fault(`output longer than ${maxLength} characters`);
    lines.push(line);
  };
  const leaf = (item: unknown): string => {
    step();
    if (Array.isArray(item)) return '[]';
    if (isMap(item)) return '{}';
    const text = scalar(item);
    if (text === undefined) throw new Fault(`cannot convert ${describe(item)} to YAML`);
    return text;
  };

  /**
   * Writes a non-empty list or map whose lines start at column `indent`; the first line starts with `lead`
   * instead of spaces when given (a list item's dash). Lists put their dash one column in, as Kestra does.
   */
  const block = (item: unknown[] | Record<string, unknown>, indent: number, lead?: string): void => {
    step();
    if (ancestors.has(item)) throw new Fault('cannot convert a circular structure to YAML');
    ancestors.add(item);
    const pad = ' '.repeat(Array.isArray(item) ? indent + 1 : indent);
    let start = lead ?? pad;
    const next = (): string => {
      const text = start;
      start = pad;
      return text;
    };
    if (Array.isArray(item)) {
      for (const element of item) {
        const dash = `${next()}- `;
        if (isBlock(element)) block(element, Array.isArray(element) ? indent + 2 : indent + 3, dash);
        else push(`${dash}${leaf(element)}`);
      }
    } else {
      for (const [name, element] of mapEntries(item)) {
        const head = `${next()}${key(name)}:`;
        if (!isBlock(element)) push(`${head} ${leaf(element)}`);
        else {
          push(head);
          block(element, Array.isArray(element) ? indent : indent + 2);
        }
      }
    }
    ancestors.delete(item);
  };

  if (isBlock(value)) block(value, 0);
  else push(leaf(value));
  return `${lines.join('\n')}\n`;
}
