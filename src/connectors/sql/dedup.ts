// append_dedup: a batch first goes to a temporary table, then replaces the rows of the final table that
// share a primary key with it. Within the batch the latest row per key wins: the highest cursor, and
// for equal cursors the later record (`_sluice_seq`). Against the final table, an existing row with a
// newer cursor wins; a null cursor loses to any value; without a cursor the newer record always wins.
import type { DestinationDatabase } from './destination-database.js';
import type { TablePlan } from './destination-plan.js';

export const SEQUENCE = '_sluice_seq';
const RANK = '_sluice_rank';

export function dedupStatements(
  db: DestinationDatabase,
  plan: TablePlan,
  columns: string[],
  target: string,
  temp: string,
): string[] {
  const q = (name: string) => db.quote(name);
  const list = columns.map(q).join(', ');
  const keys = plan.primaryKey.map((k) => q(k.name));
  const cursor = plan.cursor && q(plan.cursor.name);
  const order = `${cursor ? `(${cursor} IS NULL), ${cursor} DESC, ` : ''}${q(SEQUENCE)} DESC`;
  const latest =
    `(SELECT ${list} FROM (SELECT ${list}, ROW_NUMBER() OVER (PARTITION BY ${keys.join(', ')} ` +
    `ORDER BY ${order}) AS ${q(RANK)} FROM ${temp}) r WHERE ${q(RANK)} = 1) n`;
  const match = keys.map((k) => `f.${k} = n.${k}`).join(' AND ');
  const existingWins = cursor
    ? `f.${cursor} IS NOT NULL AND (n.${cursor} IS NULL OR f.${cursor} > n.${cursor})`
    : '';
  return [
    db.deleteMatching(target, latest, existingWins ? `${match} AND NOT (${existingWins})` : match),
    `INSERT INTO ${target} (${list}) SELECT ${columns.map((c) => `n.${q(c)}`).join(', ')} FROM ${latest} ` +
      `WHERE NOT EXISTS (SELECT 1 FROM ${target} f WHERE ${match})`,
    `DELETE FROM ${temp}`,
  ];
}
