import { NamespaceSelect } from '../components/NamespaceSelect';
import { TriggersTable } from '../components/TriggersTable';
import { setParams, useLocation } from '../router';

export function TriggersPage() {
  const { params } = useLocation();
  const namespace = params.get('namespace') ?? '';
  return (
    <div className="page">
      <div className="page-header">
        <h1>Triggers</h1>
      </div>
      <div className="filters">
        <NamespaceSelect value={namespace} onChange={(ns) => setParams({ namespace: ns })} />
      </div>
      <TriggersTable namespace={namespace || undefined} />
    </div>
  );
}
