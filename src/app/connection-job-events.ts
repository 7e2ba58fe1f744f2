// A connection's jobs on its timeline: the start and the end of each, under Airbyte's event names
// (a reset is Airbyte's clear), the end with a summary as Airbyte's SYNC_* events carry it: counts,
// attempts, and for a failure the reason the last attempt gave.
import { CONNECTIONS_NAMESPACE, SYNC_TASK_ID } from '../connections/connection.js';
import type { ConnectionEventInput, ConnectionEventType } from '../connections/timeline.js';
import type { Execution } from '../engine/execution.js';
import type { ExecutionNotice } from '../engine/ports.js';
import { attemptView, jobView } from './connections.js';

const PREFIX: Record<string, string> = { sync: 'SYNC', refresh: 'REFRESH', clear: 'CLEAR', reset: 'CLEAR' };

function outcome(state: string): string {
  if (state === 'SUCCESS' || state === 'WARNING') return 'SUCCEEDED';
  if (state === 'FAILED') return 'FAILED';
  return 'CANCELLED';
}

const epochSeconds = (iso: string | null | undefined) => (iso ? Math.floor(Date.parse(iso) / 1000) : null);

export function connectionJobEvent(
  notice: ExecutionNotice,
  execution: Execution,
): ConnectionEventInput | undefined {
  if (notice.namespace !== CONNECTIONS_NAMESPACE) return undefined;
  const job = jobView(execution);
  const jobType = String(job.jobType);
  const prefix = PREFIX[jobType] ?? 'SYNC';
  const running = execution.state.histories.find((h) => h.state === 'RUNNING')?.date;
  if (notice.event === 'started') {
    return {
      connectionId: execution.flowId,
      jobId: execution.id,
      eventType: `${prefix}_STARTED` as ConnectionEventType,
      createdAt: running,
      summary: { jobId: execution.id, jobType, startTimeEpochSeconds: epochSeconds(running) },
    };
  }
  const sync = execution.taskRunList.find((tr) => tr.taskId === SYNC_TASK_ID);
  const attempts = sync ? sync.attempts.map((_, i) => attemptView(sync, i)) : [];
  const last = attempts.at(-1);
  // what the whole job loaded: every attempt commits its own part (Airbyte's aggregated stats)
  const loaded = (field: 'recordsSynced' | 'bytesSynced') =>
    attempts.reduce((total, a) => total + ((a[field] as number | undefined) ?? 0), 0);
  const failure = (last?.failureSummary as { failures?: Record<string, unknown>[] } | null | undefined)
    ?.failures?.[0];
  const ended = execution.state.histories.at(-1)?.date;
  return {
    connectionId: execution.flowId,
    jobId: execution.id,
    eventType: `${prefix}_${outcome(notice.state)}` as ConnectionEventType,
    createdAt: ended,
    summary: {
      jobId: execution.id,
      jobType,
      statusType: job.status,
      startTimeEpochSeconds: epochSeconds(running ?? execution.state.histories[0]?.date),
      endTimeEpochSeconds: epochSeconds(ended),
      recordsLoaded: loaded('recordsSynced'),
      bytesLoaded: loaded('bytesSynced'),
      attemptsCount: sync?.attempts.length ?? 0,
      streams: job.streams,
      ...(notice.state === 'FAILED' && {
        failureReason: failure ?? {
          failureOrigin: 'replication',
          failureType: 'system_error',
          externalMessage:
            sync?.error ?? execution.taskRunList.find((tr) => tr.error)?.error ?? 'the job failed',
        },
        failureType: failure?.failureType ?? 'system_error',
      }),
    },
  };
}
