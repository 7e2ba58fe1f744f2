import type { Connection } from '../types';
import { ScheduleField } from './ScheduleField';

export type Options = Pick<
  Connection,
  'name' | 'schedule' | 'namespaceDefinition' | 'namespaceFormat' | 'prefix' | 'status'
>;

/** A connection's own settings: its name, schedule, where its streams land, and whether it runs. */
export function ConnectionOptions({
  value,
  onChange,
}: {
  value: Options;
  onChange: (value: Options) => void;
}) {
  const set = (change: Partial<Options>) => onChange({ ...value, ...change });
  return (
    <div className="options-grid">
      <div className="field">
        <label htmlFor="connection-name">Name</label>
        <input id="connection-name" value={value.name} onChange={(e) => set({ name: e.target.value })} />
      </div>
      <ScheduleField value={value.schedule} onChange={(schedule) => set({ schedule })} />
      <div className="field">
        <label htmlFor="namespace-definition">Destination namespace</label>
        <select
          id="namespace-definition"
          value={value.namespaceDefinition}
          onChange={(e) => set({ namespaceDefinition: e.target.value as Options['namespaceDefinition'] })}
        >
          <option value="destination">The destination’s default</option>
          <option value="source">The source’s namespace</option>
          <option value="custom_format">Custom format</option>
        </select>
        {value.namespaceDefinition === 'custom_format' && (
          <input
            aria-label="Namespace format"
            className="mono"
            placeholder="${SOURCE_NAMESPACE}_raw"
            value={value.namespaceFormat ?? ''}
            onChange={(e) => set({ namespaceFormat: e.target.value })}
          />
        )}
      </div>
      <div className="field">
        <label htmlFor="stream-prefix">Stream prefix</label>
        <input
          id="stream-prefix"
          className="mono"
          placeholder="none"
          value={value.prefix ?? ''}
          onChange={(e) => set({ prefix: e.target.value })}
        />
        <div className="muted small">Put before every stream name in the destination.</div>
      </div>
      <label className="checkbox-label">
        <input
          type="checkbox"
          checked={value.status === 'active'}
          onChange={(e) => set({ status: e.target.checked ? 'active' : 'inactive' })}
        />{' '}
        Active: its schedule runs
      </label>
    </div>
  );
}
