import { executionStoragePrefix, uriOfPath } from '../storage/paths.js';
import type { Storage } from '../storage/storage.js';
import type { RetentionBackend } from './ports.js';

export interface RetentionPolicy {
  /** ended executions older than this go, with their logs and files */
  executionsMs?: number;
  /** log lines older than this go, even of executions that are kept */
  logsMs?: number;
}

const BATCH = 1_000;
const DAY = 24 * 3600 * 1000;

/** Kept unless configured otherwise: a month of history, so that no table grows without bound. */
export const DEFAULT_RETENTION: Required<RetentionPolicy> = { executionsMs: 30 * DAY, logsMs: 30 * DAY };

/** One retention pass: deletes in batches until nothing is left past the cutoffs. Returns counts. */
export async function purgeExpired(
  backend: RetentionBackend,
  storage: Storage | undefined,
  policy: RetentionPolicy,
  now: Date = new Date(),
): Promise<{ executions: number; logs: number; files: number; keys: number }> {
  let executions = 0;
  let keys = 0;
  let logs = 0;
  let files = 0;
  if (policy.executionsMs !== undefined) {
    const cutoff = new Date(now.getTime() - policy.executionsMs);
    for (;;) {
      const purged = await backend.purgeExecutions(cutoff, BATCH);
      executions += purged.length;
      for (const e of purged) {
        if (storage)
          files += await storage.deletePrefix(uriOfPath(executionStoragePrefix(e.namespace, e.flowId, e.id)));
      }
      if (purged.length < BATCH) break;
    }
  }
  // what a crashed process left half-written or half-deleted goes with the files of expired executions
  if (storage?.sweep) files += await storage.sweep();
  if (policy.logsMs !== undefined) {
    const cutoff = new Date(now.getTime() - policy.logsMs);
    for (;;) {
      const n = await backend.purgeLogs(cutoff, BATCH);
      logs += n;
      if (n < BATCH) break;
    }
  }
  // expired KV keys are already invisible; purging only gives their space back, whatever the policy
  for (;;) {
    const n = await backend.purgeExpiredKeys(BATCH);
    keys += n;
    if (n < BATCH) break;
  }
  return { executions, logs, files, keys };
}
