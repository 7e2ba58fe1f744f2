// What the scale tests count to prove that nothing ran twice and nothing was lost: every claim of a
// worker job, recorded by a database trigger, and a ledger file every shell task appends a line to.
import { readFile } from 'node:fs/promises';
import type { Database } from '../../../src/db/database.js';
import { saveFlow } from '../../../src/db/flow-repository.js';
import type { Execution } from '../../../src/engine/execution.js';
import { loadFlow } from '../../../src/flow/load.js';
import type { Flow } from '../../../src/flow/model.js';
import type { Cluster } from '../../support/cluster.js';
import { until } from '../../support/until.js';

export async function deployFlow(db: Database, yaml: string): Promise<Flow> {
  const { flow, errors } = loadFlow(yaml, 'flow.yaml');
  if (!flow) throw new Error(errors.map((e) => `${e.line}:${e.col}: ${e.message}`).join('\n'));
  return saveFlow(db, flow);
}

/** A shell command that appends `<execution id> <task run id>` to the ledger: one line a run. */
export function ledgerCommand(ledger: string): string {
  return `echo "{{ execution.id }} {{ taskrun.id }}" >> ${ledger}`;
}

/** The ledger's lines, sorted; a missing ledger has none. */
export async function ledgerLines(ledger: string): Promise<string[]> {
  const text = await readFile(ledger, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .sort();
}

/** What the ledger holds when each of these task runs ran exactly once, sorted. */
export function expectedLedger(executions: Execution[], taskIds: string[]): string[] {
  return executions
    .flatMap((e) => e.taskRunList.filter((tr) => taskIds.includes(tr.taskId)).map((tr) => `${e.id} ${tr.id}`))
    .sort();
}

/**
 * From now on, every job a worker claims (a row inserted into worker_job_running, or taken over
 * there after a hand-back) is also written to `test_claims`, which nothing ever deletes from.
 */
export async function recordClaims(db: Database): Promise<void> {
  await db.exec(`
    CREATE TABLE test_claims (
      id bigserial PRIMARY KEY, execution_id text NOT NULL, task_run_id text NOT NULL, worker_id text NOT NULL);
    CREATE FUNCTION test_record_claim() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO test_claims (execution_id, task_run_id, worker_id)
          VALUES (NEW.execution_id, NEW.task_run_id, NEW.worker_id);
        RETURN NEW;
      END $$;
    CREATE TRIGGER test_record_claim AFTER INSERT OR UPDATE OF worker_id ON worker_job_running
      FOR EACH ROW EXECUTE FUNCTION test_record_claim();
  `);
}

/** Task runs of a namespace's executions claimed more than once, with how many times. */
export async function claimedTwice(
  db: Database,
  namespace: string,
): Promise<Array<{ task_run_id: string; claims: number }>> {
  const { rows } = await db.query<{ task_run_id: string; claims: number }>(
    `SELECT c.task_run_id, count(*)::int AS claims
       FROM test_claims c JOIN executions e ON e.id = c.execution_id
      WHERE e.namespace = $1 GROUP BY c.task_run_id HAVING count(*) > 1`,
    [namespace],
  );
  return rows;
}

/** How many claims of a namespace's jobs the trigger recorded. */
export async function claimCount(db: Database, namespace: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM test_claims c JOIN executions e ON e.id = c.execution_id
      WHERE e.namespace = $1`,
    [namespace],
  );
  return rows[0].n;
}

/** The workers that claimed a task run, in the order they did. */
export async function claimsOf(db: Database, taskRunId: string): Promise<string[]> {
  const { rows } = await db.query<{ worker_id: string }>(
    'SELECT worker_id FROM test_claims WHERE task_run_id = $1 ORDER BY id',
    [taskRunId],
  );
  return rows.map((r) => r.worker_id);
}

/** Every execution of a namespace, with its document. */
export async function executionsIn(db: Database, namespace: string): Promise<Execution[]> {
  const { rows } = await db.query<{ doc: Execution }>(
    'SELECT doc FROM executions WHERE namespace = $1 ORDER BY created, id',
    [namespace],
  );
  return rows.map((r) => r.doc);
}

/** How many executions of a namespace have ended. */
export async function endedCount(db: Database, namespace: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM executions WHERE namespace = $1 AND ended IS NOT NULL',
    [namespace],
  );
  return rows[0].n;
}

/**
 * Waits until `count` executions of the namespace have ended. Fails at once, with what it printed,
 * when a component of the cluster dies; a failed query (the server restarting) counts as "not yet".
 */
export async function untilEnded(
  db: Database,
  cluster: Cluster,
  namespace: string,
  count: number,
  ms: number,
): Promise<void> {
  await until(
    `${count} executions of ${namespace} to end`,
    async () => {
      const exits = cluster.unexpectedExits();
      if (exits.length > 0) throw new Error(`a component died:\n${exits.join('\n')}`);
      return (await endedCount(db, namespace).catch(() => undefined)) === count;
    },
    ms,
  );
}

/** Counts of executions by state, for a readable comparison such as `{ SUCCESS: 500 }`. */
export function statesOf(executions: Execution[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const e of executions) counts[e.state.current] = (counts[e.state.current] ?? 0) + 1;
  return counts;
}
