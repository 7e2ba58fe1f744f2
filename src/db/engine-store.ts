import type { Execution } from '../engine/execution.js';
import { failureKind } from '../engine/failure-kind.js';
import type { ExecutorMessage, LogLine, WorkerJob } from '../engine/messages.js';
import { createKvStore } from './kv-store.js';
import type { ExecutorBackend, ExecutorTx, SecretResolver, WorkerBackend } from '../engine/ports.js';
import { isTerminal } from '../engine/state.js';
import {
  DEFAULT_MAX_DOCUMENT_CHARS,
  storableDocument,
  storableJson,
  storableText,
  withinLimit,
} from '../engine/storable-text.js';
import {
  endNotices,
  type ExecutionRow,
  failedDocument,
  minimalFailedDocument,
  withoutOutputs,
} from '../engine/unprocessable.js';
import type { Flow } from '../flow/model.js';
import {
  emitAll,
  insertMessagesSql,
  KILL_CHANNEL,
  messagesParam,
  notifyQueuedSql,
  type OutgoingMessage,
  QUEUE_CHANNEL,
} from '../queue/postgres-queue.js';
import type { Database, Queryable } from './database.js';
import { getFlow } from './flow-repository.js';

// SQL behind the engine ports. Runs unchanged on PostgreSQL and PGlite.

const INSERT_EXECUTION = `INSERT INTO executions (id, namespace, flow_id, flow_revision, state, parent_id, doc, created)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`;

function executionRow(execution: Execution): unknown[] {
  return [
    execution.id,
    execution.namespace,
    execution.flowId,
    execution.flowRevision,
    execution.state.current,
    execution.parentId ?? null,
    storableJson(JSON.stringify(execution)),
    execution.state.startDate,
  ];
}

export async function insertExecution(tx: Queryable, execution: Execution): Promise<void> {
  await tx.query(INSERT_EXECUTION, executionRow(execution));
}

/** A new execution and the message announcing it to the executor, with its NOTIFY: one statement,
 * so one transaction that costs no BEGIN and COMMIT round trips. */
export async function insertCreatedExecution(db: Queryable, execution: Execution): Promise<void> {
  await db.query(
    `WITH created AS (${INSERT_EXECUTION}), queued AS (${insertMessagesSql('$9')}) ${notifyQueuedSql('queued')}`,
    [
      ...executionRow(execution),
      messagesParam([
        {
          consumer: 'executor',
          payload: { type: 'execution.created', executionId: execution.id },
          key: execution.id,
        },
      ]),
    ],
  );
}

/** Builds a secret resolver reading through a given connection or transaction. */
export type SecretsVia = (q: Queryable) => SecretResolver;

export interface StoreLimits {
  /** the longest execution document (or task run result) written, in characters of JSON */
  maxDocumentChars?: number;
}

/** An executor transaction's writes to the queue wait in `outgoing` and go out with the execution's
 * document in one statement (saveExecution), or at the end (flush): a pass that starts a task
 * costs one write, not an INSERT and a NOTIFY per message plus the UPDATE and its NOTIFYs. */
interface BufferedExecutorTx extends ExecutorTx {
  flush(): Promise<void>;
  /** milliseconds until the soonest delayed executor message this transaction queued */
  ownDueMs(): number | undefined;
}

function executorTx(
  tx: Queryable,
  flowCache: Map<string, Flow>,
  maxDocumentChars: number,
  secrets?: SecretsVia,
): BufferedExecutorTx {
  let outgoing: OutgoingMessage[] = [];
  let lines: LogLine[] = [];
  let ownDueMs: number | undefined;
  const take = () => {
    const messages = outgoing;
    outgoing = [];
    return messages;
  };
  return {
    async saveExecution(execution) {
      const ended = isTerminal(execution.state.current);
      const logged = lines;
      lines = [];
      await tx.query(
        `WITH saved AS (
           UPDATE executions SET state = $2, doc = $3, updated = now(), ended = $4 WHERE id = $1),
         queued AS (${insertMessagesSql('$5')}),
         woken AS (${notifyQueuedSql('queued')})
         SELECT pg_notify('${EXECUTION_UPDATED_CHANNEL}', $1),
                CASE WHEN $4::timestamptz IS NOT NULL THEN pg_notify('${EXECUTION_ENDED_CHANNEL}', $1) END,
                (SELECT count(*) FROM woken)`,
        [
          execution.id,
          execution.state.current,
          storableDocument(execution, maxDocumentChars, `execution ${execution.id}'s document`),
          ended ? (execution.state.endDate ?? new Date().toISOString()) : null,
          messagesParam(take()),
        ],
      );
      if (logged.length > 0) await writeExecutionLogs(tx, logged);
    },
    flush: () => emitAll(tx, take()),
    log(line) {
      lines.push(line);
    },
    ownDueMs: () => ownDueMs,
    createExecution: (execution) => insertExecution(tx, execution),
    async getFlow(namespace, id, revision) {
      // revisions never change once written, so a revision can be cached for the process lifetime
      const cacheKey = revision === undefined ? undefined : `${namespace}\u0000${id}\u0000${revision}`;
      const cached = cacheKey && flowCache.get(cacheKey);
      if (cached) return cached;
      const flow = await getFlow(tx, namespace, id, revision);
      if (flow && cacheKey) flowCache.set(cacheKey, flow);
      return flow;
    },
    async emitExecutor(message, delayMs) {
      if (delayMs && delayMs > 0) ownDueMs = Math.min(ownDueMs ?? delayMs, delayMs);
      outgoing.push({ consumer: 'executor', payload: message, key: message.executionId, delayMs });
    },
    // a job of a task with a worker group waits for a worker of that group, as in Kestra
    async emitWorker(job) {
      outgoing.push({
        consumer: 'worker',
        payload: job,
        key: job.executionId,
        workerGroup: job.task.workerGroup?.key ?? null,
      });
    },
    async emitScheduler(ended) {
      outgoing.push({ consumer: 'scheduler', payload: ended, key: ended.executionId });
    },
    async emitObserver(notice) {
      outgoing.push({ consumer: 'observer', payload: notice, key: notice.executionId });
    },
    errorLogs: (executionId) => selectLogs(tx, executionId, ['ERROR']),
    async announceKill(executionId) {
      // jobs this transaction has queued so far must be dropped too
      await emitAll(tx, take());
      await tx.query(
        `WITH dropped AS (DELETE FROM queue WHERE consumer = 'worker' AND key = $1)
         SELECT pg_notify('${KILL_CHANNEL}', $1)`,
        [executionId],
      );
    },
    async lockFlow(namespace, flowId) {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`flow:${namespace}.${flowId}`]);
    },
    async countRunning(namespace, flowId, exceptId) {
      const { rows } = await tx.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM executions
          WHERE namespace = $1 AND flow_id = $2 AND ended IS NULL AND state NOT IN ('CREATED', 'QUEUED') AND id <> $3`,
        [namespace, flowId, exceptId],
      );
      return rows[0].n;
    },
    async oldestQueued(namespace, flowId) {
      const { rows } = await tx.query<{ id: string }>(
        `SELECT id FROM executions WHERE namespace = $1 AND flow_id = $2 AND state = 'QUEUED' ORDER BY created LIMIT 1`,
        [namespace, flowId],
      );
      return rows[0]?.id;
    },
    async kvGet(namespace, key) {
      const found = await createKvStore(tx).get(namespace, key);
      return found && { value: found.value };
    },
    // PGlite has one connection: secrets must be read through the open transaction, not beside it
    secretsFor: async (namespace) => (secrets ? secrets(tx).secretsFor(namespace) : new Map()),
  };
}

export const EXECUTION_ENDED_CHANNEL = 'sluice_execution_ended';
/** every saved change of an execution (followers over SSE) */
export const EXECUTION_UPDATED_CHANNEL = 'sluice_execution_updated';

/** Executions one executor transaction takes at most. When several wait, one BEGIN, claim and
 * COMMIT serve them all (each still has its own save), which is what lets a loop keep up with a
 * backlog; when one waits, a transaction is what it was. */
const CLAIM_BATCH = 4;

/** Takes every available message of the oldest waiting executions (the executions of the oldest
 * CLAIM_BATCH messages) and locks those executions' rows (FOR UPDATE, in id order so that two
 * loops never deadlock on them: replicas serialise per execution), in one statement. Each row
 * holds one execution's messages in queue order; the locking read returns the latest committed
 * document even after waiting for another transaction that held the row. Every row also tells
 * whether other messages are available (the loop claims again at once) and when the next delayed
 * one is due (how long the loop may sleep), so an idle loop costs no second claim and no separate
 * query. An idle claim returns one row without a key. With $2, only that execution's messages are
 * taken. */
const CLAIM_EXECUTOR_MESSAGES = `
  WITH first AS (
    SELECT key FROM queue
     WHERE consumer = $1 AND available_at <= now() AND ($2::text IS NULL OR key = $2)
     ORDER BY id LIMIT ${CLAIM_BATCH} FOR UPDATE SKIP LOCKED),
  claimed AS (
    DELETE FROM queue WHERE id IN (
      SELECT q.id FROM queue q
       WHERE q.consumer = $1 AND q.key IN (SELECT key FROM first) AND q.available_at <= now()
       FOR UPDATE OF q SKIP LOCKED)
    RETURNING id, key, payload),
  locked AS (
    SELECT id, doc FROM executions WHERE id IN (SELECT key FROM first) ORDER BY id FOR UPDATE),
  batch AS (
    SELECT key, json_agg(payload ORDER BY id) AS messages, min(id) AS oldest FROM claimed GROUP BY key),
  status AS (
    SELECT EXISTS (SELECT 1 FROM queue WHERE consumer = $1 AND available_at <= now()
                      AND key NOT IN (SELECT key FROM first)) AS more,
           (SELECT extract(epoch FROM (min(available_at) - now())) * 1000 FROM queue
             WHERE consumer = $1 AND available_at > now()) AS "nextDueMs")
  SELECT batch.key, batch.messages, locked.doc, status.more, status."nextDueMs"
    FROM status
    LEFT JOIN batch ON true
    LEFT JOIN locked ON locked.id = batch.key
   ORDER BY batch.oldest`;

export function createExecutorBackend(
  db: Database,
  secrets?: SecretsVia,
  limits: StoreLimits = {},
): ExecutorBackend {
  const flowCache = new Map<string, Flow>();
  const maxDocumentChars = limits.maxDocumentChars ?? DEFAULT_MAX_DOCUMENT_CHARS;
  return {
    async processNext(fn, only) {
      return db.transaction(async (tx) => {
        const { rows } = await tx.query<{
          key: string | null;
          messages: ExecutorMessage[] | null;
          doc: Execution | null;
          more: boolean;
          nextDueMs: number | null;
        }>(CLAIM_EXECUTOR_MESSAGES, ['executor', only ?? null]);
        const { more, nextDueMs } = rows[0];
        let soonest = nextDueMs === null ? undefined : Math.max(0, Number(nextDueMs));
        let processed = false;
        for (const { key, messages, doc } of rows) {
          if (key === null || messages === null) continue;
          processed = true;
          const executor = executorTx(tx, flowCache, maxDocumentChars, secrets);
          await fn(executor, messages, doc ?? undefined);
          await executor.flush();
          const own = executor.ownDueMs();
          if (own !== undefined && (soonest === undefined || own < soonest)) soonest = own;
        }
        return { processed, more, nextDueMs: soonest };
      });
    },
    async recordFailure(executionId, reason, backoff) {
      const { rows } = await db.query<{ n: number }>(
        `WITH counted AS (
           UPDATE executions SET processing_failures = processing_failures + 1 WHERE id = $1
           RETURNING processing_failures, namespace, flow_id),
         held AS (
           UPDATE queue SET available_at = greatest(available_at, now() + make_interval(secs =>
                    least($4::double precision, $3 * 2 ^ ((SELECT processing_failures FROM counted) - 1)) / 1000))
            WHERE consumer = 'executor' AND key = $1),
         logged AS (
           INSERT INTO logs (execution_id, namespace, flow_id, level, message)
           SELECT $1, namespace, flow_id, 'WARN', $2 FROM counted)
         SELECT processing_failures AS n FROM counted`,
        [executionId, logText(reason), backoff.baseMs, backoff.maxMs],
      );
      return rows[0]?.n ?? 0;
    },
    async failUnprocessable(executionId, reason) {
      const now = new Date();
      // what the first try read, for a second one that writes a document rebuilt from the row
      let seen: { row: LockedRow; notices: ReturnType<typeof endNotices> } | undefined;
      try {
        await db.transaction(async (tx) => {
          const row = await lockRow(tx, executionId, true);
          if (!row) return dropMessages(tx, executionId);
          const notices = endNotices(row, row.doc);
          seen = { row, notices };
          if (row.ended) return dropMessages(tx, executionId, row, reason);
          const edited = failedDocument(row.doc, reason, now);
          const text =
            (edited &&
              (fitting(edited, maxDocumentChars) ?? fitting(withoutOutputs(edited), maxDocumentChars))) ??
            storableJson(JSON.stringify(minimalFailedDocument(row, reason, now)));
          await writeFailed(tx, row, text, notices, reason, now);
        });
      } catch (error) {
        if (failureKind(error) !== 'refused') throw error;
        await db.transaction(async (tx) => {
          const row = seen?.row ?? (await lockRow(tx, executionId, false));
          if (!row) return dropMessages(tx, executionId);
          const text = storableJson(JSON.stringify(minimalFailedDocument(row, reason, now)));
          await writeFailed(tx, row, text, seen?.notices ?? endNotices(row, undefined), reason, now);
        });
      }
    },
  };
}

/** A log line is kept readable and within the size of one: the reason of a failure may quote the
 * data that caused it. */
function logText(text: string): string {
  const clean = storableText(text);
  return clean.length > MAX_REASON ? `${clean.slice(0, MAX_REASON)}…` : clean;
}
const MAX_REASON = 4000;

/** The JSON text of doc, or undefined when it is over the limit. */
function fitting(doc: Execution, maxChars: number): string | undefined {
  try {
    return storableDocument(doc, maxChars, 'the document');
  } catch {
    return undefined;
  }
}

interface LockedRow extends ExecutionRow {
  ended: boolean;
  doc?: unknown;
}

async function lockRow(tx: Queryable, executionId: string, withDoc: boolean): Promise<LockedRow | undefined> {
  const { rows } = await tx.query<LockedRow>(
    `SELECT id, namespace, flow_id AS "flowId", flow_revision AS "flowRevision", parent_id AS "parentId",
            to_json(created)#>>'{}' AS created, ended IS NOT NULL AS ended${withDoc ? ', doc' : ''}
       FROM executions WHERE id = $1 FOR UPDATE`,
    [executionId],
  );
  return rows[0];
}

/** An execution that has ended, or is gone, only loses the messages nobody can process. */
async function dropMessages(
  tx: Queryable,
  executionId: string,
  row?: LockedRow,
  reason?: string,
): Promise<void> {
  await tx.query(
    `WITH dropped AS (DELETE FROM queue WHERE consumer = 'executor' AND key = $1)
     UPDATE executions SET processing_failures = 0 WHERE id = $1`,
    [executionId],
  );
  if (row && reason) {
    await tx.query(
      `INSERT INTO logs (execution_id, namespace, flow_id, level, message) VALUES ($1, $2, $3, 'ERROR', $4)`,
      [executionId, row.namespace, row.flowId, logText(`messages dropped: ${reason}`)],
    );
  }
}

/** Closes the execution as FAILED with its new document, in one statement: its messages and queued
 * jobs dropped, its running task runs stopped (the kill channel), the reason logged, its parent and
 * the scheduler told, and the oldest execution of its flow waiting for a concurrency slot woken. */
async function writeFailed(
  tx: Queryable,
  row: LockedRow,
  doc: string,
  notices: ReturnType<typeof endNotices>,
  reason: string,
  now: Date,
): Promise<void> {
  const { executionId, namespace, flowId } = notices.ended;
  const messages: OutgoingMessage[] = [
    { consumer: 'scheduler', payload: notices.ended, key: row.id },
    {
      consumer: 'observer',
      payload: { event: 'ended', executionId, namespace, flowId, state: 'FAILED' },
      key: row.id,
    },
  ];
  if (notices.parent) {
    messages.push({ consumer: 'executor', payload: notices.parent, key: notices.parent.executionId });
  }
  await tx.query(
    `WITH dropped AS (DELETE FROM queue WHERE key = $1 AND consumer IN ('executor', 'worker')),
     saved AS (
       UPDATE executions SET state = 'FAILED', doc = $2, ended = $3, updated = now(), processing_failures = 0
        WHERE id = $1),
     logged AS (
       INSERT INTO logs (execution_id, namespace, flow_id, level, message) VALUES ($1, $4, $5, 'ERROR', $6)),
     waiting AS (
       INSERT INTO queue (consumer, key, payload)
       SELECT 'executor', id, json_build_object('type', 'execution.created', 'executionId', id)
         FROM (SELECT id FROM executions
                WHERE namespace = $4 AND flow_id = $5 AND state = 'QUEUED' AND id <> $1
                ORDER BY created LIMIT 1) oldest),
     queued AS (${insertMessagesSql('$7')})
     SELECT pg_notify('${KILL_CHANNEL}', $1), pg_notify('${EXECUTION_UPDATED_CHANNEL}', $1),
            pg_notify('${EXECUTION_ENDED_CHANNEL}', $1), pg_notify('${QUEUE_CHANNEL}', 'executor'),
            pg_notify('${QUEUE_CHANNEL}', 'scheduler'), (SELECT count(*) FROM queued)`,
    [row.id, doc, now.toISOString(), row.namespace, row.flowId, logText(reason), messagesParam(messages)],
  );
}

export function createWorkerBackend(db: Database, limits: StoreLimits = {}): WorkerBackend {
  const maxDocumentChars = limits.maxDocumentChars ?? DEFAULT_MAX_DOCUMENT_CHARS;
  return {
    async claim(workerId, max, workerGroup) {
      const { rows } = await db.query<{ job: WorkerJob }>(
        `WITH claimed AS (
           DELETE FROM queue WHERE id IN (
             SELECT id FROM queue
              WHERE consumer = 'worker' AND available_at <= now() AND worker_group IS NOT DISTINCT FROM $3
              ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED)
           RETURNING payload)
         INSERT INTO worker_job_running (task_run_id, attempt, execution_id, worker_id, job)
         SELECT payload->>'taskRunId', (payload->>'attempt')::int, payload->>'executionId', $1, payload
           FROM claimed
         ON CONFLICT (task_run_id, attempt) DO UPDATE SET worker_id = EXCLUDED.worker_id, started = now()
         RETURNING job`,
        [workerId, max, workerGroup ?? null],
      );
      return rows.map((r) => r.job);
    },
    // the last log lines, the result, its NOTIFY and forgetting the running job are one statement,
    // so one transaction; only our own claim is forgotten: after a hand-back another worker may
    // hold the same attempt
    async complete(job, result, logs) {
      const message = messagesParam([{ consumer: 'executor', payload: result, key: result.executionId }]);
      await db.query(
        `WITH done AS (
           DELETE FROM worker_job_running WHERE task_run_id = $1 AND attempt = $2 AND worker_id = $3),
         logged AS (${insertLogsSql('$5')}),
         queued AS (${insertMessagesSql('$4')})
         ${notifyQueuedSql('queued')}`,
        [
          job.taskRunId,
          job.attempt,
          result.workerId,
          withinLimit(message, maxDocumentChars, `the result of task run ${job.taskRunId}`),
          storableJson(JSON.stringify(logs)),
        ],
      );
    },
    async appendLogs(lines) {
      if (lines.length === 0) return;
      await db.query(insertLogsSql('$1'), [storableJson(JSON.stringify(lines))]);
    },
  };
}

/** An execution's own log lines ("Flow started"…) are not worth its progress: written under a
 * savepoint, so that a log table that refuses them (a full disk) never stops the execution's save. */
async function writeExecutionLogs(tx: Queryable, lines: LogLine[]): Promise<void> {
  await tx.query('SAVEPOINT execution_logs');
  try {
    await tx.query(insertLogsSql('$1'), [storableJson(JSON.stringify(lines))]);
    await tx.query('RELEASE SAVEPOINT execution_logs');
  } catch {
    // a connection that is gone fails this too, and that error goes up
    await tx.query('ROLLBACK TO SAVEPOINT execution_logs');
  }
}

/** An INSERT of the log lines of a JSON array parameter, in their order. */
function insertLogsSql(param: string): string {
  return `INSERT INTO logs (execution_id, namespace, flow_id, task_id, task_run_id, attempt, level, message, ts)
    SELECT "executionId", namespace, "flowId", "taskId", "taskRunId", attempt, level, message, ts
      FROM jsonb_to_recordset(${param}::jsonb) AS x("executionId" text, namespace text, "flowId" text,
           "taskId" text, "taskRunId" text, attempt int, level text, message text, ts timestamptz)`;
}

export async function selectLogs(
  q: Queryable,
  executionId: string,
  levels?: LogLine['level'][],
): Promise<LogLine[]> {
  const { rows } = await q.query<LogLine>(
    `SELECT execution_id AS "executionId", namespace, flow_id AS "flowId", task_id AS "taskId",
            task_run_id AS "taskRunId", attempt, level, message, to_json(ts)#>>'{}' AS ts
       FROM logs WHERE execution_id = $1 AND ($2::text[] IS NULL OR level = ANY($2::text[]))
      ORDER BY id`,
    [executionId, levels ?? null],
  );
  return rows;
}
