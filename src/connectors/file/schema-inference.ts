// A JSON schema for records seen so far: the union of the JSON types each field took, nested objects
// and arrays included. `integer` and `number` together are `number`; `null` appears only when a
// null was seen (a field missing from some records is not required, which JSON schema says anyway).
import type { JsonObject } from '../../protocol/messages.js';

interface Node {
  types: Set<string>;
  properties?: Map<string, Node>;
  items?: Node;
}

const newNode = (): Node => ({ types: new Set() });

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function add(node: Node, value: unknown): void {
  const type = jsonType(value);
  node.types.add(type);
  if (type === 'object') {
    node.properties ??= new Map();
    for (const [key, inner] of Object.entries(value as JsonObject)) {
      let child = node.properties.get(key);
      if (!child) node.properties.set(key, (child = newNode()));
      add(child, inner);
    }
  } else if (type === 'array') {
    node.items ??= newNode();
    for (const item of value as unknown[]) add(node.items, item);
  }
}

function toSchema(node: Node): JsonObject {
  const types = new Set(node.types);
  if (types.has('number')) types.delete('integer');
  const list = [...types].sort((a, b) => (a === 'null' ? -1 : b === 'null' ? 1 : a < b ? -1 : 1));
  // a field only ever null (or an empty array's items) says nothing about its type: any value fits
  if (list.length === 0 || (list.length === 1 && list[0] === 'null')) return {};
  const schema: JsonObject = { type: list.length === 1 ? list[0] : list };
  if (node.properties) schema.properties = propertiesOf(node.properties);
  if (node.items && node.items.types.size > 0) schema.items = toSchema(node.items);
  return schema;
}

function propertiesOf(properties: Map<string, Node>): JsonObject {
  return Object.fromEntries([...properties].map(([key, child]) => [key, toSchema(child)]));
}

export class SchemaSampler {
  private readonly root: Node = { types: new Set(['object']), properties: new Map() };

  add(record: JsonObject): void {
    add(this.root, record);
  }

  /** the `properties` of the records' object schema */
  properties(): JsonObject {
    return propertiesOf(this.root.properties!);
  }
}
