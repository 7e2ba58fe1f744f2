import { api, query } from '../api';
import { ErrorNote } from '../components/ErrorNote';
import { JobStatusBadge } from '../components/JobsTable';
import { Link } from '../components/Link';
import { ScheduleText } from '../components/ScheduleField';
import { SectionNav } from '../components/SectionNav';
import { formatDate } from '../format';
import { useLoad } from '../hooks';
import { listActors, PAGE_LIMIT } from '../resources';
import type { Connection, DataPage, Job } from '../types';

/** The connections, each with its source and destination, its schedule and its last job. */
export function ConnectionsPage() {
  const connections = useLoad('connections', (signal) =>
    api<DataPage<Connection>>(`/api/v1/connections${query({ limit: PAGE_LIMIT })}`, { signal }),
  );
  const sources = useLoad('sources', (signal) => listActors('source', signal));
  const destinations = useLoad('destinations', (signal) => listActors('destination', signal));
  // newest first: the first job of a connection is its last
  const jobs = useLoad(
    'jobs',
    (signal) => api<DataPage<Job>>(`/api/v1/jobs${query({ limit: PAGE_LIMIT })}`, { signal }),
    2000,
  );
  const lastJob = (id: string) => jobs.data?.data.find((j) => j.connectionId === id);
  const nameOf = (list: { actors: Array<{ id: string; name: string }> } | undefined, id: string) =>
    list?.actors.find((a) => a.id === id)?.name ?? id.slice(0, 8);

  return (
    <div className="page">
      <SectionNav />
      <div className="page-header">
        <h1>Connections</h1>
        <Link href="/connections/new" className="button primary">
          New connection
        </Link>
      </div>
      <ErrorNote error={connections.error ?? sources.error ?? destinations.error} />
      <table className="list">
        <thead>
          <tr>
            <th>Connection</th>
            <th>Source → destination</th>
            <th className="wide-only">Schedule</th>
            <th>Last job</th>
          </tr>
        </thead>
        <tbody>
          {connections.data?.data.map((c) => {
            const job = lastJob(c.connectionId);
            return (
              <tr key={c.connectionId} className={c.status === 'active' ? undefined : 'disabled'}>
                <td>
                  <Link href={`/connections/${c.connectionId}`}>{c.name}</Link>
                  {c.status !== 'active' && <div className="muted small">inactive</div>}
                </td>
                <td>
                  <Link href={`/sources/${c.sourceId}`}>{nameOf(sources.data, c.sourceId)}</Link> →{' '}
                  <Link href={`/destinations/${c.destinationId}`}>
                    {nameOf(destinations.data, c.destinationId)}
                  </Link>
                </td>
                <td className="wide-only">
                  <ScheduleText schedule={c.schedule} />
                </td>
                <td>
                  {job ? (
                    <>
                      <JobStatusBadge status={job.status} />{' '}
                      <span className="muted small">{formatDate(job.startTime ?? undefined)}</span>
                    </>
                  ) : (
                    // only the newest jobs were read: an older one may exist
                    <span className="muted">{jobs.data && !jobs.data.next ? 'never' : '—'}</span>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {connections.data?.data.length === 0 && (
        <p className="empty">
          No connection yet. <Link href="/connections/new">Connect a source to a destination</Link>.
        </p>
      )}
      {connections.data?.next && <p className="muted small">The first {PAGE_LIMIT} connections.</p>}
    </div>
  );
}
