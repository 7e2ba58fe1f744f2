import { api } from '../api';
import { useLoad } from '../hooks';

/** The namespace filter of the lists: every namespace that has a flow, or all of them. */
export function NamespaceSelect({
  value,
  onChange,
}: {
  value: string;
  onChange: (namespace: string) => void;
}) {
  const namespaces = useLoad('namespaces', (signal) =>
    api<string[]>('/api/v1/flows/distinct-namespaces', { signal }),
  );
  return (
    <select aria-label="Namespace" value={value} onChange={(e) => onChange(e.target.value)}>
      <option value="">All namespaces</option>
      {namespaces.data?.map((ns) => (
        <option key={ns} value={ns}>
          {ns}
        </option>
      ))}
    </select>
  );
}
