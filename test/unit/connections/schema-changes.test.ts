import { describe, expect, test } from 'vitest';
import {
  diffCatalogs,
  propagate,
  schemaChangeOf,
  describeTransform,
} from '../../../src/connections/schema-changes.js';
import type { AirbyteStream } from '../../../src/protocol/messages.js';

// Airbyte's classification of schema changes (CatalogDiffHelpers) and what each
// nonBreakingSchemaUpdatesBehavior applies (AutoPropagateSchemaChangeHelper).

function stream(
  name: string,
  fields: Record<string, string>,
  extra: Partial<AirbyteStream> = {},
): AirbyteStream {
  return {
    name,
    namespace: 'app',
    json_schema: {
      type: 'object',
      properties: Object.fromEntries(Object.entries(fields).map(([f, type]) => [f, { type }])),
    },
    supported_sync_modes: ['full_refresh', 'incremental'],
    ...extra,
  };
}

const users = stream('users', { id: 'integer', updated_at: 'integer', name: 'string' });
const incremental = [
  {
    name: 'users',
    namespace: 'app',
    syncMode: 'incremental_deduped_history' as const,
    cursorField: ['updated_at'],
    primaryKey: [['id']],
  },
];

describe('schema changes', () => {
  test('the same catalog, its fields in another order, is no change', () => {
    const reordered = stream('users', { name: 'string', updated_at: 'integer', id: 'integer' });
    expect(schemaChangeOf(diffCatalogs({ streams: [users] }, { streams: [reordered] }, incremental))).toBe(
      'no_change',
    );
  });

  test('added and removed fields and a changed type are non-breaking', () => {
    const now = stream('users', { id: 'integer', updated_at: 'integer', name: 'integer', email: 'string' });
    const diff = diffCatalogs({ streams: [users] }, { streams: [now] }, incremental);
    expect(schemaChangeOf(diff)).toBe('non_breaking');
    expect(diff.transforms.map(describeTransform)).toEqual([
      "Modified stream 'app.users': Added fields ['email'], Altered fields ['name']",
    ]);
  });

  test('the removal of the configured cursor field is breaking', () => {
    const now = stream('users', { id: 'integer', name: 'string' });
    expect(schemaChangeOf(diffCatalogs({ streams: [users] }, { streams: [now] }, incremental))).toBe(
      'breaking',
    );
  });

  test('the removal of a primary key field of a deduped stream is breaking', () => {
    const now = stream('users', { updated_at: 'integer', name: 'string' });
    expect(schemaChangeOf(diffCatalogs({ streams: [users] }, { streams: [now] }, incremental))).toBe(
      'breaking',
    );
  });

  test('the removal of the cursor of a stream the connection copies in full is not breaking', () => {
    const now = stream('users', { id: 'integer', name: 'string' });
    const full = [{ name: 'users', syncMode: 'full_refresh_overwrite' as const }];
    expect(schemaChangeOf(diffCatalogs({ streams: [users] }, { streams: [now] }, full))).toBe('non_breaking');
  });

  test('a stream added or removed is non-breaking', () => {
    const orders = stream('orders', { id: 'integer' });
    const diff = diffCatalogs(
      { streams: [users, orders] },
      { streams: [users, stream('items', { id: 'integer' })] },
      [],
    );
    expect(diff.transforms.map((t) => [t.transformType, t.streamDescriptor.name])).toEqual([
      ['add_stream', 'items'],
      ['remove_stream', 'orders'],
    ]);
    expect(schemaChangeOf(diff)).toBe('non_breaking');
  });

  test('propagate_columns takes the new columns but neither adds nor drops streams', () => {
    const now = stream('users', { id: 'integer', updated_at: 'integer', name: 'string', email: 'string' });
    const items = stream('items', { id: 'integer' });
    const diff = diffCatalogs({ streams: [users] }, { streams: [now, items] }, incremental);
    const applied = propagate(
      { streams: [users] },
      { streams: [now, items] },
      diff,
      'propagate_columns',
      incremental,
    );
    expect(applied.catalog.streams.map((s) => s.name)).toEqual(['users']);
    expect(
      Object.keys((applied.catalog.streams[0].json_schema as { properties: object }).properties),
    ).toContain('email');
    expect(applied.streams).toEqual(incremental);
  });

  test('propagate_fully adds a new stream with a default sync mode and drops a removed one', () => {
    const orders = stream('orders', { id: 'integer' });
    const items = stream(
      'items',
      { id: 'integer', at: 'integer' },
      {
        source_defined_primary_key: [['id']],
        default_cursor_field: ['at'],
      },
    );
    const configured = [...incremental, { name: 'orders', namespace: 'app' }];
    const diff = diffCatalogs({ streams: [users, orders] }, { streams: [users, items] }, configured);
    const applied = propagate(
      { streams: [users, orders] },
      { streams: [users, items] },
      diff,
      'propagate_fully',
      configured,
    );
    expect(applied.streams).toEqual([
      ...incremental,
      { name: 'items', namespace: 'app', syncMode: 'incremental_deduped_history' },
    ]);
    expect(applied.catalog.streams.map((s) => s.name).sort()).toEqual(['items', 'users']);
  });

  test('ignore applies nothing', () => {
    const now = stream('users', { id: 'integer', updated_at: 'integer', name: 'string', email: 'string' });
    const diff = diffCatalogs({ streams: [users] }, { streams: [now] }, incremental);
    const applied = propagate({ streams: [users] }, { streams: [now] }, diff, 'ignore', incremental);
    expect(applied.applied).toEqual([]);
    expect(applied.catalog.streams[0]).toBe(users);
  });
});
