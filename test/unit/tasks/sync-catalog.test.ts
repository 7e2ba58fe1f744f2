import { describe, expect, test } from 'vitest';
import type { AirbyteCatalog, AirbyteStream } from '../../../src/protocol/messages.js';
import { CatalogError, planSync } from '../../../src/tasks/sync/catalog.js';

const stream = (name: string, extra: Partial<AirbyteStream> = {}): AirbyteStream => ({
  name,
  json_schema: { type: 'object' },
  supported_sync_modes: ['full_refresh', 'incremental'],
  ...extra,
});
const catalog = (...streams: AirbyteStream[]): AirbyteCatalog => ({ streams });

describe('planSync', () => {
  test('without streams every discovered stream is a full_refresh_overwrite', () => {
    const plan = planSync(catalog(stream('a'), stream('b')), undefined);
    expect(
      plan.sourceCatalog.streams.map((s) => [s.stream.name, s.sync_mode, s.destination_sync_mode]),
    ).toEqual([
      ['a', 'full_refresh', 'overwrite'],
      ['b', 'full_refresh', 'overwrite'],
    ]);
  });

  test.each([
    ['full_refresh_append', 'full_refresh', 'append'],
    ['incremental_append', 'incremental', 'append'],
    ['incremental_deduped_history', 'incremental', 'append_dedup'],
  ] as const)('%s is %s + %s', (syncMode, source, destination) => {
    const plan = planSync(
      catalog(stream('a', { default_cursor_field: ['u'], source_defined_primary_key: [['id']] })),
      [{ name: 'a', syncMode }],
    );
    expect([
      plan.sourceCatalog.streams[0].sync_mode,
      plan.sourceCatalog.streams[0].destination_sync_mode,
    ]).toEqual([source, destination]);
  });

  test('a source-defined cursor wins over the configured one', () => {
    const plan = planSync(
      catalog(stream('a', { source_defined_cursor: true, default_cursor_field: ['lsn'] })),
      [{ name: 'a', syncMode: 'incremental_append', cursorField: ['mine'] }],
    );
    expect(plan.sourceCatalog.streams[0].cursor_field).toEqual(['lsn']);
  });

  test('the configured cursor wins over the default one', () => {
    const plan = planSync(catalog(stream('a', { default_cursor_field: ['updated_at'] })), [
      { name: 'a', syncMode: 'incremental_append', cursorField: ['mine'] },
    ]);
    expect(plan.sourceCatalog.streams[0].cursor_field).toEqual(['mine']);
  });

  test('the default cursor is used when none is configured', () => {
    const plan = planSync(catalog(stream('a', { default_cursor_field: ['updated_at'] })), [
      { name: 'a', syncMode: 'incremental_append' },
    ]);
    expect(plan.sourceCatalog.streams[0].cursor_field).toEqual(['updated_at']);
  });

  test('a source-defined primary key wins over the configured one', () => {
    const plan = planSync(catalog(stream('a', { source_defined_primary_key: [['id']] })), [
      { name: 'a', primaryKey: [['other']] },
    ]);
    expect(plan.sourceCatalog.streams[0].primary_key).toEqual([['id']]);
  });

  test('a sync mode the stream does not support is refused', () => {
    expect(() =>
      planSync(catalog(stream('a', { supported_sync_modes: ['full_refresh'] })), [
        { name: 'a', syncMode: 'incremental_append', cursorField: ['u'] },
      ]),
    ).toThrow(
      new CatalogError('stream "a" does not support incremental_append: the source supports full_refresh'),
    );
  });

  test('an unknown stream is refused, listing what the source offers', () => {
    expect(() =>
      planSync(catalog(stream('a'), stream('b', { namespace: 'public' })), [{ name: 'c' }]),
    ).toThrow('the source has no stream "c" (it offers: "a", "public.b")');
  });

  test('a name in several namespaces needs its namespace', () => {
    const both = catalog(stream('t', { namespace: 'x' }), stream('t', { namespace: 'y' }));
    expect(() => planSync(both, [{ name: 't' }])).toThrow('give its namespace');
    expect(planSync(both, [{ name: 't', namespace: 'y' }]).sourceCatalog.streams[0].stream.namespace).toBe(
      'y',
    );
  });

  test('a stream listed twice is refused', () => {
    expect(() => planSync(catalog(stream('a')), [{ name: 'a' }, { name: 'a' }])).toThrow('listed twice');
  });

  test('by default the destination writes to its own namespace', () => {
    const plan = planSync(catalog(stream('a', { namespace: 'public' })), undefined);
    expect(plan.destinationCatalog.streams[0].stream).toMatchObject({ name: 'a', namespace: undefined });
    expect(plan.sourceCatalog.streams[0].stream.namespace).toBe('public');
  });

  test('namespaceDefinition source keeps the source namespace, with the prefix on the name', () => {
    const plan = planSync(catalog(stream('a', { namespace: 'public' })), undefined, {
      namespaceDefinition: 'source',
      prefix: 'p_',
    });
    expect(plan.destinationCatalog.streams[0].stream).toMatchObject({ name: 'p_a', namespace: 'public' });
    expect([...plan.routes.values()][0]).toEqual({
      outputName: 'a',
      source: { name: 'a', namespace: 'public' },
      destination: { name: 'p_a', namespace: 'public' },
    });
  });

  test('two source streams mapped onto one destination stream are refused', () => {
    const both = catalog(stream('t', { namespace: 'x' }), stream('t', { namespace: 'y' }));
    expect(() => planSync(both, undefined)).toThrow('written to the same destination stream "t"');
  });

  test('output names are qualified by namespace only where names collide', () => {
    const plan = planSync(
      catalog(
        stream('t', { namespace: 'x' }),
        stream('t', { namespace: 'y' }),
        stream('u', { namespace: 'x' }),
      ),
      undefined,
      { namespaceDefinition: 'source' },
    );
    expect([...plan.routes.values()].map((r) => r.outputName)).toEqual(['x.t', 'y.t', 'u']);
  });
});
