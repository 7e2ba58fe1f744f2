import { CONNECTIONS_NAMESPACE, type FlowScope } from '../connections/connection.js';
import type { StateType } from '../engine/state.js';
import type { Flow } from '../flow/model.js';
import type { Queryable } from './database.js';

/** The newest revision when revision is absent; deleted flows are not found. */
export async function getFlow(
  q: Queryable,
  namespace: string,
  id: string,
  revision?: number,
): Promise<Flow | undefined> {
  const { rows } = await q.query<{ flow: Flow; revision: number; deleted: boolean }>(
    revision === undefined
      ? 'SELECT flow, revision, deleted FROM flows WHERE namespace = $1 AND id = $2 ORDER BY revision DESC LIMIT 1'
      : 'SELECT flow, revision, deleted FROM flows WHERE namespace = $1 AND id = $2 AND revision = $3',
    revision === undefined ? [namespace, id] : [namespace, id, revision],
  );
  const row = rows[0];
  if (!row || (revision === undefined && row.deleted)) return undefined;
  return { ...row.flow, revision: row.revision };
}

/** Makes concurrent writers of one flow's revisions wait for each other until the transaction ends:
 * each numbers its revision after the last one committed. Outside a transaction it protects nothing. */
async function lockRevisions(q: Queryable, namespace: string, id: string): Promise<void> {
  await q.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`flow-revisions:${namespace}.${id}`]);
}

async function insertRevision(q: Queryable, flow: Flow): Promise<Flow> {
  const { rows } = await q.query<{ revision: number }>(
    `INSERT INTO flows (namespace, id, revision, source, flow)
     SELECT $1, $2, coalesce(max(revision), 0) + 1, $3, $4 FROM flows WHERE namespace = $1 AND id = $2
     RETURNING revision`,
    [flow.namespace, flow.id, flow.source, JSON.stringify({ ...flow, revision: undefined })],
  );
  return { ...flow, revision: rows[0].revision };
}

/** Saves a flow as a new revision unless its source is unchanged; returns the stored flow. Run it in
 * a transaction where saves of the same flow can meet (the API), so that they queue up. */
export async function saveFlow(q: Queryable, flow: Flow): Promise<Flow> {
  await lockRevisions(q, flow.namespace, flow.id);
  const current = await getFlow(q, flow.namespace, flow.id);
  if (current && current.source === flow.source) return current;
  return insertRevision(q, flow);
}

/** Saves the first revision of a flow (or the first after its deletion); undefined, and nothing
 * saved, when the flow exists: creating never overwrites, as in Kestra. Run it in a transaction. */
export async function createFlow(q: Queryable, flow: Flow): Promise<Flow | undefined> {
  await lockRevisions(q, flow.namespace, flow.id);
  if (await getFlow(q, flow.namespace, flow.id)) return undefined;
  return insertRevision(q, flow);
}

/** Saves a new revision of a flow that exists; undefined, and nothing saved, when it does not. Run
 * it in a transaction. */
export async function updateFlow(q: Queryable, flow: Flow): Promise<Flow | undefined> {
  await lockRevisions(q, flow.namespace, flow.id);
  if (!(await getFlow(q, flow.namespace, flow.id))) return undefined;
  return saveFlow(q, flow);
}

const LATEST = `SELECT DISTINCT ON (namespace, id) namespace, id, revision, flow, deleted, updated
                  FROM flows ORDER BY namespace, id, revision DESC`;

export interface FlowSummary {
  id: string;
  namespace: string;
  revision: number;
  description?: string;
  disabled: boolean;
  labels: Record<string, string>;
  updated: string;
  /** its newest execution, when it has one */
  lastExecution?: { id: string; state: StateType; date: string };
}

/** Live flows, filtered by namespace (itself and its children), by text in the id or description and
 * by scope (USER: the users' own; SYSTEM: the connections' generated flows), each with its newest
 * execution. */
export async function searchFlows(
  q: Queryable,
  filter: { namespace?: string; text?: string; scopes?: FlowScope[]; page: number; size: number },
): Promise<{ results: FlowSummary[]; total: number }> {
  const scopes = new Set(filter.scopes ?? []);
  const scope = scopes.size === 1 ? (scopes.has('USER') ? 'USER' : 'SYSTEM') : null;
  const where = [
    'NOT deleted',
    `($1::text IS NULL OR namespace = $1 OR namespace LIKE $1 || '.%')`,
    `($2::text IS NULL OR id ILIKE '%' || $2 || '%' OR coalesce(flow->>'description', '') ILIKE '%' || $2 || '%')`,
    `($5::text IS NULL OR ($5 = 'USER') = (namespace <> $6))`,
  ].join(' AND ');
  const params = [filter.namespace ?? null, filter.text ?? null];
  const { rows } = await q.query<{
    flow: Flow;
    revision: number;
    updated: string;
    total: number;
    last_id: string | null;
    last_state: StateType | null;
    last_date: string | null;
  }>(
    `SELECT page.*, last.id AS last_id, last.state AS last_state, to_json(last.created)#>>'{}' AS last_date
       FROM (SELECT namespace, id, flow, revision, to_json(updated)#>>'{}' AS updated,
                    count(*) OVER ()::int AS total
               FROM (${LATEST}) latest WHERE ${where}
              ORDER BY namespace, id LIMIT $3 OFFSET $4) page
       LEFT JOIN LATERAL (
         SELECT e.id, e.state, e.created FROM executions e
          WHERE e.namespace = page.namespace AND e.flow_id = page.id
          ORDER BY e.created DESC LIMIT 1) last ON true
      ORDER BY page.namespace, page.id`,
    [...params, filter.size, (filter.page - 1) * filter.size, scope, CONNECTIONS_NAMESPACE],
  );
  return {
    total: rows[0]?.total ?? 0,
    results: rows.map((r) => ({
      id: r.flow.id,
      namespace: r.flow.namespace,
      revision: r.revision,
      description: r.flow.description,
      disabled: r.flow.disabled,
      labels: r.flow.labels,
      updated: r.updated,
      ...(r.last_id && { lastExecution: { id: r.last_id, state: r.last_state!, date: r.last_date! } }),
    })),
  };
}

export async function flowNamespaces(q: Queryable): Promise<string[]> {
  const { rows } = await q.query<{ namespace: string }>(
    `SELECT DISTINCT namespace FROM (${LATEST}) latest WHERE NOT deleted ORDER BY namespace`,
  );
  return rows.map((r) => r.namespace);
}

export async function flowRevisions(
  q: Queryable,
  namespace: string,
  id: string,
): Promise<Array<{ revision: number; source: string; updated: string }>> {
  const { rows } = await q.query<{ revision: number; source: string; updated: string }>(
    `SELECT revision, source, to_json(updated)#>>'{}' AS updated FROM flows
      WHERE namespace = $1 AND id = $2 AND NOT deleted ORDER BY revision`,
    [namespace, id],
  );
  return rows;
}

/** Saves the revision `revise` makes of the newest one (when it makes none, the newest one stays);
 * undefined when the flow does not exist. Run it in a transaction. */
export async function reviseFlow(
  q: Queryable,
  namespace: string,
  id: string,
  revise: (current: Flow) => Flow | undefined,
): Promise<Flow | undefined> {
  await lockRevisions(q, namespace, id);
  const current = await getFlow(q, namespace, id);
  if (!current) return undefined;
  const revised = revise(current);
  return revised ? saveFlow(q, revised) : current;
}

/** Deletion is a revision of its own, so the history stays readable and a later save starts again.
 * Run it in a transaction where saves of the same flow can meet. */
export async function deleteFlow(q: Queryable, namespace: string, id: string): Promise<boolean> {
  await lockRevisions(q, namespace, id);
  const current = await getFlow(q, namespace, id);
  if (!current) return false;
  await q.query(
    `INSERT INTO flows (namespace, id, revision, source, flow, deleted)
     SELECT $1, $2, max(revision) + 1, $3, $4, true FROM flows WHERE namespace = $1 AND id = $2`,
    [namespace, id, current.source, JSON.stringify({ ...current, revision: undefined })],
  );
  return true;
}
