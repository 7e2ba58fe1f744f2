// The column types a destination table can have, read from a stream's JSON schema the way Airbyte's
// typed destinations read it: `type` (nullable unions allowed), `format` and `airbyte_type`, or the
// protocol's `WellKnownTypes.json` references. Anything else (objects, arrays, real unions, no type at
// all) is kept whole as JSON.
import type { JsonObject } from '../../protocol/messages.js';

export type ColumnType =
  | 'string'
  | 'integer'
  | 'number'
  | 'boolean'
  | 'date'
  | 'time'
  | 'timetz'
  | 'timestamp'
  | 'timestamptz'
  | 'json';

const WELL_KNOWN: Record<string, ColumnType> = {
  String: 'string',
  BinaryData: 'string',
  Date: 'date',
  TimestampWithTimezone: 'timestamptz',
  TimestampWithoutTimezone: 'timestamp',
  TimeWithTimezone: 'timetz',
  TimeWithoutTimezone: 'time',
  Number: 'number',
  Integer: 'integer',
  Boolean: 'boolean',
};

export function columnType(schema: unknown): ColumnType {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return 'json';
  const s = schema as JsonObject;
  if (typeof s.$ref === 'string') return WELL_KNOWN[s.$ref.split('/').pop() ?? ''] ?? 'json';
  if (s.oneOf !== undefined || s.anyOf !== undefined || s.allOf !== undefined) return 'json';
  const types = (Array.isArray(s.type) ? s.type : [s.type]).filter((t) => t !== 'null');
  const type =
    types.length === 2 && types.includes('integer') && types.includes('number') ? 'number' : types[0];
  if (types.length > 1 && type !== 'number') return 'json';
  switch (type) {
    case 'string':
      return stringType(s);
    case 'integer':
      return 'integer';
    case 'number':
      return s.airbyte_type === 'integer' ? 'integer' : 'number';
    case 'boolean':
      return 'boolean';
    default:
      return 'json';
  }
}

function stringType(s: JsonObject): ColumnType {
  switch (s.format) {
    case 'date':
      return 'date';
    case 'date-time':
      return s.airbyte_type === 'timestamp_without_timezone' ? 'timestamp' : 'timestamptz';
    case 'time':
      return s.airbyte_type === 'time_with_timezone' ? 'timetz' : 'time';
    default:
      return 'string';
  }
}
