import { Fragment, useState } from 'react';
import { api, query } from '../api';
import { elapsed, formatBytes, formatDate, formatDuration } from '../format';
import { useLoad } from '../hooks';
import type { DataPage, Job, JobAttempt, JobStatus, LogLine, StateType } from '../types';
import { ErrorNote } from './ErrorNote';
import { Link } from './Link';
import { LogLines } from './LogViewer';

/** The execution state whose colour a job status wears. */
const COLOUR: Record<JobStatus, StateType> = {
  pending: 'QUEUED',
  running: 'RUNNING',
  incomplete: 'WARNING',
  failed: 'FAILED',
  succeeded: 'SUCCESS',
  cancelled: 'CANCELLED',
};

const ended = (status: JobStatus) => status !== 'pending' && status !== 'running';

export function JobStatusBadge({ status }: { status: JobStatus }) {
  return (
    <span className={`badge state-${COLOUR[status]}`} data-status={status}>
      {status}
    </span>
  );
}

export function jobDuration(job: Job): string {
  if (!job.startTime) return '';
  return formatDuration(
    elapsed(job.startTime, ended(job.status) ? (job.lastUpdatedAt ?? undefined) : undefined),
  );
}

/** Why an attempt failed: Airbyte's failure type, where it came from, and whether it was retried. */
function AttemptFailure({ attempt }: { attempt: JobAttempt }) {
  const failure = attempt.failureSummary?.failures[0];
  if (!failure) return null;
  return (
    <p className="attempt-failure" role="note" data-failure-type={failure.failureType}>
      <strong>{failure.failureType}</strong> in the {failure.failureOrigin}
      {attempt.failureSummary?.partialSuccess
        ? ', after some rows were committed'
        : ', before any row was committed'}
      {failure.retryable ? '' : ' (not retried: fix the configuration)'}: {failure.externalMessage}
    </p>
  );
}

/** Why a failed job failed, in its row: its last attempt's failure, fetched once per job. */
function FailureReason({ jobId }: { jobId: string }) {
  const job = useLoad(jobId, (signal) => api<Job>(`/api/v1/jobs/${jobId}`, { signal }));
  const failure = job.data?.attempts?.at(-1)?.failureSummary?.failures[0];
  if (!failure) return null;
  return (
    <div className="error-text small job-failure" data-testid="job-failure" title={failure.failureType}>
      {failure.externalMessage}
    </div>
  );
}

/** One job's streams and its attempts' logs, followed every two seconds until it ends. */
function JobDetails({ job }: { job: Job }) {
  const details = useLoad(
    `${job.jobId}|${job.status}`,
    (signal) => api<Job>(`/api/v1/jobs/${job.jobId}`, { signal }),
    ended(job.status) ? undefined : 2000,
  );
  const streams = Object.entries(details.data?.streams ?? {});
  return (
    <div className="job-details">
      <ErrorNote error={details.error} />
      {streams.length > 0 && (
        <table className="list compact">
          <thead>
            <tr>
              <th>Stream</th>
              <th>Rows</th>
              <th>Bytes</th>
            </tr>
          </thead>
          <tbody>
            {streams.map(([name, counts]) => (
              <tr key={name} data-stream={name}>
                <td>{name}</td>
                <td>{counts.recordsCommitted ?? 0}</td>
                <td>{formatBytes(counts.bytesEmitted ?? 0)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {details.data?.attempts?.map((attempt) => (
        <div
          key={attempt.attempt}
          className="attempt"
          data-attempt={attempt.attempt}
          data-status={attempt.status}
        >
          <h3>
            Attempt {attempt.attempt} <span className="muted">· {attempt.status}</span>
            {attempt.createdAt && <span className="muted small"> · {formatDate(attempt.createdAt)}</span>}
            {attempt.recordsSynced !== undefined && (
              <span className="muted small"> · {attempt.recordsSynced} rows committed</span>
            )}
          </h3>
          <AttemptFailure attempt={attempt} />
          <LogLines
            showTask={false}
            lines={attempt.logs.map((line, i) => ({
              id: i,
              ts: line.timestamp,
              level: line.level as LogLine['level'],
              message: line.message,
            }))}
          />
          {attempt.logs.length === 0 && <p className="muted small">No log line.</p>}
        </div>
      ))}
      {details.data && details.data.attempts?.length === 0 && <p className="muted">No attempt yet.</p>}
      <p className="small">
        <Link href={`/executions/${job.jobId}`}>The execution behind this job</Link>: its Gantt chart, logs of
        every task and outputs.
      </p>
    </div>
  );
}

/** A connection's jobs, newest first, refreshed every two seconds; each opens onto its attempts' logs. */
export function JobsTable({ connectionId, reloadKey }: { connectionId: string; reloadKey: number }) {
  const [open, setOpen] = useState<string>();
  const jobs = useLoad(
    `${connectionId}|${reloadKey}`,
    (signal) => api<DataPage<Job>>(`/api/v1/jobs${query({ connectionId, limit: 50 })}`, { signal }),
    2000,
  );
  return (
    <>
      <ErrorNote error={jobs.error} />
      <table className="list jobs">
        <thead>
          <tr>
            <th className="wide-only">Job</th>
            <th>Status</th>
            <th className="wide-only">Started</th>
            <th>Duration</th>
            <th>Rows</th>
            <th className="wide-only">Bytes</th>
            <th aria-label="Logs" />
          </tr>
        </thead>
        <tbody>
          {jobs.data?.data.map((job) => (
            <Fragment key={job.jobId}>
              <tr data-job={job.jobId} data-status={job.status}>
                <td className="wide-only">
                  <span className="mono">{job.jobId.slice(0, 8)}</span>
                </td>
                <td>
                  <JobStatusBadge status={job.status} />
                  {job.jobType !== 'sync' && <span className="muted small"> {job.jobType}</span>}
                  {(job.status === 'failed' || job.status === 'incomplete') && (
                    <FailureReason jobId={job.jobId} />
                  )}
                  {(job.attemptCount ?? 1) > 1 && (
                    <span className="muted small" data-testid="job-attempts">
                      {' '}
                      {job.attemptCount} attempts
                    </span>
                  )}
                </td>
                <td className="wide-only">{formatDate(job.startTime ?? undefined)}</td>
                <td data-testid="job-duration">{jobDuration(job)}</td>
                <td data-testid="job-rows">{job.rowsSynced}</td>
                <td className="wide-only" data-testid="job-bytes">
                  {formatBytes(job.bytesSynced)}
                </td>
                <td>
                  <button
                    className="link-button"
                    aria-expanded={open === job.jobId}
                    onClick={() => setOpen(open === job.jobId ? undefined : job.jobId)}
                  >
                    {open === job.jobId ? 'Hide logs' : 'Logs'}
                  </button>
                </td>
              </tr>
              {open === job.jobId && (
                <tr className="job-open">
                  <td colSpan={7}>
                    <JobDetails job={job} />
                  </td>
                </tr>
              )}
            </Fragment>
          ))}
        </tbody>
      </table>
      {jobs.data?.data.length === 0 && <p className="empty">No job yet: press “Sync now”.</p>}
      {jobs.data?.next && <p className="muted small">The 50 newest jobs.</p>}
    </>
  );
}
