import type { Flow } from '../flow/model.js';
import type { Execution } from './execution.js';
import type { EndedExecution } from './flow-trigger.js';
import type { ExecutorMessage, LogLine, WorkerJob } from './messages.js';
import type { RunContext } from '../tasks/types.js';

// What the engine needs from the outside world. The engine depends only on these interfaces; the
// SQL implementation (db/engine-store.ts) plugs in at start-up and serves PostgreSQL and PGlite alike.

export type Consumer = 'executor' | 'worker' | 'scheduler' | 'observer';

/** An execution that started or ended, for whoever watches executions from outside the engine
 * (a connection's timeline, notifications). */
export interface ExecutionNotice {
  event: 'started' | 'ended';
  executionId: string;
  namespace: string;
  flowId: string;
  state: string;
}

/** Repository and queue operations inside one executor transaction: everything written here
 * commits or rolls back together with the consumption of the messages being processed. */
export interface ExecutorTx {
  saveExecution(execution: Execution): Promise<void>;
  createExecution(execution: Execution): Promise<void>;
  getFlow(namespace: string, id: string, revision?: number): Promise<Flow | undefined>;
  emitExecutor(message: ExecutorMessage, delayMs?: number): Promise<void>;
  /** Queues a job for a worker, available at once (a retry waits in an executor timer instead). */
  emitWorker(job: WorkerJob): Promise<void>;
  /** Tells the scheduler an execution ended (it fires Flow triggers). */
  emitScheduler(ended: EndedExecution): Promise<void>;
  /** Tells the observers an execution started or ended. */
  emitObserver(notice: ExecutionNotice): Promise<void>;
  errorLogs(executionId: string): Promise<LogLine[]>;
  /** Writes an execution's own log line (no task run: "Flow started"…) with the execution's save. */
  log(line: LogLine): void;
  /** Drops the execution's jobs still waiting in the queue (retries included) and tells every
   * worker, on commit, to stop what it runs for it. */
  announceKill(executionId: string): Promise<void>;
  /** A key of a namespace's KV store (undefined when absent or expired), read inside this transaction:
   * kv() in the templates the executor renders. */
  kvGet(namespace: string, key: string): Promise<{ value: unknown } | undefined>;
  /** The secrets a namespace sees, read inside this transaction. */
  secretsFor(namespace: string): Promise<Map<string, string>>;
  /** Serialises concurrency decisions for one flow until this transaction ends. */
  lockFlow(namespace: string, flowId: string): Promise<void>;
  /** Executions of the flow that hold a concurrency slot (started and not ended), except one. */
  countRunning(namespace: string, flowId: string, exceptId: string): Promise<number>;
  /** The oldest execution of the flow waiting for a slot. */
  oldestQueued(namespace: string, flowId: string): Promise<string | undefined>;
}

/** How a worker fills a WorkingDirectory's shared directory and takes files out of it: the task kit's
 * own rules for `namespaceFiles`, `inputFiles` and `outputFiles`, lent to the engine at start-up. */
export interface SharedDirectoryKit {
  copyNamespaceFiles(ctx: RunContext, dir: string, setting: unknown): Promise<number>;
  writeInputFiles(ctx: RunContext, dir: string, inputFiles: unknown): Promise<void>;
  storeOutputFiles(
    ctx: RunContext,
    dir: string,
    patterns: string[],
    skip: Set<string>,
  ): Promise<Record<string, string>>;
}

/** What one claim found. */
export interface ClaimOutcome {
  /** messages were claimed and processed */
  processed: boolean;
  /** other messages were available beside those claimed: claim again at once */
  more: boolean;
  /** milliseconds until the next delayed message is due, if any is waiting */
  nextDueMs?: number;
}

export interface ExecutorBackend {
  /** Claims the available messages of the oldest waiting executions (a few at a time), or of the
   * one execution `only`, locks those executions and runs fn for each, one after the other, with
   * its messages and its document (undefined when it is gone), all in one transaction. */
  processNext(
    fn: (tx: ExecutorTx, messages: ExecutorMessage[], execution: Execution | undefined) => Promise<void>,
    only?: string,
  ): Promise<ClaimOutcome>;
  /** Counts one more failure to process the execution (in its row, so that it outlives the
   * process), logs the reason on the execution, and holds its messages back so that other
   * executions go first (baseMs after the first failure, doubling with each, at most maxMs);
   * returns how many failures are counted. */
  recordFailure(
    executionId: string,
    reason: string,
    backoff: { baseMs: number; maxMs: number },
  ): Promise<number>;
  /** Fails the execution for good without processing it: drops its messages and queued jobs, stops
   * its running task runs, closes it as FAILED with the reason (its stored document edited, or one
   * rebuilt from its row when that document cannot be written), and tells its parent and the
   * scheduler. An execution that has already ended only loses its messages. */
  failUnprocessable(executionId: string, reason: string): Promise<void>;
}

export interface WorkerBackend {
  /** Claims up to max jobs for this worker (recording them as running) in one statement: jobs of
   * its worker group when it has one, else jobs of no group. */
  claim(workerId: string, max: number, workerGroup?: string): Promise<WorkerJob[]>;
  /** Writes the job's last log lines, reports it finished to the executor and forgets it as
   * running, in one transaction. */
  complete(
    job: WorkerJob,
    result: Extract<ExecutorMessage, { type: 'taskrun.result' }>,
    logs: LogLine[],
  ): Promise<void>;
  appendLogs(lines: LogLine[]): Promise<void>;
}

export interface QueueSignals {
  /** Calls wake whenever a message for this consumer may have arrived (LISTEN/NOTIFY). */
  subscribe(consumer: Consumer, wake: () => void): Promise<() => Promise<void>>;
  /** Calls onKill with the id of every execution being killed. */
  subscribeKills(onKill: (executionId: string) => void): Promise<() => Promise<void>>;
}

/** The secrets a namespace sees (its own and its parents'), decrypted: what `secret()` reads before
 * the SLUICE_SECRET_<NAME> environment variables. */
export interface SecretResolver {
  secretsFor(namespace: string): Promise<Map<string, string>>;
}

/** Component liveness: registration, heartbeats, and the sweep that hands a dead worker's jobs to
 * the others. */
export interface LivenessBackend {
  register(id: string, role: string, workerGroup?: string): Promise<void>;
  /** false when the instance is no longer registered (another component declared it dead) */
  heartbeat(id: string): Promise<boolean>;
  deregister(id: string): Promise<void>;
  /** Re-queues the jobs a worker still holds, for executions still running, and forgets them;
   * with `except`, only those older than a few seconds that are not among these task runs (jobs a
   * live worker never received, because the answer to its claim was lost). */
  handBack(workerId: string, except?: string[]): Promise<number>;
  /** Declares dead every instance silent for longer than timeoutMs and hands back its jobs;
   * returns the ids declared dead. */
  sweep(timeoutMs: number): Promise<string[]>;
}

export interface PurgedExecution {
  id: string;
  namespace: string;
  flowId: string;
}

/** Deletes what has outlived its retention. */
export interface RetentionBackend {
  /** Ended executions older than the cutoff, with their logs; returns them so their files can go. */
  purgeExecutions(endedBefore: Date, limit: number): Promise<PurgedExecution[]>;
  /** Log lines older than the cutoff, whatever their execution; returns how many. */
  purgeLogs(before: Date, limit: number): Promise<number>;
  /** KV keys whose TTL has passed; returns how many. */
  purgeExpiredKeys(limit: number): Promise<number>;
}
