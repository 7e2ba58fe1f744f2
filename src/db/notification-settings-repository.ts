import type { Queryable } from './database.js';

/** Settings as stored (webhook URLs encrypted), per scope: 'installation', 'connection:<id>',
 * 'flow:<namespace>/<id>'. */
export async function loadNotificationSettings(
  q: Queryable,
  scopes: string[],
): Promise<Map<string, unknown>> {
  const { rows } = await q.query<{ scope: string; settings: unknown }>(
    'SELECT scope, settings FROM notification_settings WHERE scope = ANY($1)',
    [scopes],
  );
  return new Map(rows.map((r) => [r.scope, r.settings]));
}

export async function saveNotificationSettings(
  q: Queryable,
  scope: string,
  settings: unknown,
): Promise<void> {
  await q.query(
    `INSERT INTO notification_settings (scope, settings) VALUES ($1, $2)
     ON CONFLICT (scope) DO UPDATE SET settings = EXCLUDED.settings, updated = now()`,
    [scope, JSON.stringify(settings)],
  );
}

export async function deleteNotificationSettings(q: Queryable, scope: string): Promise<void> {
  await q.query('DELETE FROM notification_settings WHERE scope = $1', [scope]);
}
