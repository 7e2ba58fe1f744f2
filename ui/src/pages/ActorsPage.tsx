import { ErrorNote } from '../components/ErrorNote';
import { Link } from '../components/Link';
import { SectionNav } from '../components/SectionNav';
import { formatDate } from '../format';
import { useLoad } from '../hooks';
import { KIND_LABEL, listActors, PAGE_LIMIT } from '../resources';
import type { ActorKind } from '../types';

/** The sources, or the destinations. */
export function ActorsPage({ kind }: { kind: ActorKind }) {
  const actors = useLoad(kind, (signal) => listActors(kind, signal));
  const Kind = KIND_LABEL[kind];
  return (
    <div className="page">
      <SectionNav />
      <div className="page-header">
        <h1>{Kind}s</h1>
        <Link href={`/${kind}s/new`} className="button primary">
          New {kind}
        </Link>
      </div>
      <ErrorNote error={actors.error} />
      <table className="list">
        <thead>
          <tr>
            <th>{Kind}</th>
            <th>Connector</th>
            <th className="wide-only">Updated</th>
          </tr>
        </thead>
        <tbody>
          {actors.data?.actors.map((a) => (
            <tr key={a.id}>
              <td>
                <Link href={`/${kind}s/${a.id}`}>{a.name}</Link>
              </td>
              <td className="mono">{a.connector}</td>
              <td className="wide-only">{formatDate(a.updatedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {actors.data?.actors.length === 0 && (
        <p className="empty">
          No {kind} yet. <Link href={`/${kind}s/new`}>Create one</Link>.
        </p>
      )}
      {actors.data?.more && (
        <p className="muted small">
          The first {PAGE_LIMIT} {kind}s.
        </p>
      )}
    </div>
  );
}
