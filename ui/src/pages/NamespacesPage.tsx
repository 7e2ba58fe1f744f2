import { api } from '../api';
import { ErrorNote } from '../components/ErrorNote';
import { Link } from '../components/Link';
import { useLoad } from '../hooks';
import type { NamespaceSummary, Page } from '../types';

/** The namespace tree: each namespace indented under its parent, with what it holds. */
export function NamespacesPage() {
  const namespaces = useLoad('namespaces', (signal) =>
    api<Page<NamespaceSummary>>('/api/v1/namespaces/search', { signal }),
  );
  return (
    <div className="page">
      <div className="page-header">
        <h1>Namespaces</h1>
      </div>
      <ErrorNote error={namespaces.error} />
      <div className="table-scroll">
        <table className="list">
          <thead>
            <tr>
              <th>Namespace</th>
              <th className="num">Flows</th>
              <th className="num">Files</th>
              <th className="num wide-only">KV</th>
              <th className="num wide-only">Secrets</th>
            </tr>
          </thead>
          <tbody>
            {namespaces.data?.results.map((ns) => {
              const depth = ns.id.split('.').length - 1;
              return (
                <tr key={ns.id} data-namespace={ns.id}>
                  <td style={{ paddingLeft: 12 + depth * 16 }}>
                    <Link href={`/namespaces/${encodeURIComponent(ns.id)}`}>
                      {depth > 0 && (
                        <span className="muted">{ns.id.slice(0, ns.id.lastIndexOf('.') + 1)}</span>
                      )}
                      {ns.id.slice(ns.id.lastIndexOf('.') + 1)}
                    </Link>
                  </td>
                  <td className="num">{ns.flows}</td>
                  <td className="num">{ns.files}</td>
                  <td className="num wide-only">{ns.kv}</td>
                  <td className="num wide-only">{ns.secrets}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {namespaces.data?.results.length === 0 && (
        <p className="empty">
          No namespace yet: a namespace exists once a flow, a file, a KV pair or a secret is in it.
        </p>
      )}
    </div>
  );
}
