// Schema changes as Airbyte's platform finds and applies them (CatalogDiffHelpers,
// ApplySchemaChangeHelper, AutoPropagateSchemaChangeHelper): what the source discovers now is compared
// with the catalog the connection was configured against; added and removed streams and fields and
// changed field types are non-breaking, a configured stream's cursor or primary key field gone (or
// its source-defined primary key changed) is breaking. Pure: the connection layer stores the result.
import type { AirbyteCatalog, AirbyteStream, JsonObject, StreamDescriptor } from '../protocol/messages.js';
import { streamKey } from '../protocol/state.js';
import { SYNC_MODES } from '../tasks/sync/catalog.js';
import type { SchemaUpdateBehavior, StreamSetting } from './connection.js';

export interface FieldTransform {
  transformType: 'add_field' | 'remove_field' | 'update_field_schema';
  fieldName: string[];
  breaking: boolean;
}

export interface StreamTransform {
  transformType: 'add_stream' | 'remove_stream' | 'update_stream';
  streamDescriptor: StreamDescriptor;
  updateStream?: {
    fieldTransforms: FieldTransform[];
    streamAttributeTransforms: { transformType: 'update_primary_key'; breaking: boolean }[];
  };
}

/** Airbyte's CatalogDiff. */
export interface CatalogDiff {
  transforms: StreamTransform[];
}

/** Airbyte's SchemaChange of a connection. */
export type SchemaChange = 'no_change' | 'non_breaking' | 'breaking';

export function diffCatalogs(
  previous: AirbyteCatalog,
  current: AirbyteCatalog,
  configured: readonly StreamSetting[],
): CatalogDiff {
  const before = byKey(previous.streams);
  const after = byKey(current.streams);
  const transforms: StreamTransform[] = [];
  for (const [key, stream] of after) {
    if (!before.has(key))
      transforms.push({ transformType: 'add_stream', streamDescriptor: descriptor(stream) });
  }
  for (const [key, old] of before) {
    // a stream the connection does not sync changes nothing for it, even gone (as Airbyte's diff of
    // the streams that are selected); a new one is offered whatever the connection syncs
    const setting = settingOf(configured, old);
    if (setting === undefined) continue;
    const now = after.get(key);
    if (!now) {
      transforms.push({ transformType: 'remove_stream', streamDescriptor: descriptor(old) });
      continue;
    }
    const fieldTransforms = diffFields(old, now, setting);
    const attributes = primaryKeyChange(old, now, setting);
    if (fieldTransforms.length > 0 || attributes.length > 0) {
      transforms.push({
        transformType: 'update_stream',
        streamDescriptor: descriptor(old),
        updateStream: { fieldTransforms, streamAttributeTransforms: attributes },
      });
    }
  }
  return { transforms };
}

export function schemaChangeOf(diff: CatalogDiff): SchemaChange {
  if (diff.transforms.length === 0) return 'no_change';
  return containsBreakingChange(diff) ? 'breaking' : 'non_breaking';
}

export function containsBreakingChange(diff: CatalogDiff): boolean {
  return diff.transforms.some(
    (t) =>
      t.updateStream?.fieldTransforms.some((f) => f.breaking) === true ||
      t.updateStream?.streamAttributeTransforms.some((a) => a.breaking) === true,
  );
}

/** Airbyte's words for a change (ApplySchemaChangeHelper.formatDiff), for logs and the reason a
 * connection is paused. */
export function describeTransform(t: StreamTransform): string {
  const d = t.streamDescriptor;
  const name = `'${d.namespace === undefined ? '' : `${d.namespace}.`}${d.name}'`;
  if (t.transformType === 'add_stream') return `Added new stream ${name}`;
  if (t.transformType === 'remove_stream') return `Removed stream ${name}`;
  const fields = (type: FieldTransform['transformType']) =>
    (t.updateStream?.fieldTransforms ?? [])
      .filter((f) => f.transformType === type)
      .map((f) => `'${f.fieldName.join('.')}'${f.breaking ? ' (breaking)' : ''}`);
  const parts = [
    ['Added fields', fields('add_field')],
    ['Removed fields', fields('remove_field')],
    ['Altered fields', fields('update_field_schema')],
  ]
    .filter(([, list]) => list.length > 0)
    .map(([what, list]) => `${what as string} [${(list as string[]).join(', ')}]`);
  if (t.updateStream?.streamAttributeTransforms.some((a) => a.transformType === 'update_primary_key')) {
    parts.push('Changed primary key');
  }
  return `Modified stream ${name}: ${parts.join(', ')}`;
}

export interface AppliedSchema {
  /** the catalog the connection is configured against from now on */
  catalog: AirbyteCatalog;
  /** the connection's streams from now on */
  streams: StreamSetting[];
  /** what was applied, in Airbyte's words */
  applied: string[];
}

/**
 * AutoPropagateSchemaChangeHelper for a non-breaking diff: propagate_columns takes every configured
 * stream's new schema; propagate_fully also adds the new streams (with a default sync mode) and drops
 * the removed ones. `ignore` and `disable_connection` apply nothing.
 */
export function propagate(
  previous: AirbyteCatalog,
  current: AirbyteCatalog,
  diff: CatalogDiff,
  behavior: SchemaUpdateBehavior,
  streams: readonly StreamSetting[],
): AppliedSchema {
  const catalog = new Map(byKey(previous.streams));
  const now = byKey(current.streams);
  let settings = [...streams];
  const applied: string[] = [];
  const fully = behavior === 'propagate_fully';
  if (behavior === 'propagate_columns' || fully) {
    for (const t of diff.transforms) {
      const key = streamKey(t.streamDescriptor);
      if (t.transformType === 'update_stream') {
        catalog.set(key, now.get(key)!);
      } else if (t.transformType === 'add_stream' && fully) {
        const stream = now.get(key)!;
        catalog.set(key, stream);
        // an empty list already means every stream of the source
        if (settings.length > 0) settings.push(defaultSetting(stream));
      } else if (t.transformType === 'remove_stream' && fully) {
        catalog.delete(key);
        settings = settings.filter((s) => !sameStream(s, t.streamDescriptor));
      } else {
        continue;
      }
      applied.push(describeTransform(t));
    }
  }
  return { catalog: { streams: [...catalog.values()] }, streams: settings, applied };
}

/** Airbyte's default for a stream that appears (CatalogConverter.configureDefaultSyncModesForNewStream):
 * incremental when the source can, deduped when it defines a primary key, else a full refresh. */
function defaultSetting(stream: AirbyteStream): StreamSetting {
  const base = { name: stream.name, ...(stream.namespace != null && { namespace: stream.namespace }) };
  const incremental =
    stream.supported_sync_modes.includes('incremental') &&
    (stream.source_defined_cursor === true || (stream.default_cursor_field?.length ?? 0) > 0);
  if (!incremental) return { ...base, syncMode: 'full_refresh_overwrite' };
  const keyed = (stream.source_defined_primary_key?.length ?? 0) > 0;
  return { ...base, syncMode: keyed ? 'incremental_deduped_history' : 'incremental_append' };
}

function diffFields(old: AirbyteStream, now: AirbyteStream, setting: StreamSetting): FieldTransform[] {
  const before = propertiesOf(old);
  const after = propertiesOf(now);
  const transforms: FieldTransform[] = [];
  for (const field of Object.keys(after)) {
    if (!(field in before))
      transforms.push({ transformType: 'add_field', fieldName: [field], breaking: false });
    else if (canonical(before[field]) !== canonical(after[field])) {
      transforms.push({ transformType: 'update_field_schema', fieldName: [field], breaking: false });
    }
  }
  for (const field of Object.keys(before)) {
    if (field in after) continue;
    transforms.push({
      transformType: 'remove_field',
      fieldName: [field],
      breaking: keyFieldsOf(old, setting).has(field),
    });
  }
  return transforms;
}

/** The fields a configured stream cannot lose: its cursor and its primary key, as its sync mode uses
 * them. */
function keyFieldsOf(stream: AirbyteStream, setting: StreamSetting): Set<string> {
  const mode = setting.syncMode ?? 'full_refresh_overwrite';
  const [syncMode, destinationMode] = SYNC_MODES[mode];
  const fields = new Set<string>();
  if (syncMode === 'incremental') {
    const cursor = stream.source_defined_cursor
      ? stream.default_cursor_field
      : setting.cursorField?.length
        ? setting.cursorField
        : stream.default_cursor_field;
    if (cursor?.length) fields.add(cursor[0]);
  }
  if (destinationMode === 'append_dedup') {
    const key = stream.source_defined_primary_key?.length
      ? stream.source_defined_primary_key
      : setting.primaryKey;
    for (const path of key ?? []) if (path.length > 0) fields.add(path[0]);
  }
  return fields;
}

function primaryKeyChange(
  old: AirbyteStream,
  now: AirbyteStream,
  setting: StreamSetting,
): { transformType: 'update_primary_key'; breaking: boolean }[] {
  if (canonical(old.source_defined_primary_key ?? []) === canonical(now.source_defined_primary_key ?? []))
    return [];
  const deduped =
    setting !== undefined && SYNC_MODES[setting.syncMode ?? 'full_refresh_overwrite'][1] === 'append_dedup';
  return [{ transformType: 'update_primary_key', breaking: deduped }];
}

/** The connection's setting of a stream, when it syncs it: an empty list syncs every stream, each a
 * full refresh overwrite. */
function settingOf(configured: readonly StreamSetting[], stream: AirbyteStream): StreamSetting | undefined {
  if (configured.length === 0) return { name: stream.name };
  return configured.find((s) => sameStream(s, descriptor(stream)));
}

function sameStream(setting: { name: string; namespace?: string }, d: StreamDescriptor): boolean {
  return setting.name === d.name && (setting.namespace === undefined || setting.namespace === d.namespace);
}

function propertiesOf(stream: AirbyteStream): Record<string, unknown> {
  return ((stream.json_schema as JsonObject | undefined)?.properties ?? {}) as Record<string, unknown>;
}

function byKey(streams: readonly AirbyteStream[]): Map<string, AirbyteStream> {
  return new Map(streams.map((s) => [streamKey(descriptor(s)), s]));
}

function descriptor(stream: { name: string; namespace?: string | null }): StreamDescriptor {
  return stream.namespace == null
    ? { name: stream.name }
    : { name: stream.name, namespace: stream.namespace };
}

/** JSON with sorted keys, so that two schemas written in another order compare equal. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}
