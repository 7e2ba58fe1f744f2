import type { RetryDef } from '../flow/model.js';

// The installation's limits on sync attempts, under the names of Airbyte's own settings so that an
// Airbyte deployment's values move over as they are. Unset ones keep Airbyte's defaults.

const COUNTS = {
  SYNC_JOB_RETRIES_COMPLETE_FAILURES_MAX_SUCCESSIVE: 'successiveCompleteFailureLimit',
  SYNC_JOB_RETRIES_COMPLETE_FAILURES_MAX_TOTAL: 'totalCompleteFailureLimit',
  SYNC_JOB_RETRIES_PARTIAL_FAILURES_MAX_SUCCESSIVE: 'successivePartialFailureLimit',
  SYNC_JOB_RETRIES_PARTIAL_FAILURES_MAX_TOTAL: 'totalPartialFailureLimit',
  SYNC_JOB_RETRIES_COMPLETE_FAILURES_BACKOFF_BASE: 'delayFactor',
} as const;

const SECONDS = {
  SYNC_JOB_RETRIES_COMPLETE_FAILURES_BACKOFF_MIN_INTERVAL_S: 'interval',
  SYNC_JOB_RETRIES_COMPLETE_FAILURES_BACKOFF_MAX_INTERVAL_S: 'maxInterval',
} as const;

export function syncRetryFromEnv(env: NodeJS.ProcessEnv): Partial<RetryDef> {
  const retry: Partial<RetryDef> = {};
  for (const [name, field] of Object.entries(COUNTS)) {
    const value = number(env, name);
    if (value !== undefined) retry[field] = value;
  }
  for (const [name, field] of Object.entries(SECONDS)) {
    const value = number(env, name);
    if (value !== undefined) retry[field] = `PT${value}S`;
  }
  return retry;
}

function number(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name}: expected a number ≥ 0, got ${raw}`);
  return value;
}
