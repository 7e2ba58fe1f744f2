// Every namespace that holds something (live flows, files, KV pairs, secrets), with its parents, and
// how many of each it holds: what the Namespaces page lists.
import { CONNECTIONS_NAMESPACE } from '../connections/connection.js';
import type { Queryable } from './database.js';

export interface NamespaceSummary {
  id: string;
  flows: number;
  files: number;
  kv: number;
  secrets: number;
}

export async function listNamespaces(q: Queryable): Promise<NamespaceSummary[]> {
  const { rows } = await q.query<{ id: string; kind: keyof Omit<NamespaceSummary, 'id'>; n: number }>(
    `SELECT namespace AS id, 'flows' AS kind, count(*)::int AS n
       FROM (SELECT DISTINCT ON (namespace, id) namespace, deleted FROM flows
              ORDER BY namespace, id, revision DESC) latest
      WHERE NOT deleted AND namespace <> $1 GROUP BY namespace
     UNION ALL
     SELECT namespace, 'files', count(*) FILTER (WHERE type = 'File')::int FROM namespace_files GROUP BY namespace
     UNION ALL
     SELECT namespace, 'kv', count(*)::int FROM kv WHERE expires IS NULL OR expires > now() GROUP BY namespace
     UNION ALL
     SELECT namespace, 'secrets', count(*)::int FROM secrets GROUP BY namespace`,
    [CONNECTIONS_NAMESPACE],
  );
  const byId = new Map<string, NamespaceSummary>();
  const entry = (id: string) => {
    let found = byId.get(id);
    if (!found) byId.set(id, (found = { id, flows: 0, files: 0, kv: 0, secrets: 0 }));
    return found;
  };
  for (const row of rows) {
    entry(row.id)[row.kind] += row.n;
    // the tree: `a.b.c` has parents `a` and `a.b`, listed even when they hold nothing themselves
    const parts = row.id.split('.');
    for (let i = 1; i < parts.length; i++) entry(parts.slice(0, i).join('.'));
  }
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
