import { api, query } from '../api';
import { ExecutionsTable } from '../components/ExecutionsTable';
import { Link } from '../components/Link';
import { Tabs } from '../components/Tabs';
import { useLoad } from '../hooks';
import { FilesTab } from '../namespaces/FilesTab';
import { KvTab } from '../namespaces/KvTab';
import { SecretsTab } from '../namespaces/SecretsTab';
import { navigate } from '../router';
import type { FlowSummary, Page } from '../types';

const TABS = [
  { id: 'files', label: 'Files' },
  { id: 'kv', label: 'KV' },
  { id: 'secrets', label: 'Secrets' },
  { id: 'flows', label: 'Flows' },
  { id: 'executions', label: 'Executions' },
] as const;
export type NamespaceTab = (typeof TABS)[number]['id'];

/** One namespace: its files (browse, edit, upload, delete), KV pairs, secrets (write-only), flows and
 * executions, a tab each, the tab in the path so that a reload or a link keeps it. */
export function NamespacePage({ namespace, tab }: { namespace: string; tab: NamespaceTab }) {
  const base = `/namespaces/${encodeURIComponent(namespace)}`;
  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1>{namespace}</h1>
          <div className="muted">
            <Link href="/namespaces">Namespaces</Link>
          </div>
        </div>
      </div>
      <Tabs<NamespaceTab> tabs={[...TABS]} current={tab} onChange={(t) => navigate(`${base}/${t}`)} />
      {tab === 'files' && <FilesTab namespace={namespace} />}
      {tab === 'kv' && <KvTab namespace={namespace} />}
      {tab === 'secrets' && <SecretsTab namespace={namespace} />}
      {tab === 'flows' && <FlowsTab namespace={namespace} />}
      {tab === 'executions' && <ExecutionsTable fixed={{ namespace }} />}
    </div>
  );
}

export const isNamespaceTab = (tab: string): tab is NamespaceTab => TABS.some((t) => t.id === tab);

function FlowsTab({ namespace }: { namespace: string }) {
  const flows = useLoad(namespace, (signal) =>
    api<Page<FlowSummary>>(`/api/v1/flows/search${query({ namespace, size: 200 })}`, { signal }),
  );
  const own = flows.data?.results.filter((f) => f.namespace === namespace);
  return (
    <>
      {own && own.length === 0 && <p className="empty">No flow in {namespace}.</p>}
      <ul className="brief-list">
        {own?.map((f) => (
          <li key={f.id}>
            <Link href={`/flows/${encodeURIComponent(f.namespace)}/${encodeURIComponent(f.id)}`}>{f.id}</Link>
            {f.description && <span className="muted small">{f.description}</span>}
          </li>
        ))}
      </ul>
    </>
  );
}
