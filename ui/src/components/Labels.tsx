import type { Execution } from '../types';

/** Labels as `key:value` chips; Sluice's own `system.` labels are left out. */
export function Labels({ labels }: { labels: Execution['labels'] | Record<string, string> | undefined }) {
  const pairs = Array.isArray(labels)
    ? labels.map((l) => [l.key, l.value] as const)
    : Object.entries(labels ?? {});
  const shown = pairs.filter(([key]) => !key.startsWith('system.'));
  if (shown.length === 0) return null;
  return (
    <span className="labels">
      {shown.map(([key, value]) => (
        <span key={key} className="label-chip" data-label={`${key}:${value}`}>
          {key}:{value}
        </span>
      ))}
    </span>
  );
}
