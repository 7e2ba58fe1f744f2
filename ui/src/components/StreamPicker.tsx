import { useState } from 'react';
import { SYNC_MODES } from '../../../src/tasks/sync/catalog.js';
import type { AirbyteCatalog, AirbyteStream, PublicSyncMode, StreamSetting } from '../types';

const MODE_LABEL: Record<PublicSyncMode, string> = {
  full_refresh_overwrite: 'Full refresh | Overwrite',
  full_refresh_append: 'Full refresh | Append',
  incremental_append: 'Incremental | Append',
  incremental_deduped_history: 'Incremental | Append + Deduped',
};

const same = (
  a: { name: string; namespace?: string | null },
  b: { name: string; namespace?: string | null },
) => a.name === b.name && (a.namespace ?? undefined) === (b.namespace ?? undefined);

const label = (s: { name: string; namespace?: string | null }) =>
  s.namespace ? `${s.namespace}.${s.name}` : s.name;

/** The modes both sides can do: the source's half from its stream, the destination's from its spec. */
export function modesOf(
  stream: AirbyteStream,
  destinationModes: readonly string[] | undefined,
): PublicSyncMode[] {
  return (Object.keys(SYNC_MODES) as PublicSyncMode[]).filter((mode) => {
    const [source, destination] = SYNC_MODES[mode];
    return (
      stream.supported_sync_modes.includes(source) &&
      (destinationModes === undefined || destinationModes.includes(destination))
    );
  });
}

function defaultSetting(
  stream: AirbyteStream,
  destinationModes: readonly string[] | undefined,
): StreamSetting {
  const mode = modesOf(stream, destinationModes)[0] ?? 'full_refresh_overwrite';
  return { name: stream.name, ...(stream.namespace && { namespace: stream.namespace }), syncMode: mode };
}

/** Every stream of the catalog, each in the first mode both sides can do: a new connection's start. */
export function allStreams(catalog: AirbyteCatalog, destinationModes?: readonly string[]): StreamSetting[] {
  return catalog.streams.map((stream) => defaultSetting(stream, destinationModes));
}

/** The streams with each mode the destination cannot write replaced by the first one both sides can. */
export function fitModes(
  catalog: AirbyteCatalog,
  streams: StreamSetting[],
  destinationModes: readonly string[] | undefined,
): StreamSetting[] {
  return streams.map((setting) => {
    const stream = catalog.streams.find((s) => same(s, setting));
    const modes = stream ? modesOf(stream, destinationModes) : [];
    const mode = setting.syncMode ?? 'full_refresh_overwrite';
    return modes.length === 0 || modes.includes(mode) ? setting : { ...setting, syncMode: modes[0] };
  });
}

/** What a connection with no streams listed syncs: every stream, full_refresh_overwrite. */
export function streamsOrAll(streams: StreamSetting[], catalog: AirbyteCatalog): StreamSetting[] {
  if (streams.length > 0) return streams;
  return catalog.streams.map((s) => ({
    name: s.name,
    ...(s.namespace && { namespace: s.namespace }),
    syncMode: 'full_refresh_overwrite',
  }));
}

/** Why a stream's setting cannot run, as the server would refuse it (src/tasks/sync/catalog.ts). */
function problemOf(stream: AirbyteStream, setting: StreamSetting): string | undefined {
  const mode = setting.syncMode ?? 'full_refresh_overwrite';
  const [source, destination] = SYNC_MODES[mode];
  if (source === 'incremental' && !stream.source_defined_cursor && !setting.cursorField?.length)
    return 'pick a cursor';
  if (
    destination === 'append_dedup' &&
    !stream.source_defined_primary_key?.length &&
    !setting.primaryKey?.length
  )
    return 'pick a primary key';
  return undefined;
}

/** Why the picked streams cannot be saved, or undefined when they can. */
export function streamsProblem(catalog: AirbyteCatalog, streams: StreamSetting[]): string | undefined {
  if (streams.length === 0) return 'Pick at least one stream.';
  for (const setting of streams) {
    const stream = catalog.streams.find((s) => same(s, setting));
    const problem = stream && problemOf(stream, setting);
    if (problem) return `${label(setting)}: ${problem}.`;
  }
  return undefined;
}

/** The top-level fields of a stream's JSON schema: what a cursor or a primary key can be. */
function fieldsOf(stream: AirbyteStream): string[] {
  const properties = (stream.json_schema as { properties?: Record<string, unknown> }).properties;
  return Object.keys(properties ?? {});
}

function PrimaryKeyPicker({
  stream,
  value,
  onChange,
}: {
  stream: AirbyteStream;
  value: string[][] | undefined;
  onChange: (key: string[][] | undefined) => void;
}) {
  const picked = (value ?? []).map((path) => path[0]);
  const toggle = (field: string, on: boolean) => {
    const next = on ? [...picked, field] : picked.filter((f) => f !== field);
    onChange(next.length > 0 ? next.map((f) => [f]) : undefined);
  };
  return (
    <details className="multi-pick">
      <summary aria-label={`Primary key of ${label(stream)}`}>
        {picked.length > 0 ? picked.join(', ') : <span className="muted">pick…</span>}
      </summary>
      <div className="multi-pick-options">
        {fieldsOf(stream).map((field) => (
          <label key={field}>
            <input
              type="checkbox"
              checked={picked.includes(field)}
              onChange={(e) => toggle(field, e.target.checked)}
            />{' '}
            {field}
          </label>
        ))}
      </div>
    </details>
  );
}

function StreamRow({
  stream,
  setting,
  modes,
  onChange,
}: {
  stream: AirbyteStream;
  /** undefined: not synced */
  setting: StreamSetting | undefined;
  modes: PublicSyncMode[];
  onChange: (setting: StreamSetting | undefined, selected: boolean) => void;
}) {
  const name = label(stream);
  const mode = setting?.syncMode ?? 'full_refresh_overwrite';
  const [sourceHalf, destinationHalf] = SYNC_MODES[mode];
  const problem = setting && problemOf(stream, setting);
  const update = (change: Partial<StreamSetting>) => onChange({ ...setting!, ...change }, true);
  return (
    <div className={setting ? 'stream-row' : 'stream-row off'} data-stream={name}>
      <label className="stream-name">
        <input
          type="checkbox"
          aria-label={`Sync ${name}`}
          checked={setting !== undefined}
          onChange={(e) => onChange(setting, e.target.checked)}
        />
        <span>
          <strong>{stream.name}</strong>
          {stream.namespace && <span className="muted small"> {stream.namespace}</span>}
        </span>
      </label>
      <select
        aria-label={`Sync mode of ${name}`}
        value={mode}
        disabled={!setting}
        onChange={(e) => update({ syncMode: e.target.value as PublicSyncMode })}
      >
        {(modes.includes(mode) ? modes : [mode, ...modes]).map((m) => (
          <option key={m} value={m}>
            {MODE_LABEL[m]}
          </option>
        ))}
      </select>
      <div className="stream-cell">
        <span className="stream-cell-label">Cursor</span>
        {sourceHalf !== 'incremental' ? (
          <span className="muted">—</span>
        ) : stream.source_defined_cursor ? (
          <span title="defined by the source">{stream.default_cursor_field?.join('.')}</span>
        ) : (
          <select
            aria-label={`Cursor of ${name}`}
            value={setting?.cursorField?.[0] ?? ''}
            disabled={!setting}
            onChange={(e) => update({ cursorField: e.target.value ? [e.target.value] : undefined })}
          >
            <option value="">pick…</option>
            {fieldsOf(stream).map((field) => (
              <option key={field}>{field}</option>
            ))}
          </select>
        )}
      </div>
      <div className="stream-cell">
        <span className="stream-cell-label">Primary key</span>
        {stream.source_defined_primary_key?.length ? (
          <span title="defined by the source">
            {stream.source_defined_primary_key.map((path) => path.join('.')).join(', ')}
          </span>
        ) : destinationHalf === 'append_dedup' && setting ? (
          <PrimaryKeyPicker
            stream={stream}
            value={setting.primaryKey}
            onChange={(primaryKey) => update({ primaryKey })}
          />
        ) : (
          <span className="muted">—</span>
        )}
      </div>
      {problem && <div className="stream-problem error-text">{problem}</div>}
    </div>
  );
}

/**
 * The streams a connection syncs, from the source's catalog: which ones, each one's sync mode (only
 * those both connectors can do), its cursor and primary key where the source does not define them.
 */
export function StreamPicker({
  catalog,
  value,
  onChange,
  destinationModes,
}: {
  catalog: AirbyteCatalog;
  value: StreamSetting[];
  onChange: (streams: StreamSetting[]) => void;
  destinationModes?: readonly string[];
}) {
  const [filter, setFilter] = useState('');
  // a stream switched off and on again keeps what was set for it
  const [remembered, setRemembered] = useState<StreamSetting[]>([]);
  const shown = catalog.streams.filter((s) => label(s).toLowerCase().includes(filter.toLowerCase()));
  const settingOf = (stream: AirbyteStream) => value.find((s) => same(s, stream));

  const change = (stream: AirbyteStream, setting: StreamSetting | undefined, selected: boolean) => {
    const others = value.filter((s) => !same(s, stream));
    if (!selected) {
      if (setting) setRemembered((r) => [...r.filter((s) => !same(s, stream)), setting]);
      onChange(others);
      return;
    }
    const next =
      setting ?? remembered.find((s) => same(s, stream)) ?? defaultSetting(stream, destinationModes);
    // keep the catalog's order, whatever order the streams were picked in
    onChange(catalog.streams.flatMap((s) => (same(s, stream) ? [next] : others.filter((o) => same(o, s)))));
  };
  const allOn = catalog.streams.every((s) => settingOf(s));

  return (
    <div className="stream-picker">
      <div className="filters">
        <label className="checkbox-label">
          <input
            type="checkbox"
            checked={allOn}
            onChange={(e) =>
              onChange(
                e.target.checked
                  ? catalog.streams.map(
                      (s) =>
                        settingOf(s) ??
                        remembered.find((r) => same(r, s)) ??
                        defaultSetting(s, destinationModes),
                    )
                  : [],
              )
            }
          />{' '}
          All streams
        </label>
        <input
          type="search"
          aria-label="Search streams"
          placeholder="Search streams"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
        />
        <span className="muted">
          {value.length} of {catalog.streams.length} selected
        </span>
      </div>
      <div className="stream-table">
        <div className="stream-row stream-head">
          <span>Stream</span>
          <span>Sync mode</span>
          <span>Cursor</span>
          <span>Primary key</span>
        </div>
        {shown.map((stream) => (
          <StreamRow
            key={label(stream)}
            stream={stream}
            setting={settingOf(stream)}
            modes={modesOf(stream, destinationModes)}
            onChange={(setting, selected) => change(stream, setting, selected)}
          />
        ))}
        {shown.length === 0 && <p className="empty">No stream matches.</p>}
      </div>
    </div>
  );
}
